"""The case after submission, through its pages: staff give it an officer and move it on, and the family
follows it on their Progress page and by email, never seeing the team's internal notes."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from extensions import db as database
from models import AuditEvent, CaseEvent, Document
from models.audit import VIEWED
from models.cases import DOCUMENT_REQUIRED
from services import cases, statutory
from services.clock import now, uk_day
from tests import files
from tests.pages import check_page, error_messages, field_error, get_page, post, post_page
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_staff,
    moved_on,
    signed_in_past_second_step,
    submitted_case,
)

SUBMITTED_AT = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # a Monday: received that day
CHILD_DETAILS = ("Jamie", "Rivers", "Taunton Primary", "TA1 1HE", "2015")
INTERNAL = "Spoke to the SENCo: the report is late"


@pytest.fixture
def world(app, db):
    family = make_family("parent@example.com", first_name="Robin")
    pat = make_staff("pat@somerset.gov.uk")
    sam = make_staff("sam@somerset.gov.uk")
    sam.first_name = "Sam"
    child = make_child()
    approved_link(family, child)
    case = submitted_case(family, child, SUBMITTED_AT)
    clients = {"family": app.test_client(), "pat": app.test_client(), "sam": app.test_client()}
    signed_in_past_second_step(clients["family"], "parent@example.com")
    signed_in_past_second_step(clients["pat"], "pat@somerset.gov.uk")
    signed_in_past_second_step(clients["sam"], "sam@somerset.gov.uk")
    return {"case": case, "clients": clients, "pat": pat, "sam": sam, "family": family}


def progress_url(world) -> str:
    return f"/send/requests/{world['case'].public_id}/progress"


def staff_url(world) -> str:
    return f"/staff/requests/{world['case'].public_id}"


def summary(soup) -> dict[str, str]:
    return {
        " ".join(row.dt.get_text().split()): " ".join(row.dd.get_text().split())
        for row in soup.select(".govuk-summary-list__row")
    }


def assign(world, who: str, officer) -> object:
    return post(
        world["clients"][who], f"{staff_url(world)}/officer", {"officer": str(officer.id), "seen_officer": ""}
    )


ANSWER_BY = now().date() + timedelta(days=14)


def letter(marker: str = "decision") -> tuple[io.BytesIO, str]:
    """A decision letter as a browser sends it: a small PDF marked so its bytes can be recognised."""
    return io.BytesIO(files.PDF.replace(b"%%EOF", f"% {marker}\n%%EOF".encode())), f"{marker} letter.pdf"


def move(world, who: str, seen: str, step: str, note: str = "", internal: str = "", confirmed: bool = True):
    data = {"seen_step": seen, "step": step, "note_for_family": note, "internal_note": internal}
    if step in DOCUMENT_REQUIRED:
        data["letter"] = letter()
    if step == "more_information":
        data.update(respond_day=ANSWER_BY.day, respond_month=ANSWER_BY.month, respond_year=ANSWER_BY.year)
    if confirmed:
        data["confirmed"] = "y"
    return post(world["clients"][who], f"{staff_url(world)}/step", data)


def test_a_new_case_shows_the_family_its_step_its_next_date_and_no_officer_yet(world):
    soup = get_page(world["clients"]["family"], progress_url(world))
    rows = summary(soup)
    assert rows["Where it is now"].startswith("Request received")
    assert (
        rows["What happens next"]
        == ("The council must decide whether to carry out an ehc needs assessment by 20 April 2026.")
        or "by 20 April 2026" in rows["What happens next"]
    )
    assert rows["Your officer"].startswith("Not given yet")
    assert "9 March 2026" in rows["Received"]
    home = get_page(world["clients"]["family"], "/send")
    assert home.find("a", href=progress_url(world)) is not None
    assert "Request received" in home.get_text()


def test_staff_give_the_case_an_officer_and_the_family_is_told_by_name_and_by_email(world, mailbox):
    response = assign(world, "pat", world["pat"])
    assert response.status_code == 302
    rows = summary(get_page(world["clients"]["family"], progress_url(world)))
    assert rows["Where it is now"].startswith("Being reviewed")
    assert rows["Your officer"] == "Pat Morgan"
    [email] = mailbox.wait_for("parent@example.com")
    assert email["Subject"] == f"Update on your request {world['case'].reference}"
    body = mailbox.text(email) + mailbox.html(email)
    assert "an officer is reviewing it" in body
    assert f"/send/requests/{world['case'].public_id}/progress" in body
    for detail in CHILD_DETAILS:
        assert detail not in body
    # a change of officer is an update of its own
    assert assign(world, "pat", world["sam"]).status_code == 409  # Pat's form still said "no officer"
    response = post(
        world["clients"]["pat"],
        f"{staff_url(world)}/officer",
        {"officer": str(world["sam"].id), "seen_officer": str(world["pat"].id)},
    )
    assert response.status_code == 302
    emails = mailbox.wait_for("parent@example.com", count=2)
    assert "your officer has changed" in mailbox.text(emails[-1])
    assert summary(get_page(world["clients"]["family"], progress_url(world)))["Your officer"].startswith(
        "Sam "
    )


def test_asking_for_more_information_puts_it_first_for_the_family_without_internal_notes(world, mailbox):
    assign(world, "pat", world["pat"])
    response = move(
        world, "pat", "being_reviewed", "more_information", "Please send the latest school report.", INTERNAL
    )
    assert response.status_code == 302
    family_page = get_page(world["clients"]["family"], progress_url(world))
    banner = family_page.select_one(".govuk-notification-banner")
    assert f"The team has asked you for more information by {uk_day(ANSWER_BY)}" in banner.get_text()
    assert "Please send the latest school report." in banner.get_text()
    assert INTERNAL not in str(family_page)
    staff_page = get_page(world["clients"]["pat"], staff_url(world))
    assert INTERNAL in staff_page.get_text()
    assert "Please send the latest school report." in staff_page.get_text()
    emails = mailbox.wait_for("parent@example.com", count=2)
    assert "the team needs more information from you" in mailbox.text(emails[-1])
    for email in emails:
        assert INTERNAL not in mailbox.text(email) and "school report" not in mailbox.text(email)


def test_a_step_needs_confirming_and_a_refusal_needs_reasons_and_typed_notes_are_kept(world):
    assign(world, "pat", world["pat"])
    soup = post_page(
        world["clients"]["pat"],
        f"{staff_url(world)}/step",
        {"seen_step": "being_reviewed", "step": "not_agreed_to_assess", "internal_note": INTERNAL},
    )
    assert soup.title.get_text().startswith("Error: ")
    assert error_messages(soup) == [
        "Enter the note the family will read: what is needed, the reasons for the decision, "
        "or why the case is closed",
        "Choose the decision letter: a PDF the family can download",
        "Confirm that you have checked this change",
    ]
    assert field_error(soup, "note_for_family").endswith("why the case is closed")
    assert soup.find(id="internal_note").get_text() == INTERNAL
    assert soup.find(id="step-2") is not None and soup.select_one("input[name=step][checked]")["value"] == (
        "not_agreed_to_assess"
    )
    database.session.refresh(world["case"])
    assert world["case"].step == "being_reviewed"
    only_allowed = post_page(
        world["clients"]["pat"],
        f"{staff_url(world)}/step",
        {"seen_step": "being_reviewed", "step": "closed_x"},
    )
    assert "Not a valid choice" in " ".join(error_messages(only_allowed))


def test_asking_for_more_information_needs_a_date_to_answer_by_in_the_future(world):
    assign(world, "pat", world["pat"])
    url = f"{staff_url(world)}/step"
    typed = {
        "seen_step": "being_reviewed",
        "step": "more_information",
        "note_for_family": "The report",
        "confirmed": "y",
    }
    soup = post_page(world["clients"]["pat"], url, typed)
    assert error_messages(soup) == ["Enter the date to answer by"]
    yesterday = now().date() - timedelta(days=1)
    soup = post_page(
        world["clients"]["pat"],
        url,
        {
            **typed,
            "respond_day": yesterday.day,
            "respond_month": yesterday.month,
            "respond_year": yesterday.year,
        },
    )
    assert error_messages(soup) == ["The date to answer by must be in the future"]
    assert soup.find(id="respond_day")["value"] == str(yesterday.day)
    assert soup.find(id="note_for_family").get_text() == "The report"
    database.session.refresh(world["case"])
    assert world["case"].step == "being_reviewed"


def test_an_officer_acting_on_an_older_page_is_told_who_moved_it_first(world):
    assign(world, "pat", world["pat"])
    assert move(world, "sam", "being_reviewed", "agreed_to_assess").status_code == 302
    response = move(world, "pat", "being_reviewed", "not_agreed_to_assess", "We do not think so.")
    assert response.status_code == 409
    text = " ".join(response.get_data(as_text=True).split())
    assert (
        "Sam Morgan changed this case first" in text or "Sam " in text and "changed this case first" in text
    )
    assert "“Agreed to assess”. Nothing was changed" in text
    decisions = database.session.scalar(
        select(func.count(CaseEvent.id)).where(
            CaseEvent.step.in_(["agreed_to_assess", "not_agreed_to_assess"])
        )
    )
    assert decisions == 1


def test_after_a_refusal_the_family_sees_the_reasons_and_the_date_to_appeal_by(world, mailbox):
    assign(world, "pat", world["pat"])
    with time_machine.travel(datetime(2026, 4, 14, 11, 0, tzinfo=UTC), tick=False):
        signed_in_past_second_step(
            world["clients"]["pat"], "pat@somerset.gov.uk"
        )  # a session of its own time
        response = move(
            world, "pat", "being_reviewed", "not_agreed_to_assess", "The school can meet the needs."
        )
    assert response.status_code == 302
    soup = get_page(world["clients"]["family"], progress_url(world))
    assert summary(soup)["Where it is now"].startswith("Not agreed to assess")
    assert "What happens next" not in summary(soup)
    text = " ".join(soup.get_text().split())
    assert "The school can meet the needs." in text
    assert "Appeal by 14 June 2026" in text  # 2 months from 14 April
    emails = mailbox.wait_for("parent@example.com", count=2)
    assert any("a decision has been made" in mailbox.text(email) for email in emails)


def test_the_staff_page_shows_the_dates_and_flags_them_overdue_unless_an_exception_applies(world):
    with time_machine.travel(datetime(2026, 4, 21, 9, 0, tzinfo=UTC), tick=False):
        signed_in_past_second_step(world["clients"]["pat"], "pat@somerset.gov.uk")
        soup = get_page(world["clients"]["pat"], staff_url(world))
        rows = {row.th.get_text(): row.get_text(" ", strip=True) for row in soup.select("tbody tr")}
        assert (
            "20 April 2026" in rows["Decision whether to assess"]
            and "Overdue" in rows["Decision whether to assess"]
        )
        assert "Due" in rows["Final plan"] and "27 July 2026" in rows["Final plan"]
        cases.record_exception(
            world["pat"],
            world["case"],
            cases.ExceptionKind.SETTING_CLOSED,
            datetime(2026, 4, 1).date(),
            None,
            "Flood",
        )
        soup = get_page(world["clients"]["pat"], staff_url(world))
        rows = {row.th.get_text(): row.get_text(" ", strip=True) for row in soup.select("tbody tr")}
        assert "Exception applies" in rows["Decision whether to assess"]
        assert "Overdue" not in soup.get_text()


def test_another_family_and_the_family_on_staff_pages_get_nothing(world, app):
    other = app.test_client()
    make_family("other@example.com")
    signed_in_past_second_step(other, "other@example.com")
    response = other.get(progress_url(world))
    assert response.status_code == 404
    assert "Jamie" not in response.get_data(as_text=True)
    for url in (f"{staff_url(world)}/officer", f"{staff_url(world)}/step"):
        assert post(world["clients"]["family"], url, {"officer": "1", "step": "closed"}).status_code == 403
    database.session.refresh(world["case"])
    assert (world["case"].step, world["case"].officer_id) == ("submitted", None)


def test_opening_the_progress_page_is_audited(world):
    family = world["family"]

    def viewed() -> int:
        return database.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.actor_id == family.id,
                AuditEvent.action == VIEWED,
                AuditEvent.record_id == world["case"].id,
            )
        )

    before = viewed()
    get_page(world["clients"]["family"], progress_url(world))
    assert viewed() == before + 1


def poll(client, world, version=None):
    headers = {"HX-Request": "true"}
    if version is not None:
        headers["If-None-Match"] = f'"case-{version}"'
    return client.get(f"{progress_url(world)}/status", headers=headers)


def viewed_rows(world) -> int:
    """The family's views of the case."""
    return database.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == VIEWED,
            AuditEvent.record_id == world["case"].id,
            AuditEvent.actor_id == world["family"].id,
        )
    )


