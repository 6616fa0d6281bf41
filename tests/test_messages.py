"""Conversations with the team: a family and the team exchange messages about a case and about a child;
everyone with parental responsibility sees them (unless a young person keeps them out); nobody else does;
unread counts, the team's inbox, escaping, emails without details, and the thread's conditional poll."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from extensions import db as database
from models import AuditEvent, Message, Thread, ThreadRead, User
from models.audit import CHANGED, VIEWED
from models.cases import CaseStep
from services import cases, messages
from services.clock import now
from tests import files
from tests.concurrency import run_together
from tests.pages import error_messages, get_page, post, post_page
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_link,
    make_staff,
    signed_in_past_second_step,
    submitted_case,
)

CHILD_DETAILS = ("Jamie", "Rivers", "Taunton Primary", "TA1 1HE")


@pytest.fixture
def world(app, db):
    robin = make_family("robin@example.com", first_name="Robin")
    alex = make_family("alex@example.com", first_name="Alex")  # the other parent
    pat = make_staff("pat@somerset.gov.uk")
    child = make_child()
    approved_link(robin, child)
    approved_link(alex, child)
    case = submitted_case(robin, child)
    cases.assign_officer(pat, case, pat, None)
    clients = {name: app.test_client() for name in ("robin", "alex", "pat")}
    for name, email in (
        ("robin", "robin@example.com"),
        ("alex", "alex@example.com"),
        ("pat", "pat@somerset.gov.uk"),
    ):
        signed_in_past_second_step(clients[name], email)
    return {"case": case, "child": child, "clients": clients, "pat": pat, "robin": robin, "alex": alex}


def case_thread(world, staff: bool = False) -> str:
    return f"/{'staff' if staff else 'send'}/requests/{world['case'].public_id}/messages"


def child_thread(world, staff: bool = False) -> str:
    return f"/{'staff' if staff else 'send'}/children/{world['child'].public_id}/messages"


def said(soup) -> list[tuple[str, str]]:
    return [
        (item.h2.get_text(strip=True), item.select_one(".app-answer").get_text())
        for item in soup.select("li.app-message")
    ]


def test_a_family_and_the_team_hold_a_conversation_about_a_case(world, mailbox):
    robin, alex, pat = (world["clients"][name] for name in ("robin", "alex", "pat"))
    response = post(robin, case_thread(world), {"body": "When will we hear about the decision?"})
    assert response.status_code == 302
    page = get_page(robin, case_thread(world))
    assert said(page) == [("You", "When will we hear about the decision?")]
    assert "Your message has been sent" in page.get_text()
    # the team's inbox shows it waiting, with the case's officer
    inbox = get_page(pat, "/staff/messages")
    row = inbox.find("a", string=world["case"].reference).find_parent("tr")
    assert "Pat Morgan" in row.get_text() and "Under an hour" in row.get_text()
    assert "1 assigned to you" in " ".join(get_page(pat, "/staff").get_text().split())
    # a reply, as the team with the officer's first name only
    assert post(pat, case_thread(world, staff=True), {"body": "By 20 January. Pat"}).status_code == 302
    assert get_page(pat, "/staff/messages").find("a", string=world["case"].reference) is None
    for client in (robin, alex):
        home = get_page(client, "/account")
        assert "Messages 1 new" in " ".join(
            home.find("nav", attrs={"aria-label": "Account"}).get_text().split()
        )
    page = get_page(alex, case_thread(world))
    assert said(page) == [
        ("Robin Morgan", "When will we hear about the decision?"),
        ("SEND Assessment Hub Team (Pat)", "By 20 January. Pat"),
    ]
    team_names = [h2.get_text() for h2 in page.select("li.app-message h2") if "Team" in h2.get_text()]
    assert team_names == ["SEND Assessment Hub Team (Pat)"]  # the officer's first name only
    assert page.find(id="new-messages") is not None  # "New" above what Alex had not read
    assert "new" not in get_page(alex, "/account").find("nav", attrs={"aria-label": "Account"}).get_text()
    staff_view = get_page(pat, case_thread(world, staff=True))
    assert "Read by the family" in staff_view.get_text()
    # each family member is emailed which request and where, and nothing of the message
    for address in ("robin@example.com", "alex@example.com"):
        [email] = [e for e in mailbox.wait_for(address) if e["Subject"].startswith("New message")]
        assert email["Subject"] == f"New message about your request {world['case'].reference}"
        body = mailbox.text(email) + mailbox.html(email)
        assert case_thread(world) in body
        for detail in (*CHILD_DETAILS, "20 January", "Pat"):
            assert detail not in body


def test_a_family_writes_about_their_child_outside_a_case_with_a_document(world):
    robin, alex, pat = (world["clients"][name] for name in ("robin", "alex", "pat"))
    report = (io.BytesIO(files.PDF), "school letter.pdf")
    assert (
        post(robin, child_thread(world), {"body": "A letter from school", "files": [report]}).status_code
        == 302
    )
    page = get_page(alex, child_thread(world))
    link = page.find("a", string="school letter.pdf")
    assert alex.get(link["href"]).data == files.PDF
    assert pat.get(link["href"]).data == files.PDF
    inbox = get_page(pat, "/staff/messages?show=unassigned")
    assert inbox.find("a", string="Jamie Rivers") is not None


def test_messages_come_back_escaped_with_their_line_breaks_and_links_not_made_clickable(world, mailbox):
    robin, pat = world["clients"]["robin"], world["clients"]["pat"]
    text = "<script>alert('x')</script>\nSecond line https://example.com/" + "a" * 3000
    post(robin, case_thread(world), {"body": text})
    raw = get_page(pat, case_thread(world, staff=True))
    [(_, shown)] = said(raw)
    assert shown == text
    html = str(raw)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert raw.find("a", href="https://example.com/" + "a" * 3000) is None


def test_a_message_must_be_written_and_not_too_long_and_what_was_typed_is_kept(world):
    robin = world["clients"]["robin"]
    soup = post_page(robin, case_thread(world), {"body": "   "})
    assert error_messages(soup) == ["Enter your message"]
    long = "x" * 5001
    soup = post_page(robin, case_thread(world), {"body": long})
    assert error_messages(soup) == ["Your message must be 5,000 characters or fewer"]
    assert soup.find(id="body").get_text() == long
    assert database.session.scalar(select(func.count(Message.id))) == 0


def test_another_family_gets_404_on_every_thread_url(world, app):
    stranger = app.test_client()
    make_family("stranger@example.com")
    signed_in_past_second_step(stranger, "stranger@example.com")
    post(world["clients"]["robin"], case_thread(world), {"body": "Ours"})
    for address in (case_thread(world), child_thread(world)):
        assert stranger.get(address).status_code == 404
        assert stranger.get(f"{address}/status").status_code == 404
        assert post(stranger, address, {"body": "Theirs"}).status_code == 404
    for address in (case_thread(world, staff=True), child_thread(world, staff=True), "/staff/messages"):
        assert stranger.get(address).status_code == 403
    assert database.session.scalar(select(func.count(Message.id))) == 1


def test_a_young_person_chooses_whether_their_parents_see_their_conversations(world, app):
    young = make_family("young@example.com", first_name="Jamie")
    link = make_link(young, world["child"], state="approved")
    link.relationship_to_child, link.has_parental_responsibility = "young_person", False
    database.session.commit()
    jamie = app.test_client()
    signed_in_past_second_step(jamie, "young@example.com")
    post(jamie, child_thread(world), {"body": "Can I come to the meeting?"})
    assert world["clients"]["alex"].get(child_thread(world)).status_code == 404
    # the one who made the request still sees their case's thread
    assert world["clients"]["robin"].get(case_thread(world)).status_code == 200
    young.parents_see_messages = True
    database.session.commit()
    assert said(get_page(world["clients"]["alex"], child_thread(world))) == [
        ("Jamie Morgan", "Can I come to the meeting?")
    ]


def test_the_thread_s_poll_answers_304_until_a_message_arrives(world):
    robin, pat = world["clients"]["robin"], world["clients"]["pat"]
    post(robin, case_thread(world), {"body": "Hello"})
    version = database.session.scalar(select(Thread.version))
    headers = {"HX-Request": "true", "If-None-Match": f'"thread-{version}"'}
    unchanged = robin.get(f"{case_thread(world)}/status", headers=headers)
    assert unchanged.status_code == 304 and unchanged.data == b""
    post(pat, case_thread(world, staff=True), {"body": "Hello from the team"})
    changed = robin.get(f"{case_thread(world)}/status", headers=headers)
    assert changed.status_code == 200
    body = changed.get_data(as_text=True)
    assert "Hello from the team" in body and "New message from the SEND Assessment Hub Team" in body


def test_no_reply_needed_takes_a_thread_out_of_the_inbox(world):
    robin, pat = world["clients"]["robin"], world["clients"]["pat"]
    post(robin, case_thread(world), {"body": "Thank you"})
    assert post(pat, f"{case_thread(world, staff=True)}/no-reply", {}).status_code == 302
    assert get_page(pat, "/staff/messages").find("a", string=world["case"].reference) is None
    assert post(pat, f"{case_thread(world, staff=True)}/no-reply", {}).status_code == 302  # said so, harmless


def test_reading_and_sending_are_audited(world):
    robin = world["clients"]["robin"]

    def rows(action: str) -> int:
        return database.session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.actor_id == world["robin"].id,
                AuditEvent.action == action,
                AuditEvent.record_id == world["case"].id,
                AuditEvent.record_type == "assessment_request",
            )
        )

    changed, viewed = rows(CHANGED), rows(VIEWED)
    post(robin, case_thread(world), {"body": "Hello"})
    assert rows(CHANGED) == changed + 1
    get_page(robin, case_thread(world))
    assert rows(VIEWED) == viewed + 1


def three_updates(world, note: str, officer_to, last_step: CaseStep) -> None:
    """Three updates for the family: a reply from the team, a change of officer, and a step."""
    case = world["case"]
    post(world["clients"]["pat"], case_thread(world, staff=True), {"body": f"Reply {note}"})
    database.session.refresh(case)
    cases.assign_officer(world["pat"], case, officer_to, case.officer_id)
    cases.move(world["pat"], case, cases.step_of(case), last_step, "Send the school report")


def test_each_time_sends_each_update_and_one_email_a_day_lists_them_the_next_day(world, app, mailbox):
    sam = make_staff("sam@somerset.gov.uk")
    three_updates(world, "one", sam, CaseStep.MORE_INFORMATION)
    sent = mailbox.wait_for("robin@example.com", count=4)  # the first officer, then these three
    assert len(sent) == 4
    robin = world["clients"]["robin"]
    page = get_page(robin, "/account/emails")
    assert [legend.get_text(strip=True) for legend in page.select("legend")] == [
        "How should we email you about updates on your requests?"
    ]
    assert post(robin, "/account/emails", {"email_updates": "daily"}).status_code == 302
    assert "One email a day" in get_page(robin, "/account").get_text()
    three_updates(world, "two", world["pat"], CaseStep.AGREED_TO_ASSESS)
    time.sleep(0.3)
    assert len(mailbox.to("robin@example.com")) == 4  # held for tomorrow
    tomorrow = now() + timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        result = app.test_cli_runner().invoke(args=["cases", "digest"])
        again = app.test_cli_runner().invoke(args=["cases", "digest"])
    assert result.output == "Sent 1 daily emails.\n" and again.output == "Sent 0 daily emails.\n"
    [daily] = mailbox.wait_for("robin@example.com", count=5)[4:]
    assert daily["Subject"] == "Your updates from the SEND Assessment Hub Team"
    text = " ".join(mailbox.text(daily).split())
    reference = world["case"].reference
    assert f"Request {reference}: a new message from the team http://localhost{case_thread(world)}" in text
    progress = f"http://localhost/send/requests/{world['case'].public_id}/progress"
    assert f"Request {reference}: your officer has changed; a decision has been made {progress}" in text
    body = text + mailbox.html(daily)
    for detail in (*CHILD_DETAILS, "Reply two", "school report"):
        assert detail not in body


def test_the_settings_each_person_is_asked_and_the_officer_s_email(world, app, mailbox):
    pat, robin = world["clients"]["pat"], world["clients"]["robin"]
    page = get_page(pat, "/account/emails")
    assert [legend.get_text(strip=True) for legend in page.select("legend")] == [
        "Email me when a family writes about a case I am the officer for"
    ]
    post(robin, case_thread(world), {"body": "A question about the assessment"})
    [told] = mailbox.wait_for("pat@somerset.gov.uk")
    assert told["Subject"] == f"New message from the family on request {world['case'].reference}"
    body = mailbox.text(told) + mailbox.html(told)
    assert case_thread(world, staff=True) in body and "question" not in body
    assert post(pat, "/account/emails", {"email_on_family_messages": "no"}).status_code == 302
    post(robin, case_thread(world), {"body": "Another question"})
    time.sleep(0.3)
    assert len(mailbox.to("pat@somerset.gov.uk")) == 1
    # a young person is also asked who sees their messages
    young = make_family("young@example.com")
    link = make_link(young, world["child"], state="approved")
    link.relationship_to_child = "young_person"
    database.session.commit()
    jamie = app.test_client()
    signed_in_past_second_step(jamie, "young@example.com")
    legends = [legend.get_text(strip=True) for legend in get_page(jamie, "/account/emails").select("legend")]
    assert legends[1] == "Can the adults linked to your record see your messages with the team?"
    soup = post_page(jamie, "/account/emails", {"email_updates": "each"})
    assert error_messages(soup) == ["Select yes if the adults linked to you can see your messages"]
    post(jamie, "/account/emails", {"email_updates": "each", "parents_see_messages": "yes"})
    database.session.refresh(young)
    assert young.parents_see_messages is True


def test_two_pages_of_the_same_person_reading_at_once_count_it_read_once(app, db, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    for number in range(3):
        post(world["clients"]["pat"], case_thread(world, staff=True), {"body": f"Reply {number}"})
    alex_id = world["alex"].id
    database.session.refresh(world["alex"])
    assert world["alex"].unread_messages == 3

    def act(ready) -> str:
        with app.app_context():
            alex = database.session.get(User, alex_id)
            thread = database.session.scalars(select(Thread)).one()
            ready()
            messages.read(alex, thread)
            database.session.remove()
            return "read"

    assert run_together(act, [(), ()]) == ["read", "read"]
    database.session.refresh(world["alex"])
    assert world["alex"].unread_messages == 0
    markers = database.session.scalar(
        select(func.count(ThreadRead.thread_id)).where(ThreadRead.user_id == alex_id)
    )
    assert markers == 1
