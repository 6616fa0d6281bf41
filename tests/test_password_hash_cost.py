"""The argon2id cost of stored passwords: OWASP's recommendation by default, and a hash made at an
earlier cost brought up to it at the next sign-in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from config import Defaults
from models import PasswordHistory, User
from services import passwords
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import error_messages, post, post_page
from tests.test_sign_in import sign_in

OWASP_COST = "m=19456,t=2,p=1"
EARLIER_HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


@pytest.fixture
def app_settings() -> dict:
    """The default hashing cost, not the tests' fast one."""
    names = ("PASSWORD_HASH_TIME_COST", "PASSWORD_HASH_MEMORY_KIB", "PASSWORD_HASH_PARALLELISM")
    return {name: getattr(Defaults, name) for name in names}


def cost_of(stored_hash: str) -> str:
    """'$argon2id$v=19$m=19456,t=2,p=1$salt$hash' -> 'm=19456,t=2,p=1'"""
    return stored_hash.split("$")[3]


def stored_hashes(db, user_id: int) -> tuple[str, list[str]]:
    db.session.expire_all()
    history = db.session.scalars(
        select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user_id)
    )
    return db.session.get(User, user_id).password_hash, list(history)


def test_new_passwords_are_hashed_at_owasps_cost(db):
    user = make_user()
    assert stored_hashes(db, user.id) == (user.password_hash, [user.password_hash])
    assert cost_of(user.password_hash) == OWASP_COST


def test_a_hash_made_at_the_earlier_cost_is_upgraded_at_sign_in(client, db):
    user = make_user()
    earlier = EARLIER_HASHER.hash(GOOD_PASSWORD)
    user.password_hash = earlier
    db.session.execute(update(PasswordHistory).values(password_hash=earlier))
    db.session.commit()
    assert cost_of(earlier) == "m=65536,t=3,p=4"

    assert sign_in(client).location == "/account"
    current, history = stored_hashes(db, user.id)
    assert cost_of(current) == OWASP_COST
    assert history == [current]  # the history holds the same password once, at the new cost too
    post(client, "/sign-out")
    assert sign_in(client).location == "/account"
    assert stored_hashes(db, user.id) == (current, [current])


def test_a_wrong_password_leaves_an_earlier_hash_alone(client, db):
    user = make_user()
    earlier = EARLIER_HASHER.hash(GOOD_PASSWORD)
    user.password_hash = earlier
    db.session.commit()
    soup = post_page(
        client, "/sign-in", {"email": "parent@example.com", "password": "Wrong river 7 Lantern!"}
    )
    assert error_messages(soup) == ["Enter a correct email address and password"]
    assert stored_hashes(db, user.id)[0] == earlier


def test_unknown_addresses_are_checked_against_a_dummy_hash_at_the_same_cost(app):
    assert cost_of(passwords.dummy_hash(app.config)) == OWASP_COST