def test_a_poll_answers_304_until_the_case_changes_then_the_new_panel_and_an_update(world):
    family = world["clients"]["family"]
    page = get_page(family, progress_url(world))
    panel = page.find(id="case-progress")
    version = world["case"].version
    assert panel["data-hx-headers"] == f'{{"If-None-Match": "\\"case-{version}\\""}}'
    assert panel["data-hx-trigger"] == "every 60s"
    before = viewed_rows(world)
    unchanged = poll(family, world, version)
    assert (unchanged.status_code, unchanged.data, unchanged.headers["ETag"]) == (
        304,
        b"",
        f'"case-{version}"',
    )
    assert viewed_rows(world) == before  # nothing shown, nothing logged
    move(world, "pat", "submitted", "being_reviewed", internal=INTERNAL)
    changed = poll(family, world, version)
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200
    assert (
        "Being reviewed" in html
        and '<p id="case-update" data-hx-swap-oob="innerHTML">Update: Being reviewed</p>' in html
    )
    assert f'\\"case-{version + 1}\\"' in html  # the next poll sends the new version
    assert INTERNAL not in html
    assert viewed_rows(world) == before + 1


def test_a_poll_never_renews_the_session_and_stops_when_signed_out_or_the_case_ends(world, app):
    family = world["clients"]["family"]
    with family.session_transaction() as session:
        session["last_seen"] = last_seen = session["last_seen"] - 120
    assert poll(family, world, 0).status_code == 200
    with family.session_transaction() as session:
        assert session["last_seen"] == last_seen
    anonymous = app.test_client()
    signed_out = poll(anonymous, world, 0)
    assert (signed_out.status_code, signed_out.data) == (286, b"")
    move(world, "pat", "submitted", "closed", "You asked us to stop.")
    ended = poll(family, world, 0)
    assert ended.status_code == 286 and "Closed" in ended.get_data(as_text=True)
    assert "data-hx-get" not in ended.get_data(as_text=True)  # nothing left to ask for


