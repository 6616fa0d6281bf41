"""Documents families send: reports, letters, plans and photos, stored outside the web root."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.children import OPEN_LINK_STATES, Child, ChildLink, new_public_id
from models.requests import AssessmentRequest
from models.types import UTCDateTime, utcnow
from models.user import User

CATEGORIES = {
    "report": "Report",
    "diagnosis": "Diagnosis letter",
    "sen_plan": "SEN support plan",
    "drawing": "The child's drawing or photo",
    "other": "Something else",
}
# Documents of a request's case rather than of the request as sent: the team's letters, what a family sends
# with an answer, and professionals' advice. Each goes with an event of the case (case_event_id), set for
# advice only when the team shares it.
TEAM_LETTER, PLAN, WITH_ANSWER, ADVICE, WITH_MESSAGE = "letter", "plan", "answer", "advice", "message"
# An annual review's own documents, listed with the review (review_id): reports and advice for the meeting,
# its report, and the proposed amendments (an amended plan is a PLAN).
REVIEW_PAPER, REVIEW_REPORT, AMENDMENTS = "review_paper", "review_report", "amendments"
CASE_CATEGORIES = {
    REVIEW_PAPER: "Report or advice for the annual review",
    REVIEW_REPORT: "Annual review report",
    AMENDMENTS: "Proposed amendments to the plan",
    TEAM_LETTER: "Letter from the council",
    PLAN: "EHC plan",
    WITH_ANSWER: "Sent with an answer to the team",
    ADVICE: "Advice for the assessment",
    WITH_MESSAGE: "Sent with a message",
}


class Document(Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("child_links.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_requests.id"), index=True)
    # The event of the request's case this document went with (see CASE_CATEGORIES).
    case_event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"), index=True)
    # For professional advice: the request for advice it answers.
    advice_id: Mapped[int | None] = mapped_column(ForeignKey("advice_requests.id"), index=True)
    # Sent with a message (models.messages): seen by whoever sees its thread.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    # An EHC plan issued before the portal, recorded by staff with its PDF.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)
    # A document of an annual review: the team's (shared with the family as they add it) or the family's.
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(32), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    scan_status: Mapped[str] = mapped_column(String(20))
    # Set while the team shares the document with the other adults linked to its child.
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    shared_by: Mapped[User | None] = relationship(foreign_keys=[shared_by_id])
    child: Mapped[Child | None] = relationship()
    link: Mapped[ChildLink | None] = relationship()
    request: Mapped[AssessmentRequest | None] = relationship()

    def deletable_by(self, user: User) -> bool:
        """The owner, while what it belongs to is still open: a draft request, or an access request not
        yet decided. Documents sent straight to the team from a child's page cannot be taken back."""
        if self.owner_id != user.id:
            return False
        if self.request is not None:
            return self.request.is_draft
        return self.link is not None and self.link.state in OPEN_LINK_STATES

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None

    @property
    def shareable(self) -> bool:
        """Only a document on a child's record: evidence for an access request is about the adult asking."""
        return self.child_id is not None

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category) or CASE_CATEGORIES.get(self.category, self.category)
