"""What each signed-in page costs: work that need not be done on every request is not.

Figures are measured in bench/ (bench/load for many families at once); these tests hold the cuts in
place: the queries of the pages families use most, the session cookie rewritten only when it changes,
and links built once per process giving the right address for each path prefix.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, select

from extensions import db as database
from models import AuditEvent
from services import assessment_requests, audit
from services.clock import now
from tests.people import approved_link, make_child, make_family, signed_in_past_second_step

SESSION_COOKIE_NAMES = ("session", "__Host-session")


@pytest.fixture
def draft(client, db):
    family = make_family("parent@example.com")
    child = make_child()
    approved_link(family, child)
    found = assessment_requests.start(family, child)
    database.session.commit()
    signed_in_past_second_step(client, "parent@example.com")
    return found


def statements_run(app, client, url: str, **post) -> tuple[list[str], str]:
    """The kind of each SQL statement (SELECT, INSERT...) run to answer a GET of the page, or a POST of
    `post`'s data and headers; and the answer's body."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement.split()[0].upper())

    with app.app_context():
        engine = database.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = client.post(url, **post) if post else client.get(url)
        assert response.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen, response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["task list", "section"])
def test_a_draft_page_loads_the_account_and_the_request_once_and_writes_its_audit_row(
    app, client, draft, page
):
    url = f"/send/requests/{draft.public_id}" + ("/sections/child" if page == "section" else "")
    client.get(url)  # the first view after signing in may give back kept answers
    seen, _ = statements_run(app, client, url)
    # The account and the request: nothing is loaded twice, as it would be if the audit row's commit
    # made the page reload what it had, and no answers kept after a timeout are looked for, as none wait.
    # On PostgreSQL the request is found and its audit row written by one statement (WITH ... INSERT).
    if audit.logs_in_the_same_statement():
        assert seen == ["SELECT", "WITH"], seen
    else:
        assert sorted(seen) == ["INSERT", "SELECT", "SELECT"], seen
    rows = database.session.scalars(select(AuditEvent).where(AuditEvent.record_id == draft.id)).all()
    assert [row.action for row in rows].count("viewed") >= 2


def test_the_send_home_loads_each_child_with_its_link(app, client, db):
    family = make_family("parent@example.com")
    for first in ("Jamie", "Robin", "Sam"):
        approved_link(family, make_child(first=first))
    signed_in_past_second_step(client, "parent@example.com")
    client.get("/send")
    seen, _ = statements_run(app, client, "/send")
    # The account, the links with their children, the requests: not one more query per child.
    assert seen.count("SELECT") == 3, seen
    assert seen.count("INSERT") == 1  # the three children's audit rows, in one round trip
    viewed = database.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "child")).all()
    assert len(viewed) == 6  # three children, on each of the two visits


def in_a_transaction(dbapi_connection) -> bool:
    if isinstance(dbapi_connection, sqlite3.Connection):
        return dbapi_connection.isolation_level is not None
    return not dbapi_connection.autocommit


def transactions_of(app, client, url: str, **post) -> list[bool]:
    """For each SQL statement run to answer the request: whether it ran inside a transaction."""
    seen: list[bool] = []

    def note(conn, *_args) -> None:
        seen.append(in_a_transaction(conn.connection.dbapi_connection))

    with app.app_context():
        engine = database.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        response = client.post(url, **post) if post else client.get(url)
        assert response.status_code in (200, 302)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert seen
    return seen


@pytest.mark.parametrize("page", ["", "/sections/child", "/check", "SEND home"])
def test_pages_that_only_read_run_each_statement_on_its_own(app, client, draft, page):
    """No BEGIN and COMMIT round trips around a page's reads and its one audit row."""
    url = "/send" if page == "SEND home" else f"/send/requests/{draft.public_id}{page}"
    assert not any(transactions_of(app, client, url))


def test_saving_after_a_page_that_only_read_is_one_transaction(app, client, draft):
    section = f"/send/requests/{draft.public_id}/sections/parent_views"
    page = client.get(section).get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answers = {"history": "Since nursery", "csrf_token": token, "version": str(draft.version), "tab": "t"}
    # The section page's own address, posted to: the same view, but a save is all or nothing.
    assert all(transactions_of(app, client, section, data={**answers, "action": "later"}))
    client.get(section)
    answers["version"] = str(draft.version + 1)
    assert all(
        transactions_of(app, client, section + "/autosave", data=answers, headers={"HX-Request": "true"})
    )


