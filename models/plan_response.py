"""What a family writes in reply to the council: their response to a draft EHC plan (their views section
by section, the school or setting they want named, whether they want a meeting), and for an annual review
their views before the meeting and their comments on proposed amendments. Saved as they type, as
Appendix A is, and sent once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow


class SectionedAnswers:
    """Answers saved section by section by services.sectioned_forms, and sent once."""

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The same shape as a request's Appendix A answers (services.appendix_a's sections), so the same
    # engine saves, checks and shows them.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    section_status: Mapped[dict] = mapped_column(JSON, default=dict)
    last_section: Mapped[str | None] = mapped_column(String(30))
    saved_by_tab: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set once, when the family sends it (services.plan_response.send): then it is the team's to read.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class PlanResponse(SectionedAnswers, Model):
    __tablename__ = "plan_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One response to a case's draft plan, written by the family who made the request.
    request_id: Mapped[int] = mapped_column(ForeignKey("assessment_requests.id"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


# What a family sends for an annual review: their views before the meeting, and their comments on
# proposed amendments to the plan.
VIEWS, COMMENTS = "views", "comments"


class ReviewResponse(SectionedAnswers, Model):
    """Written by any adult linked to the child (they share one form), sent once."""

    __tablename__ = "review_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("review_id", "kind"),)
