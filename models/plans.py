"""EHC plans and their review cycle: a plan issued through a case in the portal, or recorded by staff for a
plan issued before it; when its next annual review is due, and any move to the next phase of education."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.children import Child, new_public_id
from models.types import UTCDateTime, utcnow
from models.user import User

# The council's decision after an annual review meeting, and how the review ends.
KEEP, AMEND, END = "keep", "amend", "end"
DECISIONS = {
    KEEP: "Keep the plan as it is",
    AMEND: "Amend the plan",
    END: "Stop maintaining the plan",
}
KEPT, AMENDED, ENDED = "kept", "amended", "ended"


class Plan(Model):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    # The case the plan was issued through, when it was issued in the portal.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_requests.id"), unique=True)
    issued_on: Mapped[date] = mapped_column(Date)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    # The day by which the next annual review must be held (services.statutory.review_due, or the phase
    # transfer deadline when that comes first): the Reviews page's order.
    review_due_on: Mapped[date] = mapped_column(Date, index=True)
    # A move to the next phase of education: its year, and whether it is from secondary school to post-16.
    transfer_year: Mapped[int | None] = mapped_column(Integer)
    to_post_16: Mapped[bool] = mapped_column(Boolean, default=False)
    school: Mapped[str | None] = mapped_column(String(200), index=True)  # the school or setting named
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_on: Mapped[date | None] = mapped_column(Date)
    # The review date the team was last reminded of as coming up, and as overdue (flask reviews remind):
    # one reminder of each for each date.
    due_soon_reminded_for: Mapped[date | None] = mapped_column(Date)
    overdue_reminded_for: Mapped[date | None] = mapped_column(Date)

    child: Mapped[Child] = relationship()
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])


class Review(Model):
    """One annual review of a plan: its meeting, who is invited, and (once held) its outcome."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)  # the plan's review date when the meeting was arranged
    meeting_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))  # where, or "online" and how
    invited: Mapped[str] = mapped_column(Text)  # who is invited besides the family
    # The family must be invited at least 2 weeks before the meeting; a later invitation needs a reason.
    late_notice_reason: Mapped[str | None] = mapped_column(Text)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    arranged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Set once the review is over: KEPT or ENDED with the decision, AMENDED with the amended plan.
    outcome: Mapped[str | None] = mapped_column(String(20))
    # When the team first shared reports and advice for the meeting (due 2 weeks before it).
    papers_shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    views_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # After the meeting: the day it was held and when its report was added (due 2 weeks after).
    held_on: Mapped[date | None] = mapped_column(Date)
    report_added_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The council's decision (due 4 weeks after the meeting), its reasons, and for an amendment the
    # proposed changes in brief, the family's last day to comment and the amended plan's due date.
    decision: Mapped[str | None] = mapped_column(String(10))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    amendment_summary: Mapped[str | None] = mapped_column(Text)
    comments_due_on: Mapped[date | None] = mapped_column(Date)
    amended_plan_due_on: Mapped[date | None] = mapped_column(Date)
    finished_on: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[Plan] = relationship()

    @property
    def views_due_on(self) -> date:
        """The family's views are wanted by the day before the meeting, so the team can read them."""
        return self.meeting_on - timedelta(days=1)

    @property
    def decision_label(self) -> str:
        return DECISIONS.get(self.decision or "", "")

    __table_args__ = (
        # One review under way for each plan at a time.
        Index(
            "ix_reviews_one_open_per_plan",
            "plan_id",
            unique=True,
            postgresql_where=text("outcome IS NULL"),
            sqlite_where=text("outcome IS NULL"),
        ),
    )
