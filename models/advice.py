"""Advice for an EHC needs assessment: each professional the council asks (SEND Regulations 2014, reg. 6),
when it is due back (reg. 8: 6 weeks), whether it has come, and whether the family may see it yet."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.children import new_public_id
from models.documents import Document
from models.types import UTCDateTime, utcnow
from models.user import User


class AdviceKind(StrEnum):
    EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    SETTING = "setting"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ADVICE_KIND_LABELS[self]


ADVICE_KIND_LABELS = {
    AdviceKind.EDUCATIONAL_PSYCHOLOGIST: "Educational psychologist",
    AdviceKind.HEALTH: "Health",
    AdviceKind.SOCIAL_CARE: "Social care",
    AdviceKind.SETTING: "The school or setting",
    AdviceKind.OTHER: "Other",
}


class AdviceRequest(Model):
    """One professional asked for advice on one case. Changed only by services.advice, each change one
    conditional UPDATE (received once, shared once)."""

    __tablename__ = "advice_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    request_id: Mapped[int] = mapped_column(ForeignKey("assessment_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    # The service or person asked: "Somerset Educational Psychology Service", "Dr Patel, paediatrics"
    provider: Mapped[str] = mapped_column(String(200))
    asked_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    chased_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # The advice itself, a document the team uploaded (its advice_id); the family sees it once shared.
    document: Mapped[Document | None] = relationship(uselist=False, viewonly=True)
    asked_by: Mapped[User] = relationship()

    @property
    def advice_kind(self) -> AdviceKind:
        return AdviceKind(self.kind)

    @property
    def who(self) -> str:
        return f"{self.advice_kind.label}: {self.provider}"