def test_another_family_polling_gets_404(world, app):
    other = app.test_client()
    make_family("other@example.com")
    signed_in_past_second_step(other, "other@example.com")
    response = poll(other, world, 0)
    assert response.status_code == 404 and "Jamie" not in response.get_data(as_text=True)


def test_staff_record_an_exception_with_its_dates_and_reason(world):
    pat = world["clients"]["pat"]
    url = f"{staff_url(world)}/exception"
    soup = post_page(pat, url, {})
    assert error_messages(soup) == [  # in the order of the fields on the page
        "Select the exception that applies",
        "Enter the start date",
        "Enter the reason for the exception",
    ]
    typed = {
        "kind": "setting_closed",
        "starts_day": "1",
        "starts_month": "4",
        "starts_year": "2026",
        "ends_day": "31",
        "ends_month": "3",
        "ends_year": "2026",
        "reason": "The school was closed by flooding.",
    }
    soup = post_page(pat, url, typed)
    assert error_messages(soup) == ["The end date must be the same as or after the start date"]
    assert soup.find(id="ends_day")["value"] == "31" and soup.find(id="starts_month")["value"] == "4"
    assert soup.find(id="reason").get_text() == "The school was closed by flooding."
    response = post(pat, url, {**typed, "ends_day": "", "ends_month": "", "ends_year": ""})
    assert response.status_code == 302
    with time_machine.travel(datetime(2026, 4, 22, 9, 0, tzinfo=UTC), tick=False):
        signed_in_past_second_step(pat, "pat@somerset.gov.uk")
        soup = get_page(pat, staff_url(world))
    text = " ".join(soup.get_text().split())
    assert (
        "The school or setting was closed for 4 weeks or more: from 1 April 2026. The school was closed"
        in text
    )
    assert "Exception applies" in text and "Overdue" not in text
    family_page = get_page(world["clients"]["family"], progress_url(world))
    assert "flooding" not in str(family_page)


