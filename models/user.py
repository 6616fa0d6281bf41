"""A person who signs in: a family member or a member of staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow

ROLE_FAMILY = "family"
ROLE_STAFF = "staff"
ROLE_ADMIN = "admin"
STAFF_ROLES = (ROLE_STAFF, ROLE_ADMIN)


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    role: Mapped[str] = mapped_column(String(20), default=ROLE_FAMILY)

    title: Mapped[str | None] = mapped_column(String(35))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    address_line_1: Mapped[str | None] = mapped_column(String(200))
    address_line_2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two-step verification: codes by email (the guide's method) and, optionally, an authenticator app.
    two_step_email_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last authenticator time step accepted, so a code cannot be used twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    totp_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    totp_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when too many wrong codes were entered over the rolling window: no code is accepted
    # or sent until a password reset clears it.
    two_step_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Raised to end every session of the account (sign out, password change).
    session_version: Mapped[int] = mapped_column(Integer, default=1)

    # Messages from the team this account has not read yet (services.messages keeps it): shown in the
    # navigation without a query of its own, as the account is loaded for every page anyway.
    unread_messages: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # For a young person's account: whether the adults linked to them see their conversations with the
    # team (16 and over, they choose; not unless they say so).
    parents_see_messages: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How a family member is emailed about updates on their cases: "each" time, or one "daily" email
    # (models.notifications). Staff: whether a family's message on a case they are the officer of is emailed.
    email_updates: Mapped[str] = mapped_column(String(10), default="each", server_default="each")
    email_on_family_messages: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    @property
    def is_activated(self) -> bool:
        return self.activated_at is not None

    @property
    def has_two_step(self) -> bool:
        return self.two_step_email_at is not None or self.has_authenticator

    @property
    def has_authenticator(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)

    # Flask-Login interface
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.is_activated

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"