def test_a_page_that_only_reads_cannot_change_records_through_the_session(app, db):
    from extensions import STATEMENT_BY_STATEMENT

    child = make_child()
    database.session.info[STATEMENT_BY_STATEMENT] = True
    try:
        child.school = "Another school"
        with pytest.raises(RuntimeError, match="reads_only"):
            database.session.flush()
    finally:
        database.session.info.pop(STATEMENT_BY_STATEMENT)
        database.session.rollback()


def session_cookie_set(response) -> bool:
    return any(
        header.split("=", 1)[0] in SESSION_COOKIE_NAMES for header in response.headers.getlist("Set-Cookie")
    )


def test_the_session_cookie_is_rewritten_only_when_the_idle_limit_is_renewed(client, draft):
    url = f"/send/requests/{draft.public_id}"
    client.get(url)
    assert not session_cookie_set(client.get(url))  # nothing changed: no new cookie to sign and send
    with time_machine.travel(now() + timedelta(seconds=61)):
        assert session_cookie_set(client.get(url))  # a minute on, the idle limit is renewed


def test_the_idle_limit_runs_from_the_last_renewal_to_within_a_minute(client, draft):
    url = f"/send/requests/{draft.public_id}"
    start = now()
    with time_machine.travel(start + timedelta(minutes=20)):
        assert client.get(url).status_code == 200
    with time_machine.travel(start + timedelta(minutes=20, seconds=30)):
        assert client.get(url).status_code == 200  # not renewed: within the minute
    with time_machine.travel(start + timedelta(minutes=49)):
        assert client.get(url).status_code == 200  # 29 minutes after the renewal: still signed in
    with time_machine.travel(start + timedelta(minutes=49 + 31)):
        assert client.get(url).status_code == 302  # 31 minutes idle: signed out


def test_links_are_built_for_the_path_prefix_each_request_came_with(client, draft):
    url = f"/send/requests/{draft.public_id}"
    plain = client.get(url).get_data(as_text=True)
    prefixed = client.get(url, base_url="http://localhost/send-portal/").get_data(as_text=True)
    again = client.get(url).get_data(as_text=True)
    assert 'href="/account"' in plain and 'href="/account"' in again
    assert 'href="/send-portal/account"' in prefixed and 'href="/account"' not in prefixed
    # A link relative to the page's blueprint names that blueprint's page.
    assert f'href="/send/requests/{draft.public_id}/check"' in plain


def test_an_autosave_writes_the_answers_and_its_audit_row_and_reloads_nothing(app, client, draft):
    page = client.get(f"/send/requests/{draft.public_id}/sections/parent_views").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    seen, answer = statements_run(
        app,
        client,
        f"/send/requests/{draft.public_id}/sections/parent_views/autosave",
        data={"history": "Since nursery", "csrf_token": token, "version": str(draft.version), "tab": "t"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert answer.startswith("Saved at")
    assert f'value="{draft.version + 1}"' in answer  # the new version, as written
    # The account and the request, the UPDATE and the audit row: the saved request is not loaded again.
    assert sorted(seen) == ["INSERT", "SELECT", "SELECT", "UPDATE"], seen


def form_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_a_sessions_signed_form_token_is_reused_and_a_new_session_gets_its_own(client, draft):
    url = f"/send/requests/{draft.public_id}"
    section = f"{url}/sections/parent_views"
    first = form_token(client, url)
    with time_machine.travel(now() + timedelta(seconds=5)):  # a token signed afresh would differ
        assert form_token(client, section) == first
        answers = {"history": "Since nursery", "version": str(draft.version), "tab": "t"}
        saved = client.post(
            f"{section}/autosave", data={**answers, "csrf_token": first}, headers={"HX-Request": "true"}
        )
        assert saved.status_code == 200 and saved.get_data(as_text=True).startswith("Saved at")
    client.post("/sign-out", data={"csrf_token": first})
    signed_in_past_second_step(client, "parent@example.com")
    second = form_token(client, section)
    assert second != first
    answers["version"] = str(draft.version + 1)
    refused = client.post(
        f"{section}/autosave", data={**answers, "csrf_token": first}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 400  # the old session's token
    saved = client.post(
        f"{section}/autosave", data={**answers, "csrf_token": second}, headers={"HX-Request": "true"}
    )
    assert saved.status_code == 200
