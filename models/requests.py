"""Requests for an EHC needs assessment: the Appendix A form, saved section by section."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.cases import CaseStep
from models.children import Child, ChildLink, new_public_id
from models.types import UTCDateTime, utcnow
from models.user import User

DRAFT, SUBMITTED = "draft", "submitted"


class AssessmentRequest(Model):
    __tablename__ = "assessment_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    # For a child not yet known to the council: the access request made when this is submitted.
    link_id: Mapped[int | None] = mapped_column(ForeignKey("child_links.id"))
    state: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    # The edition of the form (services.appendix_a.EDITIONS) the request was started on: its answers are
    # always read with that edition's questions, so a later edition never hides them.
    form_edition: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    section_status: Mapped[dict] = mapped_column(JSON, default=dict)
    # Raised by every save, so a save from a stale tab is noticed instead of overwriting newer answers.
    version: Mapped[int] = mapped_column(Integer, default=1)
    last_section: Mapped[str | None] = mapped_column(String(30))
    # The page (browser tab) that made the last save: its own autosave is never a conflict.
    saved_by_tab: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_on: Mapped[date | None] = mapped_column(Date)
    decision_due_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    # Once submitted, the request is a case (models.cases): its step, officer and when the step last
    # changed, set only by services.cases in one conditional UPDATE.
    step: Mapped[str | None] = mapped_column(String(30), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    step_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The date the council's next step at this step is due by (the statutory clock): the caseload's order.
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    # The last day the family is asked to act by: to answer the team, or to comment on the draft plan.
    family_due_on: Mapped[date | None] = mapped_column(Date)
    # The family_due_on the family was last reminded of (services.reminders): once per date.
    family_reminded_for: Mapped[date | None] = mapped_column(Date)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    child: Mapped[Child | None] = relationship()
    link: Mapped[ChildLink | None] = relationship()

    # Two saves that started from the same version cannot both succeed (StaleDataError for the second).
    __mapper_args__ = {"version_id_col": version}

    @property
    def is_draft(self) -> bool:
        return self.state == DRAFT

    @property
    def case_step(self) -> CaseStep | None:
        return CaseStep(self.step) if self.step else None

    @property
    def child_name(self) -> str:
        about = (self.answers or {}).get("child", {})
        name = " ".join(part for part in (about.get("first_name"), about.get("last_name")) if part)
        if name:
            return name
        return self.child.full_name if self.child else "a child not yet named"
