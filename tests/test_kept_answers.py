"""The idle limit as families meet it: the warning's routes, the limit stated on form pages, and answers
posted after a session ended kept for that account only, once, for two hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from models import ChildLink, KeptAnswers
from services import kept_answers
from services.clock import now
from tests.concurrency import run_together
from tests.pages import autosave, csrf_token, get_page, post
from tests.people import make_family, make_link
from tests.test_access_requests import REQUEST
from tests.test_appendix_a import start, version_of
from tests.test_sign_in import sign_in
from tests.two_step_helpers import code_from, enter

TYPED = {"history": "Loud places upset Jamie", "hopes": "Happy and learning"}


# --- The service ---------------------------------------------------------------------------------


def test_kept_answers_go_only_to_the_account_they_were_kept_for(db):
    owner = make_family("owner@example.com")
    other = make_family("other@example.com")
    kept_answers.keep(owner.id, "/send", [("history", "Mine")])
    assert kept_answers.waiting_page(other.id) is None
    assert kept_answers.take(other.id, "/send") is None
    assert kept_answers.take(owner.id, "/send") == [("history", "Mine")]


def test_passwords_codes_and_tokens_are_never_kept(db):
    owner = make_family("owner@example.com")
    posted = [
        ("csrf_token", "t"),
        ("password", "Secret123!"),
        ("confirm_password", "Secret123!"),
        ("code", "123456"),
        ("security_code", "123456"),
        ("postcode", "TA1 1HE"),
        ("history", "Kept"),
    ]
    kept_answers.keep(owner.id, "/send", posted)
    assert kept_answers.take(owner.id, "/send") == [("postcode", "TA1 1HE"), ("history", "Kept")]
    assert kept_answers.keep(owner.id, "/send", [("password", "x"), ("csrf_token", "t")]) is False


def test_kept_answers_are_given_once(db):
    owner = make_family("owner@example.com")
    kept_answers.keep(owner.id, "/send", [("history", "Once")])
    assert kept_answers.take(owner.id, "/send") == [("history", "Once")]
    assert kept_answers.take(owner.id, "/send") is None
    assert db.session.scalar(select(func.count()).select_from(KeptAnswers)) == 0


def test_two_tabs_signing_in_at_once_get_the_kept_answers_once(app, db, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time; the race is tested on PostgreSQL")
    owner = make_family("owner@example.com")
    owner_id = owner.id
    kept_answers.keep(owner_id, "/send", [("history", "Once")])

    def take(ready) -> list[tuple[str, str]] | None:
        with app.app_context():
            ready()
            taken = kept_answers.take(owner_id, "/send")
            db.session.remove()
            return taken

    results = run_together(take, [()] * 8)
    assert sorted(results, key=bool) == [None] * 7 + [[("history", "Once")]]


def test_kept_answers_last_two_hours_then_go(db):
    owner = make_family("owner@example.com")
    kept_answers.keep(owner.id, "/send", [("history", "Old")])
    with time_machine.travel(now() + timedelta(hours=2, minutes=1)):
        assert kept_answers.waiting_page(owner.id) is None
        assert kept_answers.take(owner.id, "/send") is None
        kept_answers.keep(owner.id, "/account", [("history", "New")])  # purges the expired row
        assert db.session.scalar(select(func.count()).select_from(KeptAnswers)) == 1


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(1, "1 minute"), (2, "2 minutes"), (30, "30 minutes"), (0.5, "30 seconds"), (1 / 60, "1 second")],
)
def test_the_limit_is_said_in_plain_english(minutes, text):
    assert kept_answers.minutes_text(minutes) == text


# --- Through the portal ----------------------------------------------------------------------------


def section_url(request) -> str:
    return f"/send/requests/{request.public_id}/sections/parent_views"


def sign_back_in(client, mailbox, next_url: str) -> str:
    """Sign in and pass the second step; returns where the portal sends the family."""
    assert sign_in(client, url=f"/sign-in?next={next_url}").location == next_url
    assert client.get(next_url).location.startswith("/two-step")
    client.get(f"/two-step/code?next={next_url}")
    return enter(client, code_from(mailbox), next_url=next_url).location


def test_save_after_the_idle_limit_keeps_both_answers_through_sign_in(client, db, family, child, mailbox):
    request = start(client, db, child.public_id)
    url = section_url(request)
    token, version = csrf_token(client), version_of(db, request)
    with time_machine.travel(now() + timedelta(minutes=31)):
        response = client.post(
            url, data={**TYPED, "csrf_token": token, "version": version, "action": "continue"}
        )
        assert response.location == f"/sign-in?next={url}"
        assert "had not used the portal for 30 minutes" in get_page(client, response.location).get_text()
        assert sign_back_in(client, mailbox, url) == url
        soup = get_page(client, url)
    assert soup.select_one("#history").get_text() == TYPED["history"]
    assert soup.select_one("#hopes").get_text() == TYPED["hopes"]
    assert "We kept what you typed before you were signed out" in soup.get_text()
    assert kept_answers.take(family.id, url) is None  # given once


def test_autosave_after_the_limit_says_so_and_the_next_save_keeps_the_answers(client, db, child, mailbox):
    request = start(client, db, child.public_id)
    url = section_url(request)
    token, version = csrf_token(client), version_of(db, request)
    with time_machine.travel(now() + timedelta(minutes=31)):
        saved = autosave(client, url, {"history": "Typed first", "csrf_token": token, "version": version})
        assert saved.status_code == 200
        assert saved.headers["HX-Trigger"] == "sessionEnded"
        text = BeautifulSoup(saved.get_data(as_text=True), "html.parser").get_text()
        assert text.startswith(
            "You have been signed out. What you typed has been kept: sign in again to save it."
        )
        # The session (and its form token) has gone: Save and continue still keeps the answers.
        submit = client.post(
            url, data={**TYPED, "csrf_token": token, "version": version, "action": "continue"}
        )
        assert submit.status_code == 302 and submit.location.startswith("/sign-in?next=")
        assert sign_back_in(client, mailbox, url) == url
        soup = get_page(client, url)
    assert soup.select_one("#history").get_text() == TYPED["history"]
    assert soup.select_one("#hopes").get_text() == TYPED["hopes"]


def test_another_account_signing_in_on_that_browser_gets_nothing(client, db, family, child, mailbox):
    request = start(client, db, child.public_id)
    url = section_url(request)
    token, version = csrf_token(client), version_of(db, request)
    make_family("other@example.com")
    with time_machine.travel(now() + timedelta(minutes=31)):
        client.post(url, data={**TYPED, "csrf_token": token, "version": version, "action": "continue"})
        assert sign_in(client, email="other@example.com", url=f"/sign-in?next={url}").location == url
        client.get("/two-step/code?next=/send")
        landing = enter(client, code_from(mailbox, "other@example.com"), next_url="/send").location
        assert landing == "/send"
        assert client.get(url).status_code == 404
    assert kept_answers.waiting_page(family.id) == url  # still waiting for its own account


def test_an_expired_form_while_signed_in_comes_back_with_what_was_typed(client, db, child):
    request = start(client, db, child.public_id)
    url = section_url(request)
    data = {**TYPED, "csrf_token": "expired", "version": version_of(db, request), "action": "continue"}
    response = client.post(url, data=data)
    assert response.status_code == 302 and response.location == url
    soup = get_page(client, url)
    summary = soup.select_one(".govuk-error-summary").get_text()
    assert "This page had expired, so what you sent was not saved" in summary
    assert soup.select_one("#history").get_text() == TYPED["history"]
    assert soup.select_one("#hopes").get_text() == TYPED["hopes"]


def test_asking_how_long_is_left_does_not_renew_the_session(client, family):
    start_time = now()
    with time_machine.travel(start_time + timedelta(minutes=20)):
        state = client.get("/session").get_json()
        assert state["signed_in"] is True and 590 <= state["seconds_left"] <= 600
    with time_machine.travel(start_time + timedelta(minutes=31)):
        assert client.get("/account").location.startswith("/sign-in")
        assert client.get("/session").get_json() == {"signed_in": False, "seconds_left": 0}


def test_stay_signed_in_renews_the_session_as_a_plain_form(client, family):
    start_time = now()
    with time_machine.travel(start_time + timedelta(minutes=20)):
        response = post(client, "/session/extend", {"next": "/account/details"})
        assert response.location == "/account/details"
    with time_machine.travel(start_time + timedelta(minutes=45)):
        assert client.get("/account").status_code == 200


def test_stay_signed_in_answers_json_for_the_warning(client, family):
    token = csrf_token(client)
    response = client.post(
        "/session/extend", headers={"Accept": "application/json", "X-CSRFToken": token}, data={}
    )
    assert response.get_json()["signed_in"] is True


def test_signed_in_pages_carry_the_warning_and_signed_out_pages_do_not(client, child, db):
    request = start(client, db, child.public_id)
    soup = get_page(client, section_url(request))
    dialog = soup.select_one("dialog#timeout-warning")
    assert dialog["aria-modal"] == "true" and dialog["role"] == "alertdialog"
    assert dialog["aria-labelledby"] == "timeout-warning-heading"
    assert dialog["aria-describedby"] == "timeout-warning-text"
    assert dialog["data-warning-seconds"] == "120"
    assert dialog["data-idle-seconds"] == "1800"
    assert 1790 <= int(dialog["data-seconds-left"]) <= 1800
    assert "You will be signed out if you do nothing for 30 minutes." in soup.get_text()
    post(client, "/sign-out")
    assert get_page(client, "/sign-in").select_one("dialog") is None


@pytest.mark.parametrize("app_settings", [{"SESSION_IDLE_MINUTES": 1}])
def test_one_minute_is_said_as_one_minute(client, child, db):
    request = start(client, db, child.public_id)
    soup = get_page(client, section_url(request))
    assert "You will be signed out if you do nothing for 1 minute." in soup.get_text()
    assert soup.select_one("dialog#timeout-warning")["data-warning-seconds"] == "30"


def test_a_post_from_another_site_is_refused_and_nothing_is_kept(client, db, family, child):
    request = start(client, db, child.public_id)
    url = section_url(request)
    data = {**TYPED, "csrf_token": "forged", "version": version_of(db, request), "action": "continue"}
    response = client.post(
        url, data=data, headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 400
    assert "Your page has expired" in response.get_data(as_text=True)
    assert kept_answers.waiting_page(family.id) is None


def test_an_autosave_with_an_expired_form_says_so_without_moving_the_page(client, db, child):
    request = start(client, db, child.public_id)
    url = section_url(request)
    response = client.post(
        url + "/autosave",
        data={**TYPED, "version": version_of(db, request)},
        headers={"HX-Request": "true", "HX-Target": "save-status", "X-CSRFToken": "expired"},
    )
    assert response.status_code == 200 and "HX-Redirect" not in response.headers
    assert "Not saved: this page has expired" in response.get_data(as_text=True)


def test_signing_in_without_a_next_page_still_leads_back_to_the_kept_answers(
    client, db, family, child, mailbox
):
    request = start(client, db, child.public_id)
    url = section_url(request)
    token, version = csrf_token(client), version_of(db, request)
    with time_machine.travel(now() + timedelta(minutes=31)):
        client.post(url, data={**TYPED, "csrf_token": token, "version": version, "action": "continue"})
        assert sign_in(client).location == "/account"
        client.get("/two-step/code?next=/send")
        assert enter(client, code_from(mailbox), next_url="/send").location == url


# --- The forms that ask to be linked to a child --------------------------------------------------

LINK_REQUEST = {**REQUEST, "notes": "Known as Jay at school"}


def test_a_link_request_sent_after_the_limit_comes_back_after_signing_in(client, db, family, mailbox):
    url = "/send/access/new"
    token = csrf_token(client)
    with time_machine.travel(now() + timedelta(minutes=31)):
        response = client.post(url, data={**LINK_REQUEST, "csrf_token": token})
        assert response.location == f"/sign-in?next={url}"
        assert sign_back_in(client, mailbox, url) == url
        soup = get_page(client, url)
    assert db.session.scalar(select(func.count()).select_from(ChildLink)) == 0
    for name in ("first_name", "last_name", "dob_day", "dob_month", "dob_year", "postcode", "school"):
        assert soup.find(id=name)["value"] == LINK_REQUEST[name]
    assert soup.select_one("#notes").get_text() == LINK_REQUEST["notes"]
    assert soup.select_one("input[name=relationship][value=parent]").has_attr("checked")
    notice = soup.select_one(".govuk-notification-banner").get_text()
    assert "We kept what you typed" in notice and "select “Send request” to send them" in notice
    assert soup.select_one(".govuk-error-summary") is None
    assert "You will be signed out if you do nothing for 30 minutes" in soup.get_text()


def test_an_expired_answer_to_the_teams_question_comes_back_to_send_again(client, db, family):
    url = f"/send/access/{make_link(family, state='more_info').public_id}"
    response = client.post(url, data={"answer": "Mrs Patel is my sister", "csrf_token": "expired"})
    assert response.status_code == 302 and response.location == url
    soup = get_page(client, url)
    summary = soup.select_one(".govuk-error-summary")
    assert summary.select_one("a")["href"] == "#answer"
    assert "This page had expired, so what you sent was not saved" in summary.get_text()
    assert soup.select_one("#answer").get_text() == "Mrs Patel is my sister"
    assert get_page(client, url).select_one("#answer").get_text() == ""  # given back once
