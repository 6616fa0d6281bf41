"""Accounts made directly in the database, for tests that start after registration."""

from __future__ import annotations

from flask import current_app

from extensions import db
from models import User
from services import password_history, passwords
from services.clock import now

GOOD_PASSWORD = "Teapot river 7 Lantern!"


def make_user(
    email: str = "parent@example.com",
    password: str = GOOD_PASSWORD,
    activated: bool = True,
    role: str = "family",
    first_name: str = "Alex",
) -> User:
    user = User(
        email=email,
        password_hash=passwords.hash_password(password, current_app.config),
        password_changed_at=now(),
        role=role,
        first_name=first_name,
        last_name="Morgan",
        address_line_1="1 High Street",
        town="Taunton",
        postcode="TA1 1HE",
        activated_at=now() if activated else None,
    )
    db.session.add(user)
    db.session.flush()
    password_history.remember(user, user.password_hash)
    db.session.commit()
    return user
