"""Children and young people, and the links (first asked for, then checked) between them and accounts."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.types import UTCDateTime, utcnow
from models.user import User

LINK_REQUESTED = "requested"
LINK_MORE_INFO = "more_info"
LINK_APPROVED = "approved"
LINK_REJECTED = "rejected"
LINK_REVOKED = "revoked"
OPEN_LINK_STATES = (LINK_REQUESTED, LINK_MORE_INFO)

YOUNG_PERSON = "young_person"  # the relationship of a young person's own link to their record

RELATIONSHIPS = {
    "parent": "Parent",
    "carer": "Carer, such as a foster or kinship carer",
    "other_pr": "Someone else with parental responsibility",
    YOUNG_PERSON: "I am the young person",
}


def new_public_id() -> str:
    """The identifier used in web addresses: random, so one family cannot guess another's."""
    return secrets.token_urlsafe(12)


class Child(Model):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date, index=True)
    postcode: Mapped[str] = mapped_column(String(10), index=True)
    school: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ChildLink(Model):
    """A family's request to see a child's record, and once approved, the link itself."""

    __tablename__ = "child_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=LINK_REQUESTED, index=True)
    relationship_to_child: Mapped[str] = mapped_column(String(20))
    has_parental_responsibility: Mapped[bool | None] = mapped_column(Boolean)

    # What the family typed, kept as typed
    child_first_name: Mapped[str] = mapped_column(String(100))
    child_last_name: Mapped[str] = mapped_column(String(100))
    child_date_of_birth: Mapped[date] = mapped_column(Date)
    child_postcode: Mapped[str] = mapped_column(String(10))
    child_school: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)

    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    question: Mapped[str | None] = mapped_column(Text)  # the team asking for more information
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)  # why it was rejected or revoked, for the family

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    child: Mapped[Child | None] = relationship()

    @property
    def relationship_label(self) -> str:
        return RELATIONSHIPS.get(self.relationship_to_child, self.relationship_to_child)

    @property
    def typed_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}"