def test_the_family_answers_a_request_for_more_information_and_the_case_goes_back_to_review(world):
    family = world["clients"]["family"]
    answer_url = f"{progress_url(world)}/answer"
    refused = post(family, answer_url, {"answer": "Not asked yet"})
    assert refused.status_code == 409 and "Not asked yet" in refused.get_data(as_text=True)
    assign(world, "pat", world["pat"])
    move(world, "pat", "being_reviewed", "more_information", "Please send the latest school report.")
    page = get_page(family, progress_url(world))
    assert page.find("form", id="answer-form") is not None
    soup = post_page(family, answer_url, {"answer": "  "})
    assert error_messages(soup) == ["Enter your answer"]
    assert field_error(soup, "answer") == "Error: Enter your answer"
    response = post(family, answer_url, {"answer": "The report is attached to my email of 3 March."})
    assert response.status_code == 302
    page = get_page(family, progress_url(world))
    assert "Your answer has been sent to the team" in page.get_text()
    assert summary(page)["Where it is now"].startswith("Being reviewed")
    assert page.find("form", id="answer-form") is None
    assert (
        "Your answer" in page.get_text()
        and "The report is attached to my email of 3 March." in page.get_text()
    )
    staff_text = get_page(world["clients"]["pat"], staff_url(world)).get_text()
    assert (
        "The family answered" in staff_text and "The report is attached to my email of 3 March." in staff_text
    )
    database.session.refresh(world["case"])
    assert world["case"].next_due_on == date(2026, 4, 20)  # the decision is still due when the law says


