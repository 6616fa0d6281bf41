"""EHC plans and their review cycle: a plan issued through a case in the portal, or recorded by staff for a
plan issued before it; when its next annual review is due, and any move to the next phase of education."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.children import Child, new_public_id
from models.types import UTCDateTime, utcnow
from models.user import User


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
    outcome: Mapped[str | None] = mapped_column(String(20))  # set once the review is decided

    plan: Mapped[Plan] = relationship()

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
