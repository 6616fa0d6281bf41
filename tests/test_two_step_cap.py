"""The per-account cap on wrong second-step codes: 20 in 24 hours, emailed and app codes alike,
then no code works until a password reset."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from extensions import db as database
from models import CODE_SIGN_IN, OutboxMessage, SecurityCode, SecurityEvent, User
from services import two_step
from services.clock import now
from tests.concurrency import run_together
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import check_page, csrf_token, error_messages, get_page, post, post_page
from tests.test_password_reset import NEW_PASSWORD, ask_for_reset, open_link_and_choose, reset_path
from tests.test_sign_in import sign_in
from tests.two_step_helpers import code_from, enter

LOCKED_HEADING = "Reset your password to unlock your account"
LOCK_SUBJECT = "Your Citizen Portal account needs a new password"
WRONG = ["The code is not correct"]


@pytest.fixture
def family(db, client):
    user = make_user()
    user.two_step_email_at = now()
    db.session.commit()
    sign_in(client)
    return user


def wrong_for(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def heading(soup) -> str:
    return soup.h1.get_text(strip=True)


def wrong_codes(client, mailbox, count: int, emails_before: int) -> tuple[str, BeautifulSoup]:
    """Ask for a fresh code and enter `count` wrong ones; returns the right code and the last page."""
    post(client, "/two-step/code/new")
    code = code_from(mailbox, count=emails_before + 1)
    for _ in range(count):
        soup = post_page(client, "/two-step/code", {"code": wrong_for(code)})
    return code, soup


def test_twenty_wrong_codes_lock_the_second_step_until_a_password_reset(client, db, family, mailbox):
    for sent in range(3):
        code, soup = wrong_codes(client, mailbox, 5, sent)
        assert error_messages(soup) == WRONG
    code, soup = wrong_codes(client, mailbox, 4, 3)
    assert error_messages(soup) == WRONG  # 19 wrong codes so far

    soup = post_page(client, "/two-step/code", {"code": wrong_for(code)})
    assert heading(soup) == LOCKED_HEADING
    assert soup.title.get_text().startswith(LOCKED_HEADING)
    assert "stopped accepting codes" in soup.main.get_text()
    reset_link = soup.main.find("a", string="Reset your password")
    assert soup.find(id="code") is None

    # The right code of a live code is refused, and the SEND section stays closed.
    soup = post_page(client, "/two-step/code?next=/send", {"code": code})
    assert heading(soup) == LOCKED_HEADING
    assert client.get("/send").location.startswith("/two-step")
    assert heading(get_page(client, "/two-step/code")) == LOCKED_HEADING
    assert client.get("/two-step").location == "/two-step/code"

    # The holder is emailed, without child or personal details, and no new code is sent.
    [lock_email] = [m for m in mailbox.wait_for("parent@example.com", 5) if m["Subject"] == LOCK_SUBJECT]
    text = mailbox.text(lock_email)
    assert "A wrong security code was entered 20 times within 24 hours" in text
    assert "http://localhost/password/forgotten" in text
    for detail in ("Morgan", "High Street", "TA1 1HE", code):
        assert detail not in text and detail not in mailbox.html(lock_email)
    post(client, "/two-step/code/new")
    get_page(client, "/two-step/code")
    assert len(mailbox.to("parent@example.com")) == 5  # four codes and the lock email

    # Your account lists the lock.
    rows = [row.get_text(" ", strip=True) for row in get_page(client, "/account").select("table tbody tr")]
    assert any("Security codes stopped after too many wrong codes" in row for row in rows)

    # The page's link leads, signed out, to the forgotten-password form; a reset clears the lock.
    assert client.get(reset_link["href"]).location == "/password/forgotten"
    assert client.get("/account").location.startswith("/sign-in")
    ask_for_reset(client)
    assert open_link_and_choose(client, reset_path(mailbox, count=6)).location == "/sign-in"
    sign_in(client, password=NEW_PASSWORD)
    assert client.get("/two-step/code?next=/send").status_code == 200
    new_code = code_from(mailbox, count=8)  # after the reset link and the password-changed email
    assert enter(client, new_code).location == "/send"
    assert db.session.get(User, family.id).two_step_locked_at is None


class TestWithASmallCap:
    @pytest.fixture
    def app_settings(self):
        return {"TWO_STEP_ACCOUNT_MAX_FAILURES": 3}

    def test_a_password_reset_starts_the_count_afresh(self, client, db, family, mailbox):
        code, soup = wrong_codes(client, mailbox, 3, 0)
        assert heading(soup) == LOCKED_HEADING
        post(client, "/sign-out")
        ask_for_reset(client)
        open_link_and_choose(client, reset_path(mailbox, count=3))  # a code, the lock, the link
        sign_in(client, password=NEW_PASSWORD)
        code, soup = wrong_codes(client, mailbox, 2, 4)  # and the password-changed email
        assert error_messages(soup) == WRONG
        soup = post_page(client, "/two-step/code", {"code": wrong_for(code)})
        assert heading(soup) == LOCKED_HEADING

    def test_changing_the_password_does_not_unlock(self, client, db, family, mailbox):
        wrong_codes(client, mailbox, 3, 0)
        new = "Quartz harbour 58 Violin?"
        changed = post(
            client,
            "/account/password",
            {"current_password": GOOD_PASSWORD, "password": new, "confirm_password": new},
        )
        assert changed.location == "/account"
        assert heading(get_page(client, "/two-step/code")) == LOCKED_HEADING

    def test_wrong_app_codes_and_wrong_email_codes_count_alike(self, client, db, family, mailbox):
        secret = pyotp.random_base32()
        user = db.session.get(User, family.id)
        user.totp_secret, user.totp_confirmed_at = secret, now()
        db.session.commit()
        right = pyotp.TOTP(secret).now()
        for _ in range(2):
            soup = post_page(client, "/two-step/code", {"code": wrong_for(right)})
            assert heading(soup) == "Enter the code from your authenticator app"
            assert error_messages(soup) == WRONG
        post(client, "/two-step/email-instead")
        client.get("/two-step/code")
        code = code_from(mailbox)
        assert heading(post_page(client, "/two-step/code", {"code": wrong_for(code)})) == LOCKED_HEADING
        post(client, "/sign-out")
        sign_in(client)
        assert heading(get_page(client, "/two-step/code")) == LOCKED_HEADING
        soup = post_page(client, "/two-step/code", {"code": pyotp.TOTP(secret).now()})
        assert heading(soup) == LOCKED_HEADING

    def test_the_window_rolls(self, app, db, family):
        user = db.session.get(User, family.id)
        start = now()
        for hours in (0, 3, 25):
            with time_machine.travel(start + timedelta(hours=hours)):
                code_id = stored_code(user, "123456")
                assert two_step.check_code(user, code_id, "000000").error == two_step.CODE_WRONG
        with time_machine.travel(start + timedelta(hours=26)):
            code_id = stored_code(user, "123456")
            assert two_step.check_code(user, code_id, "000000").locked
            assert two_step.check_code(user, stored_code(user, "123456"), "123456").locked

    def test_the_lock_lasts_until_a_reset_not_for_the_window(self, client, db, family, mailbox):
        code, soup = wrong_codes(client, mailbox, 3, 0)
        assert heading(soup) == LOCKED_HEADING
        with time_machine.travel(now() + timedelta(days=3)):
            sign_in(client)
            assert heading(get_page(client, "/two-step/code")) == LOCKED_HEADING
            user = db.session.get(User, family.id)
            assert two_step.check_code(user, stored_code(user, "123456"), "123456").locked
            assert two_step.send_code(user, CODE_SIGN_IN).locked
        assert len(mailbox.to("parent@example.com")) == 2  # the code and the lock email

    def test_a_right_code_does_not_count(self, app, db, family):
        user = db.session.get(User, family.id)
        for _ in range(2):
            assert (
                two_step.check_code(user, stored_code(user, "123456"), "000000").error == two_step.CODE_WRONG
            )
        assert two_step.check_code(user, stored_code(user, "123456"), "123456").ok
        assert two_step.check_code(user, stored_code(user, "123456"), "000000").locked


def stored_code(user: User, code: str) -> int:
    """A code as send_code stores it, without the per-account sending limit."""
    moment = now()
    row = SecurityCode(
        user_id=user.id,
        purpose=CODE_SIGN_IN,
        code_hash="",
        created_at=moment,
        expires_at=moment + timedelta(hours=1),
    )
    database.session.add(row)
    database.session.flush()
    row.code_hash = two_step.code_digest(row.id, user.id, code)
    database.session.commit()
    return row.id


def test_concurrent_wrong_codes_never_get_past_the_cap(app, db, family):
    """Twenty wrong codes are checked, however many arrive at once: each takes its slot in the
    database before it is checked. Fourteen guesses race for the last ten slots."""
    user = db.session.get(User, family.id)
    for _ in range(2):
        code_id = stored_code(user, "123456")
        for _ in range(5):
            assert two_step.check_code(user, code_id, "000000").error == two_step.CODE_WRONG
    racing_codes = [stored_code(user, "123456") for _ in range(14)]

    def guess(ready, code_id: int) -> str | None:
        with app.app_context():
            racer = database.session.get(User, family.id)
            ready()
            error = two_step.check_code(racer, code_id, "000000").error
            database.session.remove()
            return error

    errors = run_together(guess, [(code_id,) for code_id in racing_codes])

    database.session.expire_all()
    checked = database.session.scalar(select(func.sum(SecurityCode.failed_attempts)))
    assert checked == 20
    assert errors.count(two_step.CODE_WRONG) == 9
    assert database.session.get(User, family.id).two_step_locked_at is not None
    assert database.session.scalar(select(func.count()).where(OutboxMessage.subject == LOCK_SUBJECT)) == 1
    locks = database.session.scalar(select(func.count()).where(SecurityEvent.kind == "two_step_locked"))
    assert locks == 1


def test_concurrent_wrong_codes_from_many_browsers_never_get_past_the_cap(app, db, family):
    """The same race through the pages: fourteen signed-in browsers, each with a code of its own,
    send a wrong code at once when ten places are left."""
    user = db.session.get(User, family.id)
    for _ in range(2):
        code_id = stored_code(user, "123456")
        for _ in range(5):
            two_step.check_code(user, code_id, "000000")
    browsers = []
    for _ in range(14):
        browser = app.test_client()
        sign_in(browser)
        code_id = stored_code(user, "123456")
        with browser.session_transaction() as session:
            session["two_step_code_id"], session["two_step_method"] = code_id, "email"
        browsers.append((browser, csrf_token(browser)))

    def guess(ready, browser, token: str) -> str:
        ready()
        response = browser.post("/two-step/code", data={"csrf_token": token, "code": "000000"})
        soup = check_page(response.get_data(as_text=True))
        return LOCKED_HEADING if heading(soup) == LOCKED_HEADING else error_messages(soup)[0]

    outcomes = run_together(guess, browsers)

    database.session.expire_all()
    assert database.session.scalar(select(func.sum(SecurityCode.failed_attempts))) == 20
    # Ten were checked: nine wrong, and the one that locked; the other four found no place left.
    assert outcomes.count("The code is not correct") == 9
    assert outcomes.count(LOCKED_HEADING) >= 1
    assert len(outcomes) - outcomes.count("The code is not correct") - outcomes.count(LOCKED_HEADING) == (
        outcomes.count(two_step.CODE_BUSY)
    )
    assert heading(get_page(browsers[0][0], "/two-step/code")) == LOCKED_HEADING


class TestStaff:
    @pytest.fixture
    def app_settings(self):
        return {"TWO_STEP_ACCOUNT_MAX_FAILURES": 2}

    def test_staff_reach_the_reset_from_the_locked_page(self, client, db, mailbox):
        staff = make_user("officer@somerset.gov.uk", role="staff")
        staff.two_step_email_at = now()
        db.session.commit()
        sign_in(client, email="officer@somerset.gov.uk")
        assert client.get("/staff").location == "/two-step?next=/staff"
        client.get("/two-step/code?next=/staff")
        code = code_from(mailbox, "officer@somerset.gov.uk")
        for _ in range(2):
            soup = post_page(client, "/two-step/code?next=/staff", {"code": wrong_for(code)})
        assert heading(soup) == LOCKED_HEADING
        link = soup.main.find("a", string="Reset your password")["href"]
        assert client.get(link).location == "/password/forgotten"
        assert heading(get_page(client, "/password/forgotten")) == "Reset your password"