def test_another_family_cannot_answer(world, app):
    other = app.test_client()
    make_family("other@example.com")
    signed_in_past_second_step(other, "other@example.com")
    assign(world, "pat", world["pat"])
    move(world, "pat", "being_reviewed", "more_information", "Please send the latest school report.")
    assert post(other, f"{progress_url(world)}/answer", {"answer": "mine now"}).status_code == 404
    database.session.refresh(world["case"])
    assert world["case"].step == "more_information"


def test_a_family_withdraws_its_request_until_the_final_plan(world, mailbox):
    family = world["clients"]["family"]
    page = get_page(family, progress_url(world))
    withdraw_url = page.find("a", string="Withdraw this request")["href"]
    assert get_page(family, withdraw_url).h1.get_text() == "Withdraw this request?"
    response = post(family, withdraw_url, {"reason": "We have moved to Devon."})
    assert response.status_code == 302
    page = get_page(family, progress_url(world))
    assert "Your request has been withdrawn" in page.get_text()
    assert summary(page)["Where it is now"].startswith("Withdrawn")
    assert page.find("a", string="Withdraw this request") is None
    assert "We have moved to Devon." in get_page(world["clients"]["pat"], staff_url(world)).get_text()
    again = post(family, withdraw_url, {"reason": "Twice"})
    assert again.status_code == 409
    assert check_page(again.get_data(as_text=True)).h1.get_text() == "This request cannot be withdrawn"
    emails = mailbox.wait_for("parent@example.com")
    assert "it has been withdrawn" in mailbox.text(emails[-1]) and "Devon" not in mailbox.text(emails[-1])


def test_another_family_cannot_withdraw_it(world, app):
    other = app.test_client()
    make_family("other@example.com")
    signed_in_past_second_step(other, "other@example.com")
    url = f"/send/requests/{world['case'].public_id}/withdraw"
    assert other.get(url).status_code == 404
    assert post(other, url, {}).status_code == 404
    database.session.refresh(world["case"])
    assert world["case"].step == "submitted"


def test_the_send_home_list_polls_304_until_a_request_changes(world, app):
    family = world["clients"]["family"]
    home = get_page(family, "/send")
    panel = home.find(id="your-requests")
    version = panel["data-hx-headers"].split('\\"')[1]
    headers = {"HX-Request": "true", "If-None-Match": f'"{version}"'}
    assert family.get("/send/requests-status", headers=headers).status_code == 304
    assign(world, "pat", world["pat"])
    changed = family.get("/send/requests-status", headers=headers)
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "Being reviewed" in html
    assert (
        'id="requests-update" data-hx-swap-oob="innerHTML">Update: the progress of your requests has changed'
        in html
    )
    assert app.test_client().get("/send/requests-status", headers=headers).status_code == 286


# --- Letters with decisions, and documents with the family's answer -------------------------------------


def stored_files(app) -> set[str]:
    folder = app.config["DOCUMENT_FOLDER"]
    return {path.name for path in Path(folder).rglob("*") if path.is_file()}


