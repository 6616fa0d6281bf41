"""All models, imported here so that Alembic and the app see the whole schema."""

from models.advice import AdviceKind, AdviceRequest
from models.audit import AuditEvent
from models.cases import CaseEvent, CaseException, CaseStep
from models.children import (
    LINK_APPROVED,
    LINK_MORE_INFO,
    LINK_REJECTED,
    LINK_REQUESTED,
    LINK_REVOKED,
    OPEN_LINK_STATES,
    RELATIONSHIPS,
    Child,
    ChildLink,
)
from models.documents import CATEGORIES, Document
from models.kept_answers import KeptAnswers
from models.messages import Message, Thread, ThreadRead
from models.notifications import Notification
from models.outbox import OutboxMessage
from models.password_history import PasswordHistory
from models.plan_response import PlanResponse, ReviewResponse
from models.plans import Plan, Review
from models.registration import RegistrationDraft
from models.requests import DRAFT, SUBMITTED, AssessmentRequest
from models.sign_in import SignInThrottle
from models.token import PURPOSE_ACTIVATE, PURPOSE_EMAIL_CHANGE, PURPOSE_RESET, EmailToken
from models.two_step import CODE_SIGN_IN, CODE_TURN_ON, SecondStepAttempt, SecurityCode, SecurityEvent
from models.user import ROLE_FAMILY, ROLE_STAFF, User

__all__ = [
    "AdviceKind",
    "AdviceRequest",
    "DRAFT",
    "SUBMITTED",
    "AssessmentRequest",
    "CATEGORIES",
    "Document",
    "KeptAnswers",
    "Message",
    "Thread",
    "ThreadRead",
    "LINK_APPROVED",
    "LINK_MORE_INFO",
    "LINK_REJECTED",
    "LINK_REQUESTED",
    "LINK_REVOKED",
    "OPEN_LINK_STATES",
    "RELATIONSHIPS",
    "AuditEvent",
    "CaseEvent",
    "CaseException",
    "CaseStep",
    "Child",
    "ChildLink",
    "CODE_SIGN_IN",
    "CODE_TURN_ON",
    "SecondStepAttempt",
    "SecurityCode",
    "SecurityEvent",
    "PURPOSE_ACTIVATE",
    "PURPOSE_EMAIL_CHANGE",
    "PURPOSE_RESET",
    "ROLE_FAMILY",
    "ROLE_STAFF",
    "EmailToken",
    "Notification",
    "OutboxMessage",
    "PasswordHistory",
    "Plan",
    "PlanResponse",
    "Review",
    "ReviewResponse",
    "RegistrationDraft",
    "SignInThrottle",
    "User",
]
