"""Appendix A online: starting, saving section by section, checking, conflicts, submitting, reading."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from models import AssessmentRequest, AuditEvent, CaseEvent, ChildLink, Document
from tests.appendix_answers import ANSWERS
from tests.pages import error_messages, get_page, post, post_page
from tests.people import (
    make_family,
    make_staff,
    signed_in_past_second_step,
)


def start(client, db, choice: str) -> AssessmentRequest:
    response = post(client, "/send/requests/new", {"child": choice})
    public_id = response.location.rsplit("/", 1)[1]
    return db.session.scalar(select(AssessmentRequest).where(AssessmentRequest.public_id == public_id))


def version_of(db, request) -> str:
    db.session.expire_all()
    return str(db.session.get(AssessmentRequest, request.id).version)


def save(
    client, db, request, key: str, fields: dict, completed: bool = True, action: str = "continue", query=""
):
    data = {**fields, "version": version_of(db, request), "action": action}
    if completed:
        data["completed"] = "yes"
    return post(client, f"/send/requests/{request.public_id}/sections/{key}{query}", data)


def complete_everything(client, db, request) -> None:
    for key, fields in ANSWERS.items():
        response = save(client, db, request, key, fields)
        assert response.status_code == 302, (key, error_messages_of(response))


def error_messages_of(response) -> list[str]:
    return re.findall(r'<li><a href="#[^"]+">([^<]+)</a></li>', response.get_data(as_text=True))


def test_starting_for_a_linked_child_fills_in_their_details(client, db, child):
    request = start(client, db, child.public_id)
    soup = get_page(client, f"/send/requests/{request.public_id}")
    assert soup.h1.get_text(strip=True) == "Request an EHC needs assessment"
    assert len(soup.select(".govuk-task-list__item")) == 11
    assert "You have completed 0 of 11 sections" in soup.get_text()
    page = get_page(client, f"/send/requests/{request.public_id}/sections/child")
    assert page.find(id="first_name")["value"] == "Jamie"
    assert page.find(id="date_of_birth-year")["value"] == "2015"


def test_one_open_draft_per_child(client, db, child):
    first = start(client, db, child.public_id)
    again = start(client, db, child.public_id)
    assert first.id == again.id


def test_choosing_nobody_gets_an_error(client, family):
    soup = post_page(client, "/send/requests/new", {})
    assert error_messages(soup) == ["Select who the request is for"]


def test_a_section_saves_incomplete_and_shows_in_progress(client, db, child):
    request = start(client, db, child.public_id)
    response = save(client, db, request, "about", {"relationship": "Mother"}, completed=False)
    assert response.location == f"/send/requests/{request.public_id}"
    soup = get_page(client, response.location)
    assert "In progress" in soup.find(id="status-about").get_text()
    db.session.expire_all()
    assert request.answers["about"]["relationship"] == "Mother"


def test_marking_complete_checks_required_answers_and_keeps_what_was_typed(client, db, child):
    request = start(client, db, child.public_id)
    soup = post_page(
        client,
        f"/send/requests/{request.public_id}/sections/about",
        {"relationship": "Mother", "completed": "yes", "version": version_of(db, request)},
    )
    assert error_messages(soup) == ["Select who is making this request?"]
    assert soup.find(id="relationship")["value"] == "Mother"
    db.session.expire_all()
    assert request.section_status["about"] == "in_progress"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("nhs_number", "943 476 5910", "Enter a valid NHS number: 10 numbers, like 943 476 5919"),
        ("upn", "A801200005001", "Enter a valid unique pupil number: 13 characters, like A123456789012"),
        ("postcode", "TA1", "Enter a full UK postcode, like TA1 1HE"),
        ("date_of_birth-month", "13", "Date of birth must be a real date"),
        ("date_of_birth-year", "2099", "Date of birth must be in the past"),
        ("date_of_birth-year", "1990", "The child or young person must be 25 or under"),
        ("first_name", "", "Enter legal first name"),
    ],
)
def test_child_section_checks(client, db, child, field, value, message):
    request = start(client, db, child.public_id)
    fields = {**ANSWERS["child"], field: value}
    response = save(client, db, request, "child", fields)
    assert message in error_messages_of(response)


def test_household_email_and_phone_are_checked(client, db, child):
    request = start(client, db, child.public_id)
    fields = {**ANSWERS["household"], "people-0-email": "robin@", "people-0-phone": "12"}
    messages = error_messages_of(save(client, db, request, "household", fields))
    assert "Person 1: enter an email address in the correct format, like name@example.com" in messages
    assert "Person 1: enter a UK phone number, like 01823 355000 or 07700 900982" in messages


def test_needs_need_at_least_one_area(client, db, child):
    request = start(client, db, child.public_id)
    assert "Describe the needs in at least one area" in error_messages_of(
        save(client, db, request, "needs", {})
    )


def test_answers_that_are_too_long_are_refused(client, db, child):
    request = start(client, db, child.public_id)
    response = save(client, db, request, "parent_views", {"history": "x" * 5001})
    assert "The history of your concerns must be 5,000 characters or fewer" in error_messages_of(response)


def test_people_can_be_added_and_removed_without_javascript(client, db, child):
    request = start(client, db, child.public_id)
    url = f"/send/requests/{request.public_id}/sections/household"
    fields = {**ANSWERS["household"]}
    added = post(client, url, {**fields, "action": "add:people", "version": version_of(db, request)})
    assert added.status_code == 302
    assert added.location == f"{url}#people-1-name"
    soup = get_page(client, url)
    assert soup.find(id="people-1-name") is not None
    assert soup.find(id="people-0-name")["value"] == "Robin Rivers"
    assert soup.find(id="people-status").get_text() == ""
    removed = post(
        client,
        f"{url}?return=check",
        {
            **fields,
            "people-count": "2",
            "people-1-name": "Sam",
            "action": "remove:people:0",
            "version": version_of(db, request),
        },
    )
    assert removed.location == f"{url}?return=check#people-heading"
    soup = get_page(client, f"{url}?return=check")
    assert soup.find(id="people-0-name")["value"] == "Sam"
    assert soup.find(id="people-1-name") is None
    assert soup.find(id="people-heading")["tabindex"] == "-1"
    assert soup.find(id="people-status").get_text() == "Person 1 removed"
    assert get_page(client, url).find(id="people-status").get_text() == ""


def test_a_row_change_with_a_badly_formed_answer_shows_the_error_instead(client, db, child):
    request = start(client, db, child.public_id)
    url = f"/send/requests/{request.public_id}/sections/household"
    fields = {**ANSWERS["household"], "people-0-email": "not an email"}
    soup = post_page(client, url, {**fields, "action": "add:people", "version": version_of(db, request)})
    assert error_messages(soup) == [
        "Person 1: enter an email address in the correct format, like name@example.com"
    ]
    assert soup.find(id="people-1-name") is not None


def test_html_in_answers_comes_back_escaped(client, db, child):
    request = start(client, db, child.public_id)
    save(client, db, request, "parent_views", {"history": '<script>alert("x")</script>'}, completed=False)
    html = client.get(f"/send/requests/{request.public_id}/sections/parent_views").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_a_stale_tab_never_overwrites_newer_answers(app, client, db, child):
    request = start(client, db, child.public_id)
    stale_version = version_of(db, request)
    save(client, db, request, "parent_views", {"history": "Typed on the laptop"}, completed=False)
    response = post(
        client,
        f"/send/requests/{request.public_id}/sections/parent_views",
        {"history": "Typed on the phone", "version": stale_version, "action": "continue"},
    )
    soup = response.get_data(as_text=True)
    assert "This section was changed somewhere else" in soup
    assert "Typed on the laptop" in soup and "Typed on the phone" in soup
    db.session.expire_all()
    assert request.answers["parent_views"]["history"] == "Typed on the laptop"
    keep_mine = post(
        client,
        f"/send/requests/{request.public_id}/sections/parent_views",
        {"history": "Typed on the phone", "version": version_of(db, request), "action": "continue"},
    )
    assert keep_mine.status_code == 302
    db.session.expire_all()
    assert request.answers["parent_views"]["history"] == "Typed on the phone"


def test_autosave_answers_briefly_and_reports_conflicts(client, db, child):
    request = start(client, db, child.public_id)
    url = f"/send/requests/{request.public_id}/sections/parent_views/autosave"
    version = version_of(db, request)
    response = post(
        client, url, {"history": "Saved as I type", "version": version}, headers={"HX-Request": "true"}
    )
    assert response.get_data(as_text=True).startswith("Saved at ")
    assert f'value="{int(version) + 1}"' in response.get_data(as_text=True)
    assert len(response.data) < 1024
    stale = post(client, url, {"history": "Older tab", "version": version}, headers={"HX-Request": "true"})
    assert "Not saved" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert request.answers["parent_views"]["history"] == "Saved as I type"


def test_check_answers_lists_every_answer_with_change_links_that_come_back(client, db, child):
    request = start(client, db, child.public_id)
    complete_everything(client, db, request)
    soup = get_page(client, f"/send/requests/{request.public_id}/check")
    assert "Taunton Primary" in soup.get_text() and "943 476 5919" in soup.get_text()
    change = soup.select_one("#section-about a")["href"]
    assert "return=check" in change
    path = change.split("#")[0]
    response = save(
        client,
        db,
        request,
        "about",
        {**ANSWERS["about"], "relationship": "Stepmother"},
        query="?return=check",
    )
    assert response.location == f"/send/requests/{request.public_id}/check"
    assert path.endswith("return=check")


def test_submitting_gives_a_reference_dates_and_an_email_without_child_details(client, db, child, mailbox):
    request = start(client, db, child.public_id)
    complete_everything(client, db, request)
    christmas_eve_evening = datetime(2026, 12, 24, 17, 30, tzinfo=UTC)
    with time_machine.travel(christmas_eve_evening, tick=False):
        signed_in_past_second_step(client, "parent@example.com")  # the earlier session has timed out
        response = post(client, f"/send/requests/{request.public_id}/submit")
        assert response.location == f"/send/requests/{request.public_id}/submitted"
        soup = get_page(client, response.location)
    db.session.expire_all()
    assert request.reference == f"EHC-2026-{request.id:06d}"
    assert request.reference in soup.get_text()
    assert "29 December 2026" in soup.get_text()  # after 5pm, then Christmas and Boxing Day (moved to Monday)
    assert "9 February 2027" in soup.get_text()  # six weeks later
    email = mailbox.wait_for("parent@example.com")[-1]
    assert request.reference in email["Subject"]
    for detail in ("Jamie", "Rivers", "Taunton Primary", "TA1 1HE"):
        assert detail not in mailbox.text(email)
    assert request.answers["declaration"]["date"] == "24 December 2026"
    # the request is now a case at its first step, moved there by the family
    assert request.step == "submitted"
    [opened] = db.session.scalars(select(CaseEvent).where(CaseEvent.request_id == request.id)).all()
    assert (opened.step, opened.actor_id, opened.created_at) == (
        "submitted",
        request.owner_id,
        christmas_eve_evening,
    )


def test_submitting_an_incomplete_request_lists_what_is_missing(client, db, child):
    request = start(client, db, child.public_id)
    response = post(client, f"/send/requests/{request.public_id}/submit")
    soup = get_page(client, response.location)
    assert "Complete the section “About this request”" in error_messages(soup)
    db.session.expire_all()
    assert request.state == "draft"


def test_a_submitted_request_is_read_only(client, db, child):
    request = start(client, db, child.public_id)
    complete_everything(client, db, request)
    post(client, f"/send/requests/{request.public_id}/submit")
    view = get_page(client, f"/send/requests/{request.public_id}")
    assert view.h1.get_text(strip=True) == "Your request for an EHC needs assessment"
    assert "Mother" in view.get_text()
    assert client.get(f"/send/requests/{request.public_id}/sections/about").status_code == 404
    assert save(client, db, request, "about", ANSWERS["about"]).status_code == 404


def test_a_child_not_yet_known_makes_an_access_request_on_submission(client, db, family):
    request = start(client, db, "new")
    complete_everything(client, db, request)
    post(client, f"/send/requests/{request.public_id}/submit")
    link = db.session.scalar(select(ChildLink))
    assert (link.state, link.child_first_name, link.user_id) == ("requested", "Jamie", family.id)


def test_another_family_gets_404_for_drafts_and_submitted_requests(app, client, db, child):
    request = start(client, db, child.public_id)
    make_family("other@example.com")
    other = app.test_client()
    signed_in_past_second_step(other, "other@example.com")
    for url in (
        f"/send/requests/{request.public_id}",
        f"/send/requests/{request.public_id}/sections/about",
        f"/send/requests/{request.public_id}/check",
        f"/send/requests/{request.public_id}/submitted",
    ):
        assert other.get(url).status_code == 404, url
    assert post(other, f"/send/requests/{request.public_id}/submit").status_code == 404
    assert (
        post(other, f"/send/requests/{request.public_id}/sections/about", ANSWERS["about"]).status_code == 404
    )


def test_staff_see_new_requests_oldest_first_and_every_answer(app, client, db, child):
    request = start(client, db, child.public_id)
    complete_everything(client, db, request)
    post(client, f"/send/requests/{request.public_id}/submit")
    make_staff()
    staff = app.test_client()
    signed_in_past_second_step(staff, "officer@somerset.gov.uk")
    home = get_page(staff, "/staff")
    db.session.expire_all()
    assert request.reference in home.get_text()
    page = get_page(staff, f"/staff/requests/{request.public_id}")
    assert "Finds it hard to follow instructions" in page.get_text()
    actions = {
        (e.action, e.actor_role)
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "assessment_request"))
    }
    assert {
        ("created", "family"),
        ("changed", "family"),
        ("submitted", "family"),
        ("viewed", "staff"),
    } <= actions


def test_the_second_step_returns_to_the_section_last_edited(app, client, db, child, mailbox):
    request = start(client, db, child.public_id)
    save(client, db, request, "parent_views", {"history": "Started"}, completed=False)
    post(client, "/sign-out")
    from tests.test_sign_in import sign_in
    from tests.two_step_helpers import code_from, enter

    sign_in(client)
    client.get("/two-step/code?next=/send")
    response = enter(client, code_from(mailbox))
    assert response.location == f"/send/requests/{request.public_id}/sections/parent_views"


def test_a_tab_s_own_autosave_never_conflicts_with_its_save_and_continue(client, db, child):
    request = start(client, db, child.public_id)
    version = version_of(db, request)
    url = f"/send/requests/{request.public_id}/sections/parent_views"
    post(client, f"{url}/autosave", {"history": "Typed", "version": version, "tab": "tab-a"})
    same_tab = post(
        client, url, {"history": "Typed more", "version": version, "tab": "tab-a", "action": "continue"}
    )
    assert same_tab.status_code == 302
    other_tab = post(
        client, url, {"history": "Old", "version": version, "tab": "tab-b", "action": "continue"}
    )
    assert "This section was changed somewhere else" in other_tab.get_data(as_text=True)


def test_a_draft_can_be_deleted_with_its_documents(app, client, db, child):
    import io
    from pathlib import Path

    from tests import files

    request = start(client, db, child.public_id)
    for name in ("report.pdf", "letter.pdf"):
        uploaded = post(
            client,
            f"/send/requests/{request.public_id}/documents",
            {"category": "report", "files": [(io.BytesIO(files.PDF), name)]},
            content_type="multipart/form-data",
        )
        assert uploaded.status_code == 302
    keys = db.session.scalars(select(Document.storage_key)).all()
    stored = [Path(app.config["DOCUMENT_FOLDER"]) / key[:2] / key for key in keys]
    assert len(stored) == 2 and all(path.exists() for path in stored)
    assert get_page(client, f"/send/requests/{request.public_id}/delete").h1.get_text(strip=True) == (
        "Delete this draft request?"
    )
    assert post(client, f"/send/requests/{request.public_id}/delete").location == "/send"
    assert db.session.scalars(select(AssessmentRequest)).all() == []
    assert db.session.scalars(select(Document)).all() == []
    assert [path for path in stored if path.exists()] == []  # the files themselves are gone
    assert "Your draft request has been deleted" in get_page(client, "/send").get_text()


def test_documents_in_the_request_and_their_problems_with_and_without_htmx(client, db, child):
    import io

    from tests import files

    request = start(client, db, child.public_id)
    url = f"/send/requests/{request.public_id}/documents"
    uploaded = post(
        client,
        url,
        {"category": "report", "files": [(io.BytesIO(files.PDF), "report.pdf")]},
        content_type="multipart/form-data",
    )
    assert uploaded.location == f"/send/requests/{request.public_id}/sections/documents"
    no_category = post(
        client,
        url,
        {"files": [(io.BytesIO(files.PDF), "b.pdf")]},
        content_type="multipart/form-data",
        headers={"HX-Request": "true"},
    )
    assert "Select what you are sending" in no_category.get_data(as_text=True)
    refused = post(
        client,
        url,
        {"category": "report", "files": [(io.BytesIO(files.HTML), "c.pdf")]},
        content_type="multipart/form-data",
    )
    assert "c.pdf is not a real PDF file" in refused.get_data(as_text=True)
    page = get_page(client, f"/send/requests/{request.public_id}/sections/documents")
    assert "report.pdf" in page.find(id="document-list").get_text()
