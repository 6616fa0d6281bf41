"""A submitted request is a case: the steps it goes through, the append-only events that move it, and the
exceptions (SEND Regulations 2014, reg. 10(4)) that excuse its time limits.

The case's current step and officer live on its request row (`AssessmentRequest.step`, `.officer_id`),
changed only by `services.cases` in one conditional UPDATE, with an event written in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model, table_of
from models.types import UTCDateTime, append_only, utcnow
from models.user import User

if TYPE_CHECKING:
    from models.advice import AdviceRequest


class CaseStep(StrEnum):
    """The steps of a case, in the order a family meets them."""

    SUBMITTED = "submitted"
    BEING_REVIEWED = "being_reviewed"
    MORE_INFORMATION = "more_information"
    AGREED_TO_ASSESS = "agreed_to_assess"
    NOT_AGREED_TO_ASSESS = "not_agreed_to_assess"
    ASSESSMENT_UNDER_WAY = "assessment_under_way"
    PLAN_TO_BE_ISSUED = "plan_to_be_issued"
    NO_PLAN = "no_plan"
    DRAFT_PLAN_SENT = "draft_plan_sent"
    FINAL_PLAN_ISSUED = "final_plan_issued"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STEP_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in ENDED_STEPS

    @property
    def meaning(self) -> str:
        return FAMILY_MEANINGS[self]

    def next_steps(self) -> list[CaseStep]:
        """The steps staff may move a case to from this one (withdrawing is the family's)."""
        return [step for step in CaseStep if self in ALLOWED_FROM[step] and step != CaseStep.WITHDRAWN]


STEP_LABELS = {
    CaseStep.SUBMITTED: "Request received",
    CaseStep.BEING_REVIEWED: "Being reviewed",
    CaseStep.MORE_INFORMATION: "More information needed",
    CaseStep.AGREED_TO_ASSESS: "Agreed to assess",
    CaseStep.NOT_AGREED_TO_ASSESS: "Not agreed to assess",
    CaseStep.ASSESSMENT_UNDER_WAY: "Assessment under way",
    CaseStep.PLAN_TO_BE_ISSUED: "An EHC plan will be issued",
    CaseStep.NO_PLAN: "No EHC plan will be issued",
    CaseStep.DRAFT_PLAN_SENT: "Draft plan sent",
    CaseStep.FINAL_PLAN_ISSUED: "Final plan issued",
    CaseStep.CLOSED: "Closed",
    CaseStep.WITHDRAWN: "Withdrawn",
}

# What each step means for the family, in plain words, on their Progress page.
FAMILY_MEANINGS = {
    CaseStep.SUBMITTED: "The SEND Assessment Hub Team has your request. An officer will review it.",
    CaseStep.BEING_REVIEWED: "An officer is reviewing your request and the information you sent.",
    CaseStep.MORE_INFORMATION: "The team needs more information from you before they can decide.",
    CaseStep.AGREED_TO_ASSESS: "The council has agreed to carry out an EHC needs assessment.",
    CaseStep.NOT_AGREED_TO_ASSESS: "The council has decided not to carry out an EHC needs assessment.",
    CaseStep.ASSESSMENT_UNDER_WAY: "The council is asking professionals for advice about the child’s needs.",
    CaseStep.PLAN_TO_BE_ISSUED: "The council will issue an EHC plan. You will be sent a draft to comment on.",
    CaseStep.NO_PLAN: "The council has decided not to issue an EHC plan.",
    CaseStep.DRAFT_PLAN_SENT: "The draft EHC plan has been sent to you to comment on.",
    CaseStep.FINAL_PLAN_ISSUED: "The final EHC plan has been issued. It will be reviewed every year.",
    CaseStep.CLOSED: "This request is closed.",
    CaseStep.WITHDRAWN: "This request was withdrawn.",
}

# What kind of update each step is, for the family's email: never any detail, only the kind.
UPDATE_KINDS = {
    CaseStep.BEING_REVIEWED: "an officer is reviewing it",
    CaseStep.MORE_INFORMATION: "the team needs more information from you",
    CaseStep.AGREED_TO_ASSESS: "a decision has been made",
    CaseStep.NOT_AGREED_TO_ASSESS: "a decision has been made",
    CaseStep.ASSESSMENT_UNDER_WAY: "the assessment has started",
    CaseStep.PLAN_TO_BE_ISSUED: "a decision has been made",
    CaseStep.NO_PLAN: "a decision has been made",
    CaseStep.DRAFT_PLAN_SENT: "a draft plan has been sent to you",
    CaseStep.FINAL_PLAN_ISSUED: "the final plan has been issued",
    CaseStep.CLOSED: "it has been closed",
    CaseStep.WITHDRAWN: "it has been withdrawn",
}
OFFICER_CHANGED_KIND = "your officer has changed"
ADVICE_SHARED_KIND = "advice for the assessment has been shared with you"

# Steps whose note for the family is required: the reasons for a decision, what is needed, why it closed.
NOTE_REQUIRED = frozenset(
    {CaseStep.MORE_INFORMATION, CaseStep.NOT_AGREED_TO_ASSESS, CaseStep.NO_PLAN, CaseStep.CLOSED}
)
# Steps that go with a document for the family (a PDF): the decision letter, or the plan itself.
DOCUMENT_REQUIRED = {
    CaseStep.AGREED_TO_ASSESS: "the decision letter",
    CaseStep.NOT_AGREED_TO_ASSESS: "the decision letter",
    CaseStep.NO_PLAN: "the decision letter",
    CaseStep.DRAFT_PLAN_SENT: "the draft EHC plan",
    CaseStep.FINAL_PLAN_ISSUED: "the final EHC plan",
}
PLAN_STEPS = frozenset({CaseStep.DRAFT_PLAN_SENT, CaseStep.FINAL_PLAN_ISSUED})
# Steps at which the family is asked to act by a date (the case's family_due_on): answer, or comment.
FAMILY_ACTS_AT = frozenset({CaseStep.MORE_INFORMATION, CaseStep.DRAFT_PLAN_SENT})
# Decisions the family may take to mediation and the SEND Tribunal.
APPEALABLE_STEPS = frozenset({CaseStep.NOT_AGREED_TO_ASSESS, CaseStep.NO_PLAN, CaseStep.FINAL_PLAN_ISSUED})

ENDED_STEPS = frozenset({CaseStep.CLOSED, CaseStep.WITHDRAWN})
# Until the final plan a family may withdraw; after it, the plan's annual reviews follow instead.
WITHDRAWABLE_STEPS = frozenset(set(CaseStep) - ENDED_STEPS - {CaseStep.FINAL_PLAN_ISSUED})

# The steps each step may follow: the one rule every change of step is checked against.
ALLOWED_FROM: dict[CaseStep, frozenset[CaseStep]] = {
    CaseStep.SUBMITTED: frozenset(),  # only by submitting the request
    CaseStep.BEING_REVIEWED: frozenset({CaseStep.SUBMITTED, CaseStep.MORE_INFORMATION}),
    CaseStep.MORE_INFORMATION: frozenset({CaseStep.BEING_REVIEWED}),
    CaseStep.AGREED_TO_ASSESS: frozenset({CaseStep.BEING_REVIEWED, CaseStep.MORE_INFORMATION}),
    CaseStep.NOT_AGREED_TO_ASSESS: frozenset({CaseStep.BEING_REVIEWED, CaseStep.MORE_INFORMATION}),
    CaseStep.ASSESSMENT_UNDER_WAY: frozenset({CaseStep.AGREED_TO_ASSESS}),
    CaseStep.PLAN_TO_BE_ISSUED: frozenset({CaseStep.ASSESSMENT_UNDER_WAY}),
    CaseStep.NO_PLAN: frozenset({CaseStep.ASSESSMENT_UNDER_WAY}),
    CaseStep.DRAFT_PLAN_SENT: frozenset({CaseStep.PLAN_TO_BE_ISSUED}),
    CaseStep.FINAL_PLAN_ISSUED: frozenset({CaseStep.DRAFT_PLAN_SENT}),
    CaseStep.CLOSED: frozenset(set(CaseStep) - ENDED_STEPS),
    CaseStep.WITHDRAWN: WITHDRAWABLE_STEPS,
}


class ExceptionKind(StrEnum):
    """The exceptions to the time limits that reg. 10(4) allows."""

    SETTING_CLOSED = "setting_closed"
    PERSONAL_CIRCUMSTANCES = "personal_circumstances"
    FAMILY_AWAY = "family_away"

    @property
    def label(self) -> str:
        return EXCEPTION_LABELS[self]


EXCEPTION_LABELS = {
    ExceptionKind.SETTING_CLOSED: "The school or setting was closed for 4 weeks or more",
    ExceptionKind.PERSONAL_CIRCUMSTANCES: "Exceptional personal circumstances of the child or family",
    ExceptionKind.FAMILY_AWAY: "The child or family was away from the area for 4 weeks or more",
}

# What an event records.
STEP_CHANGED, OFFICER_ASSIGNED, EXCEPTION_RECORDED = "step", "officer", "exception"
FAMILY_ANSWERED = "answer"  # the family's answer to a request for more information (its note)
FAMILY_RESPONDED = "plan_response"  # the family sent their response to the draft plan
# What the officer's email says the family did: (in its subject, in its text).
FAMILY_ACTIONS = {
    FAMILY_ANSWERED: ("answered", "answered the team's request for more information"),
    FAMILY_RESPONDED: ("responded to the draft plan", "sent their response to the draft plan"),
}
# Advice for the assessment (the event's advice_id says which): asked for, chased, received, shared.
ADVICE_ASKED, ADVICE_CHASED = "advice_asked", "advice_chased"
ADVICE_RECEIVED, ADVICE_SHARED = "advice_received", "advice_shared"
# Events that are the team's own record, never on a family's timeline.
STAFF_ONLY_EVENTS = frozenset({EXCEPTION_RECORDED, ADVICE_CHASED, ADVICE_RECEIVED})


class CaseEvent(Model):
    """Append-only: one row for each thing that happened to a case, shown to the family as its timeline
    (all but the internal note)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("assessment_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The step the case was at after the event, and its officer (for an assignment: the new one).
    step: Mapped[str] = mapped_column(String(30))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note_for_family: Mapped[str | None] = mapped_column(Text)
    internal_note: Mapped[str | None] = mapped_column(Text)
    # When the team asks for more information: the date the family should answer by.
    respond_by: Mapped[date | None] = mapped_column(Date)
    advice_id: Mapped[int | None] = mapped_column(ForeignKey("advice_requests.id"))

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    advice: Mapped[AdviceRequest | None] = relationship("AdviceRequest")

    @property
    def case_step(self) -> CaseStep:
        return CaseStep(self.step)


class CaseException(Model):
    """A reg. 10(4) exception recorded by staff: while it applies, a due date is never shown overdue."""

    __tablename__ = "case_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("assessment_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# On PostgreSQL the database itself refuses to change or delete a case's events.
CASE_EVENTS_APPEND_ONLY_FUNCTION, CASE_EVENTS_APPEND_ONLY_TRIGGER = append_only(table_of(CaseEvent))
