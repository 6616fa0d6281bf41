"""A notice is flash(message, category): it waits in the session's flashed messages, never under a key of
its own, and shows on the next page that shows its category, once."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from extensions import db as database
from services.clock import now
from tests.appendix_answers import ANSWERS
from tests.factories import make_user
from tests.pages import autosave, csrf_token, get_page, post
from tests.test_activation import activation_path
from tests.test_appendix_a import start, version_of
from tests.test_register import DETAILS, register
from tests.test_sign_in import sign_in

# The one-shot flags sign in used before notices were flashed.
OLD_FLAGS = {"resent", "activated", "password_reset_done", "email_changed", "timed_out"}
SUCCESS_BANNER = ".govuk-notification-banner--success[role=alert]"
CODE_STATUS = "#code-form .govuk-inset-text[role=status]"


def assert_waiting_as_a_flash(client, message: str) -> None:
    with client.session_transaction() as session:
        own_keys = sorted(key for key in session if key.endswith("notice") or key in OLD_FLAGS)
        flashed = [text for _, text in session.get("_flashes", [])]
    assert own_keys == []
    assert any(message in text for text in flashed), flashed


def assert_shown_once(client, url: str, message: str, selector: str) -> None:
    shown = [element.get_text() for element in get_page(client, url).select(selector)]
    assert sum(message in text for text in shown) == 1, shown
    again = [element.get_text() for element in get_page(client, url).select(selector)]
    assert not any(message in text for text in again), again


def test_a_changed_detail_is_a_success_banner_on_your_account_once(client):
    make_user()
    sign_in(client)
    assert post(client, "/account/details", DETAILS).location == "/account"
    assert_waiting_as_a_flash(client, "Your details have been updated")
    assert_shown_once(
        client,
        "/account",
        "Your details have been updated",
        SUCCESS_BANNER,
    )


def test_a_new_activation_link_and_the_activation_itself_are_flashed(client, mailbox):
    register(client)
    assert post(client, "/register/check-email").location == "/register/check-email"
    assert_waiting_as_a_flash(client, "we have sent a new link to sam@example.com")
    assert_shown_once(
        client,
        "/register/check-email",
        "we have sent a new link to sam@example.com",
        SUCCESS_BANNER,
    )
    assert post(client, activation_path(mailbox, count=2)).location == "/sign-in"
    assert_waiting_as_a_flash(client, "Your account has been activated")
    assert_shown_once(
        client,
        "/sign-in",
        "Your account has been activated",
        SUCCESS_BANNER,
    )


def test_a_new_security_code_is_a_status_above_the_code_form_once(client, db):
    make_user().two_step_email_at = now()
    database.session.commit()
    sign_in(client)
    client.get("/two-step/code")
    assert post(client, "/two-step/code/new").location == "/two-step/code"
    assert_waiting_as_a_flash(client, "We have sent a new code")
    assert_shown_once(client, "/two-step/code", "We have sent a new code", CODE_STATUS)


def test_the_timed_out_note_on_sign_in_is_flashed(client):
    make_user()
    sign_in(client)
    with time_machine.travel(now() + timedelta(minutes=31)):
        assert client.get("/account").location.startswith("/sign-in")
        assert_waiting_as_a_flash(client, "You were signed out because")
        assert_shown_once(client, "/sign-in", "You were signed out because", ".govuk-inset-text")


def test_a_removed_row_is_announced_in_its_group_once(client, db, child):
    request = start(client, db, child.public_id)
    url = f"/send/requests/{request.public_id}/sections/household"
    fields = {**ANSWERS["household"], "people-count": "2", "people-1-name": "Sam"}
    removed = post(client, url, {**fields, "action": "remove:people:0", "version": version_of(db, request)})
    assert removed.status_code == 302
    assert_waiting_as_a_flash(client, "Person 1 removed")
    assert_shown_once(client, url, "Person 1 removed", "#people-status[role=status]")


def test_the_timed_out_note_outlives_a_save_answered_in_the_page(client, db, child):
    """A save as you type after the limit gets its status in the page; the note waits for sign in."""
    request = start(client, db, child.public_id)
    url = f"/send/requests/{request.public_id}/sections/parent_views"
    token, version = csrf_token(client), version_of(db, request)
    with time_machine.travel(now() + timedelta(minutes=31)):
        saved = autosave(client, url, {"history": "Typed first", "csrf_token": token, "version": version})
        assert saved.headers["HX-Trigger"] == "sessionEnded"
        assert "You were signed out because" not in saved.get_data(as_text=True)
        assert_waiting_as_a_flash(client, "You were signed out because")
        assert_shown_once(client, "/sign-in", "You were signed out because", ".govuk-inset-text")