def test_a_decision_needs_its_letter_and_only_a_pdf_will_do(world, app):
    assign(world, "pat", world["pat"])
    url = f"{staff_url(world)}/step"
    typed = {
        "seen_step": "being_reviewed",
        "step": "not_agreed_to_assess",
        "note_for_family": "The school can meet the needs.",
        "confirmed": "y",
    }
    soup = post_page(world["clients"]["pat"], url, typed)
    assert error_messages(soup) == ["Choose the decision letter: a PDF the family can download"]
    assert field_error(soup, "letter") == "Error: Choose the decision letter: a PDF the family can download"
    before = stored_files(app)
    soup = post_page(world["clients"]["pat"], url, {**typed, "letter": (io.BytesIO(files.png()), "scan.png")})
    assert error_messages(soup) == ["scan.png must be a PDF"]
    assert soup.find(id="note_for_family").get_text() == "The school can meet the needs."
    assert stored_files(app) == before
    database.session.refresh(world["case"])
    assert world["case"].step == "being_reviewed"
    assert database.session.scalar(select(func.count(Document.id))) == 0


def test_the_family_downloads_the_decision_letter_and_nobody_else_can(world, app, mailbox):
    assign(world, "pat", world["pat"])
    data = {
        "seen_step": "being_reviewed",
        "step": "not_agreed_to_assess",
        "note_for_family": "The school can meet the needs.",
        "confirmed": "y",
        "letter": letter("refusal"),
    }
    assert post(world["clients"]["pat"], f"{staff_url(world)}/step", data).status_code == 302
    family = world["clients"]["family"]
    page = get_page(family, progress_url(world))
    heading = page.find("h2", string="Letters and plans from the council")
    link = heading.find_next("a")
    assert link.get_text() == "refusal letter.pdf"
    download = family.get(link["href"])
    assert download.status_code == 200
    assert download.data == letter("refusal")[0].getvalue()
    assert download.headers["Content-Disposition"] == 'attachment; filename="refusal letter.pdf"'
    # the same letter under the decision in the timeline, and in the live panel
    assert [a["href"] for a in page.select("#case-progress ol a")] == [link["href"]]
    # not part of the request as the family sent it
    sent = get_page(family, f"/send/requests/{world['case'].public_id}")
    assert sent.find("a", href=link["href"]) is None
    child_documents = get_page(family, f"/send/children/{world['case'].child.public_id}/documents")
    assert child_documents.find("a", href=link["href"]) is None
    # staff see it on the case page's timeline
    assert get_page(world["clients"]["pat"], staff_url(world)).find("a", href=link["href"]) is not None
    other = app.test_client()
    make_family("other@example.com")
    signed_in_past_second_step(other, "other@example.com")
    assert other.get(link["href"]).status_code == 404
    emails = mailbox.wait_for("parent@example.com", count=2)
    assert all("refusal" not in mailbox.text(email) for email in emails)


def test_the_family_answers_with_documents_and_the_officer_is_told(world, app, mailbox):
    family = world["clients"]["family"]
    assign(world, "pat", world["pat"])
    move(world, "pat", "being_reviewed", "more_information", "Please send the latest school report.")
    answer_url = f"{progress_url(world)}/answer"
    before = stored_files(app)
    soup = post_page(
        family,
        answer_url,
        {
            "answer": "The school report is attached.",
            "files": [letter("report")[0], (io.BytesIO(files.EXECUTABLE), "setup.exe")],
        },
    )
    assert error_messages(soup) == ["setup.exe must be a PDF, JPG, PNG, HEIC, Word or OpenDocument text file"]
    assert soup.find(id="answer").get_text() == "The school report is attached."
    assert stored_files(app) == before  # the good file was not kept without the answer
    database.session.refresh(world["case"])
    assert world["case"].step == "more_information"
    response = post(
        family,
        answer_url,
        {"answer": "The school report is attached.", "files": [(letter("report")[0], "report.pdf")]},
    )
    assert response.status_code == 302
    page = get_page(family, progress_url(world))
    [link] = page.select("#case-progress ol a")
    assert link.get_text() == "report.pdf"
    staff_page = get_page(world["clients"]["pat"], staff_url(world))
    staff_link = staff_page.find("a", href=link["href"])
    assert staff_link is not None and "Sent with an answer to the team" in staff_link.parent.get_text()
    assert world["clients"]["pat"].get(link["href"]).data == letter("report")[0].getvalue()
    [told] = mailbox.wait_for("pat@somerset.gov.uk")
    assert told["Subject"] == f"The family answered on request {world['case'].reference}"
    body = mailbox.text(told) + mailbox.html(told)
    assert f"/staff/requests/{world['case'].public_id}" in body
    for detail in (*CHILD_DETAILS, "school report"):
        assert detail not in body


