"""Advice for an assessment: staff ask each professional, the advice is due 6 weeks later, is chased,
received and shared; the family sees who was asked and when it is due, and the advice only once shared."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extensions import db as database
from models import AdviceRequest, CaseEvent, User
from models.cases import CaseStep
from services import advice, cases
from services.clock import now, uk_day
from tests import files
from tests.concurrency import run_together
from tests.pages import error_messages, field_error, get_page, post, post_page
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_staff,
    moved_on,
    signed_in_past_second_step,
    submitted_case,
)

CHILD_DETAILS = ("Jamie", "Rivers", "Taunton Primary", "TA1 1HE")
PROVIDER = "Somerset Educational Psychology Service"


def pdf(marker: str) -> bytes:
    return files.PDF.replace(b"%%EOF", f"% {marker}\n%%EOF".encode())


@pytest.fixture
def world(app, db):
    family = make_family("parent@example.com", first_name="Robin")
    pat = make_staff("pat@somerset.gov.uk")
    child = make_child()
    approved_link(family, child)
    case = submitted_case(family, child, now() - timedelta(days=20))
    moved_on(pat, case, until="agreed_to_assess")
    clients = {"family": app.test_client(), "pat": app.test_client()}
    signed_in_past_second_step(clients["family"], "parent@example.com")
    signed_in_past_second_step(clients["pat"], "pat@somerset.gov.uk")
    return {"case": case, "clients": clients, "pat": pat, "family": family}


def case_url(world) -> str:
    return f"/staff/requests/{world['case'].public_id}"


def progress_url(world) -> str:
    return f"/send/requests/{world['case'].public_id}/progress"


def ask(world, kind: str = "educational_psychologist", provider: str = PROVIDER, asked: date | None = None):
    asked = asked or now().date()
    return post(
        world["clients"]["pat"],
        f"{case_url(world)}/advice",
        {
            "advice_kind": kind,
            "provider": provider,
            "asked_day": asked.day,
            "asked_month": asked.month,
            "asked_year": asked.year,
        },
    )


def only_advice() -> AdviceRequest:
    return database.session.scalars(select(AdviceRequest)).one()


def receive(
    world, item: AdviceRequest, data: bytes = b"", name: str = "ep report.pdf", on: date | None = None
):
    on = on or now().date()
    return post(
        world["clients"]["pat"],
        f"/staff/advice/{item.public_id}/receive",
        {
            "received_day": on.day,
            "received_month": on.month,
            "received_year": on.year,
            "advice": (io.BytesIO(data or pdf("advice")), name),
        },
    )


def share(world, item: AdviceRequest):
    return post(world["clients"]["pat"], f"/staff/advice/{item.public_id}/share", {"checked": "y"})


def advice_table(soup) -> list[list[str]]:
    heading = soup.find("h2", string="Advice for the assessment")
    table = heading.find_next("table")
    return [
        [" ".join(cell.get_text().split()) for cell in row.select("td")] for row in table.select("tbody tr")
    ]


def test_asking_the_first_professional_starts_the_assessment_and_the_family_sees_who_and_when(world, mailbox):
    today = now().date()
    assert ask(world).status_code == 302
    database.session.refresh(world["case"])
    assert world["case"].step == CaseStep.ASSESSMENT_UNDER_WAY
    due = today + timedelta(weeks=6)
    page = get_page(world["clients"]["family"], progress_url(world))
    assert advice_table(page) == [
        [f"Educational psychologist: {PROVIDER}", uk_day(today), uk_day(due), "Not yet"]
    ]
    assert f"Advice asked for from Educational psychologist: {PROVIDER}" in page.get_text()
    emails = mailbox.wait_for("parent@example.com", count=3)  # officer, decision, then the assessment
    assert "the assessment has started" in mailbox.text(emails[-1])
    # a second professional: the case stays where it is, and the family is not emailed again for it
    assert ask(world, "health", "Dr Patel, community paediatrics").status_code == 302
    database.session.refresh(world["case"])
    assert world["case"].step == CaseStep.ASSESSMENT_UNDER_WAY
    assert len(advice_table(get_page(world["clients"]["family"], progress_url(world)))) == 2
    staff_page = get_page(world["clients"]["pat"], case_url(world))
    assert staff_page.find("a", string="Health: Dr Patel, community paediatrics") is not None


def test_asking_needs_who_and_a_date_not_in_the_future_and_keeps_what_was_typed(world):
    tomorrow = now().date() + timedelta(days=1)
    soup = post_page(
        world["clients"]["pat"],
        f"{case_url(world)}/advice",
        {
            "provider": PROVIDER,
            "asked_day": tomorrow.day,
            "asked_month": tomorrow.month,
            "asked_year": tomorrow.year,
        },
    )
    assert error_messages(soup) == [
        "Select who is being asked for advice",
        "The date asked must be today or in the past",
    ]
    assert soup.find(id="provider")["value"] == PROVIDER
    assert soup.find(id="asked_day")["value"] == str(tomorrow.day)
    assert database.session.scalar(select(func.count(AdviceRequest.id))) == 0


def test_advice_is_asked_for_only_once_the_council_has_agreed_to_assess(app, db, world):
    cases.move(world["pat"], world["case"], CaseStep.AGREED_TO_ASSESS, CaseStep.CLOSED, "Moved away")
    response = ask(world)
    assert response.status_code == 409
    assert "Nothing was recorded" in response.get_data(as_text=True)
    assert database.session.scalar(select(func.count(AdviceRequest.id))) == 0


def test_advice_past_its_date_is_overdue_on_the_case_page_and_the_caseload(world):
    asked = now().date() - timedelta(weeks=6, days=1)
    ask(world, asked=asked)
    ask(world, "health", "Dr Patel")
    staff = world["clients"]["pat"]
    rows = advice_table(get_page(staff, case_url(world)))
    assert rows[0][2] == f"{uk_day(asked + timedelta(weeks=6))} Overdue"
    assert "Overdue" not in rows[1][2]
    cases_page = get_page(staff, "/staff/cases")
    assert "Advice overdue: 1" in cases_page.get_text()
    assert "1 with advice overdue" in " ".join(cases_page.get_text().split())
    filtered = get_page(staff, "/staff/cases?due=advice")
    assert filtered.find("a", string=world["case"].reference) is not None
    # once received, it is no longer overdue
    receive(world, only_advice_of("educational_psychologist"))
    assert "Advice overdue:" not in get_page(staff, "/staff/cases").get_text()
    assert get_page(staff, "/staff/cases?due=advice").find("a", string=world["case"].reference) is None


def only_advice_of(kind: str) -> AdviceRequest:
    return database.session.scalars(select(AdviceRequest).where(AdviceRequest.kind == kind)).one()


def test_the_family_never_sees_advice_until_it_is_shared(world, app, mailbox):
    ask(world)
    item = only_advice()
    assert receive(world, item).status_code == 302
    database.session.refresh(item)
    document = item.document
    family = world["clients"]["family"]
    page = get_page(family, progress_url(world))
    assert advice_table(page)[0][3] == uk_day(now().date())  # they see that it has come
    assert "ep report.pdf" not in str(page)
    poll = family.get(f"{progress_url(world)}/status")
    assert poll.status_code == 200 and "ep report.pdf" not in poll.get_data(as_text=True)
    assert document.public_id not in poll.get_data(as_text=True)
    assert family.get(f"/documents/{document.public_id}/download").status_code == 404
    assert world["clients"]["pat"].get(f"/documents/{document.public_id}/download").data == pdf("advice")
    # nor is it listed as something the family sent
    sent = get_page(world["clients"]["pat"], case_url(world))
    assert "Advice received from" in sent.get_text()  # on the team's timeline
    assert "Advice received from" not in page.get_text()

    assert share(world, item).status_code == 302
    page = get_page(family, progress_url(world))
    link = page.find("a", string="ep report.pdf")
    assert link is not None
    assert family.get(link["href"]).data == pdf("advice")
    assert f"Advice shared with you: Educational psychologist: {PROVIDER}" in page.get_text()
    shared_email = mailbox.wait_for("parent@example.com", count=4)[-1]
    body = mailbox.text(shared_email) + mailbox.html(shared_email)
    assert "advice for the assessment has been shared with you" in body
    for detail in (*CHILD_DETAILS, "Psychology", "ep report"):
        assert detail not in body


def test_advice_is_received_once_and_shared_once(world, app):
    ask(world)
    item = only_advice()
    assert share(world, item).status_code == 409  # nothing received yet
    folder = Path(app.config["DOCUMENT_FOLDER"])
    assert receive(world, item).status_code == 302
    stored = {path.name for path in folder.rglob("*") if path.is_file()}
    again = receive(world, item, pdf("second"), "second.pdf")
    assert again.status_code == 409
    assert {path.name for path in folder.rglob("*") if path.is_file()} == stored
    assert share(world, item).status_code == 302
    assert share(world, item).status_code == 409
    kinds = [event.kind for event in cases.events_of(world["case"])]
    assert kinds.count("advice_received") == 1 and kinds.count("advice_shared") == 1


def test_receiving_needs_the_document_and_a_date_on_or_after_the_asking(world):
    ask(world, asked=now().date() - timedelta(days=3))
    item = only_advice()
    before = now().date() - timedelta(days=4)
    soup = post_page(
        world["clients"]["pat"],
        f"/staff/advice/{item.public_id}/receive",
        {"received_day": before.day, "received_month": before.month, "received_year": before.year},
    )
    assert error_messages(soup) == [
        "The date received must be on or after the date asked",
        "Choose the advice: the document the professional sent",
    ]
    assert field_error(soup, "advice") == "Error: Choose the advice: the document the professional sent"
    refused = post_page(
        world["clients"]["pat"],
        f"/staff/advice/{item.public_id}/receive",
        {
            "received_day": now().day,
            "received_month": now().month,
            "received_year": now().year,
            "advice": (io.BytesIO(files.EXECUTABLE), "advice.exe"),
        },
    )
    assert "advice.exe must be a PDF, JPG, PNG, HEIC, Word or OpenDocument text file" in error_messages(
        refused
    )
    database.session.refresh(item)
    assert item.received_on is None


def test_chasing_is_the_team_s_own_record(world):
    ask(world)
    item = only_advice()
    response = post(world["clients"]["pat"], f"/staff/advice/{item.public_id}/chase", {})
    assert response.status_code == 302
    database.session.refresh(item)
    assert item.chased_on == now().date()
    assert "Advice chased from" in get_page(world["clients"]["pat"], case_url(world)).get_text()
    assert "chased" not in get_page(world["clients"]["family"], progress_url(world)).get_text().lower()


def test_families_are_refused_every_advice_url_and_another_family_never_sees_it(world, app):
    ask(world)
    item = only_advice()
    receive(world, item)
    database.session.refresh(item)
    other = app.test_client()
    make_family("other@example.com")
    signed_in_past_second_step(other, "other@example.com")
    for client in (world["clients"]["family"], other):  # staff pages: 403 for any family
        assert client.get(f"/staff/advice/{item.public_id}").status_code == 403
        for action in ("chase", "receive", "share"):
            assert (
                post(client, f"/staff/advice/{item.public_id}/{action}", {"checked": "y"}).status_code == 403
            )
        assert post(client, f"{case_url(world)}/advice", {"advice_kind": "health"}).status_code == 403
    download = f"/documents/{item.document.public_id}/download"
    assert other.get(download).status_code == 404
    share(world, item)
    assert world["clients"]["family"].get(download).status_code == 200
    assert other.get(download).status_code == 404
    assert other.get(progress_url(world)).status_code == 404
    assert other.get(f"{progress_url(world)}/status").status_code == 404
    database.session.refresh(item)
    assert item.received_on is not None and item.chased_on is None


def test_two_people_sharing_at_once_share_once(app, db, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    sam = make_staff("sam@somerset.gov.uk")
    ask(world)
    item = only_advice()
    receive(world, item)
    advice_id = item.id

    def act(ready, staff_id: int) -> str:
        with app.app_context():
            staff = database.session.get(User, staff_id)
            found = database.session.get(AdviceRequest, advice_id)
            ready()
            try:
                advice.share(staff, found)
                outcome = "shared"
            except advice.NotNow:
                outcome = "refused"
            database.session.remove()
            return outcome

    outcomes = run_together(act, [(world["pat"].id,), (sam.id,)])
    assert sorted(outcomes) == ["refused", "shared"]
    shared = database.session.scalar(
        select(func.count(CaseEvent.id)).where(CaseEvent.kind == "advice_shared")
    )
    assert shared == 1
