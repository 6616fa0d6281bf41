"""Two officers deciding the same access request (or one family answering from two tabs): one
conditional UPDATE decides, so exactly one change is made, emailed and audited, and whoever came
second is told plainly who acted first and when."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from extensions import db as database
from models import AssessmentRequest, AuditEvent, Child, ChildLink, OutboxMessage, User
from models.audit import CHANGED, DECIDED
from services import assessment_requests, children
from tests.concurrency import run_together
from tests.pages import check_page, get_page, post
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_link,
    signed_in_past_second_step,
)
from tests.test_appendix_a import complete_everything, start

REVIEWED = "Your request to see a child's SEND record has been reviewed"
# "at 4:05pm on 4 December 2026": the time the first decision was made, in UK time
WHEN = r"at \d{1,2}:\d{2}[ap]m on \d{1,2} \w+ \d{4}|at midday on|at midnight on"


@pytest.fixture
def family(db):
    return make_family("parent@example.com", first_name="Robin")


def emails_to_family() -> int:
    return database.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.recipient == "parent@example.com", OutboxMessage.subject == REVIEWED
        )
    )


def audit_rows(action: str, link_id: int) -> int:
    return database.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == action,
            AuditEvent.record_type == "access_request",
            AuditEvent.record_id == link_id,
        )
    )


def needs_postgresql(db) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions")


def race(app, link_id: int, decisions: list[tuple[int, Callable]]) -> list[str]:
    """Each (officer id, decision) runs in its own thread at the same moment; returns "done" for each
    decision made and the message for each refused."""

    def decide(ready, officer_id: int, decision: Callable) -> str:
        with app.app_context():
            officer = database.session.get(User, officer_id)
            link = database.session.get(ChildLink, link_id)
            ready()
            try:
                decision(officer, link)
                outcome = "done"
            except children.NotOpen as refused:
                outcome = refused.message
            database.session.remove()
            return outcome

    return run_together(decide, decisions)


def approve_new(officer, link):
    return children.approve(officer, link, None)


def reject(officer, link):
    return children.reject(officer, link, "We could not match these details.")


def revoke(officer, link):
    return children.revoke(officer, link, "The court order has changed.")


@pytest.mark.parametrize(
    ("first", "second"),
    [(approve_new, approve_new), (approve_new, reject), (reject, reject)],
    ids=["approve-approve", "approve-reject", "reject-reject"],
)
def test_two_officers_deciding_at_once_make_one_decision(app, db, officers, family, first, second):
    needs_postgresql(db)
    pat, sam = officers
    link = make_link(family)
    outcomes = race(app, link.id, [(pat.id, first), (sam.id, second)])
    assert sorted(outcome == "done" for outcome in outcomes) == [False, True]
    [refused] = [outcome for outcome in outcomes if outcome != "done"]
    database.session.expire_all()
    link = database.session.get(ChildLink, link.id)
    winner = database.session.get(User, link.decided_by_id)
    assert refused.startswith(f"This request was already {children.DONE[link.state]} by {winner.full_name} ")
    assert re.search(WHEN, refused)
    assert emails_to_family() == 1
    assert audit_rows(DECIDED, link.id) == 1
    # a record made by an approval that lost is not kept
    assert database.session.scalar(select(func.count(Child.id))) == (1 if link.state == "approved" else 0)


def test_two_officers_revoking_at_once_end_the_link_once(app, db, officers, family):
    needs_postgresql(db)
    pat, sam = officers
    link = approved_link(family, make_child())
    outcomes = race(app, link.id, [(pat.id, revoke), (sam.id, revoke)])
    assert sorted(outcome == "done" for outcome in outcomes) == [False, True]
    [refused] = [outcome for outcome in outcomes if outcome != "done"]
    assert refused.startswith("This link was already revoked by ")
    assert emails_to_family() == 1
    assert audit_rows(DECIDED, link.id) == 1


def test_a_family_answering_from_two_tabs_sends_one_answer(app, db, officers, family):
    needs_postgresql(db)
    pat, _sam = officers
    link = make_link(family, state="more_info")

    def answer(text: str) -> Callable:
        return lambda user, link: children.answer_question(user, link, text)

    outcomes = race(app, link.id, [(family.id, answer("Class 3")), (family.id, answer("Class 4"))])
    assert sorted(outcome == "done" for outcome in outcomes) == [False, True]
    [refused] = [outcome for outcome in outcomes if outcome != "done"]
    assert refused.startswith("This request was already answered by the family at ")
    database.session.expire_all()
    assert database.session.get(ChildLink, link.id).answer in ("Class 3", "Class 4")
    assert audit_rows(CHANGED, link.id) == 1


# --- What the officer who comes second sees (any database) -------------------------------------------


def test_the_second_officer_is_told_who_approved_and_nothing_more_is_sent(app, db, officers, family):
    pat, sam = officers
    link = make_link(family)
    pats, sams = app.test_client(), app.test_client()
    signed_in_past_second_step(pats, "pat@somerset.gov.uk")
    signed_in_past_second_step(sams, "sam@somerset.gov.uk")
    get_page(sams, f"/staff/access/{link.public_id}")  # Sam opens the page, then Pat decides first
    assert post(pats, f"/staff/access/{link.public_id}/approve", {"child": "new"}).status_code == 302
    response = post(sams, f"/staff/access/{link.public_id}/reject", {"reason": "No match."})
    assert response.status_code == 409
    page = get_page_text(response)
    assert re.search(rf"This request was already approved by Pat Morgan ({WHEN})", page)
    assert "Decide" not in page  # no decision form on a decided request
    assert (emails_to_family(), audit_rows(DECIDED, link.id)) == (1, 1)
    database.session.expire_all()
    assert database.session.get(ChildLink, link.id).reason is None


def test_the_second_officer_revoking_is_told_who_revoked(app, db, officers, family):
    link = approved_link(family, make_child())
    pats, sams = app.test_client(), app.test_client()
    signed_in_past_second_step(pats, "pat@somerset.gov.uk")
    signed_in_past_second_step(sams, "sam@somerset.gov.uk")
    assert (
        post(pats, f"/staff/links/{link.public_id}/revoke", {"reason": "Order changed."}).status_code == 302
    )
    response = post(sams, f"/staff/links/{link.public_id}/revoke", {"reason": "Again."})
    assert response.status_code == 409
    assert "This link was already revoked by Pat Morgan at " in get_page_text(response)
    assert (emails_to_family(), audit_rows(DECIDED, link.id)) == (1, 1)


def test_a_family_answering_a_decided_request_is_told_the_team_decided(app, client, db, officers, family):
    pat, _sam = officers
    link = make_link(family, state="more_info")
    children.reject(pat, link, "We could not match these details.")
    signed_in_past_second_step(client, "parent@example.com")
    response = post(client, f"/send/access/{link.public_id}", {"answer": "Class 3"})
    page = get_page_text(response)
    assert "This request was already rejected by the SEND Assessment Hub Team at " in page
    assert "Pat" not in page
    database.session.expire_all()
    assert database.session.get(ChildLink, link.id).answer is None


def get_page_text(response) -> str:
    return " ".join(check_page(response.get_data(as_text=True)).get_text().split())


def test_a_request_for_an_assessment_submitted_from_two_tabs_at_once_is_sent_once(app, client, db, family):
    needs_postgresql(db)
    signed_in_past_second_step(client, "parent@example.com")
    draft = start(client, db, "new")
    complete_everything(client, db, draft)

    def press_submit(ready) -> list:
        with app.app_context():
            owner = database.session.get(User, family.id)
            request = database.session.get(AssessmentRequest, draft.id)
            ready()
            missing = assessment_requests.submit(owner, request)
            database.session.remove()
            return missing

    assert run_together(press_submit, [(), ()]) == [[], []]  # both tabs go on to the submitted page
    submitted = database.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.subject.like("Your request for an EHC%"))
    )
    logged = database.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "submitted", AuditEvent.record_id == draft.id
        )
    )
    links = database.session.scalar(select(func.count(ChildLink.id)))
    assert (submitted, logged, links) == (1, 1, 1)
    database.session.expire_all()
    request = database.session.get(AssessmentRequest, draft.id)
    assert (
        request.state == "submitted"
        and request.reference == f"EHC-{request.submitted_at.year}-{draft.id:06d}"
    )


def test_an_incomplete_decision_on_a_decided_request_says_who_decided(app, db, officers, family):
    pat, _sam = officers
    link = make_link(family)
    children.reject(pat, link, "No match.")
    sams = app.test_client()
    signed_in_past_second_step(sams, "sam@somerset.gov.uk")
    response = post(sams, f"/staff/access/{link.public_id}/approve", {})
    page = get_page_text(response)
    assert "This request was already rejected by Pat Morgan at " in page
    assert "Select a record" not in page