def test_a_letter_for_a_decision_someone_else_took_first_is_not_kept(world, app):
    assign(world, "pat", world["pat"])
    assert move(world, "sam", "being_reviewed", "agreed_to_assess").status_code == 302
    kept = stored_files(app)
    assert move(world, "pat", "being_reviewed", "not_agreed_to_assess", "No.").status_code == 409
    assert stored_files(app) == kept
    assert database.session.scalar(select(func.count(Document.id))) == 1


# --- The draft plan and the final plan ------------------------------------------------------------------


def at_plan_to_be_issued(world) -> None:
    moved_on(world["pat"], world["case"], until="plan_to_be_issued")


def staff_move_on(world, when: datetime, seen: str, step: str, marker: str):
    with time_machine.travel(when, tick=False):
        signed_in_past_second_step(world["clients"]["pat"], "pat@somerset.gov.uk")
        data = {"seen_step": seen, "step": step, "confirmed": "y", "letter": letter(marker)}
        return post(world["clients"]["pat"], f"{staff_url(world)}/step", data)


@pytest.mark.parametrize(
    "issued, weeks, verdict",
    [
        (datetime(2026, 7, 20, 11, 0, tzinfo=UTC), 19, "within the 20 weeks the law allows"),
        (datetime(2026, 8, 3, 11, 0, tzinfo=UTC), 21, "later than the 20 weeks the law allows"),
    ],
    ids=["in-time", "late"],
)
def test_the_draft_plan_has_its_comment_date_and_the_final_plan_its_20_week_measure(
    world, mailbox, issued, weeks, verdict
):
    at_plan_to_be_issued(world)
    family = world["clients"]["family"]
    sent = datetime(2026, 6, 22, 16, 0, tzinfo=UTC)  # 5pm in London: still 22 June
    assert staff_move_on(world, sent, "plan_to_be_issued", "draft_plan_sent", "draft").status_code == 302
    with time_machine.travel(datetime(2026, 6, 23, 9, 0, tzinfo=UTC), tick=False):
        signed_in_past_second_step(family, "parent@example.com")
        page = get_page(family, progress_url(world))
        banner = page.select_one(".govuk-notification-banner")
        assert "Comment on the draft EHC plan by 7 July 2026" in banner.get_text()  # 22 June + 15 days
        download = banner.find("a", string="Download the draft plan")
        assert family.get(download["href"]).data == letter("draft")[0].getvalue()
        home = " ".join(get_page(family, "/send").get_text().split())
        assert "Comment on the draft plan by 7 July 2026" in home
    # after the last day, the banner says it has passed and what to do
    signed_in_past_second_step(family, "parent@example.com")
    banner = get_page(family, progress_url(world)).select_one(".govuk-notification-banner")
    assert "The last day to comment on the draft EHC plan was 7 July 2026" in banner.get_text()
    assert banner.find("a", string="If you still want to comment") is not None
    emails = mailbox.wait_for("parent@example.com", count=5)
    assert any("a draft plan has been sent to you" in mailbox.text(email) for email in emails)

    response = staff_move_on(world, issued, "draft_plan_sent", "final_plan_issued", "final")
    assert response.status_code == 302
    page = get_page(family, progress_url(world))
    row = summary(page)["Final plan issued"]
    assert row.startswith(
        f"{uk_day(issued.date())}, {weeks} weeks after the request was received: {verdict}."
    )
    final = page.find("a", string="Download the final plan")
    assert family.get(final["href"]).data == letter("final")[0].getvalue()
    appeal = statutory.appeal_deadline(issued.date())
    assert f"Appeal by {uk_day(appeal)}" in " ".join(page.get_text().split())
    assert page.select_one(".govuk-notification-banner") is None  # nothing more to comment on
    assert "Comment on the draft plan" not in get_page(family, "/send").get_text()


def test_the_draft_and_final_plans_must_be_sent_with_the_plan(world):
    at_plan_to_be_issued(world)
    soup = post_page(
        world["clients"]["pat"],
        f"{staff_url(world)}/step",
        {"seen_step": "plan_to_be_issued", "step": "draft_plan_sent", "confirmed": "y"},
    )
    assert error_messages(soup) == ["Choose the draft EHC plan: a PDF the family can download"]
