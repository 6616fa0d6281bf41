"""Every page that shows a child's record writes an audit row, whoever opens it.

The pages are found from the URL map, not listed by hand alone: every GET route is classified here
either as showing a child's record (with how to reach it and what it must log) or as not showing one
(with the reason), and every route that takes a record's public_id must be in the first group. A
new route fails the first test until it is classified, and the second until it writes its row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from extensions import db as database
from models import AdviceRequest, AuditEvent, Plan
from models.audit import CHANGED, DOWNLOADED, VIEWED
from services import assessment_requests, audit, cases, documents, messages, plans
from services.clock import now
from tests import files
from tests.pages import post
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_link,
    make_staff,
    signed_in_past_second_step,
)


@dataclass(frozen=True)
class ShowsAChild:
    who: str  # "family" or "staff"
    record: str  # the key of the record in the `world` fixture whose row is written
    url: Callable[[dict], dict]  # the rule's arguments, from the world
    action: str = VIEWED


def by_public_id(key: str) -> Callable[[dict], dict]:
    return lambda world: {"public_id": world[key].public_id}


SHOWS_A_CHILD: dict[str, ShowsAChild] = {
    "send.home": ShowsAChild("family", "child", lambda world: {}),
    "send.child": ShowsAChild("family", "child", by_public_id("child")),
    "send.access_request": ShowsAChild("family", "link", by_public_id("link")),
    "documents.child_documents": ShowsAChild("family", "child", by_public_id("child")),
    "documents.request_documents": ShowsAChild("family", "link", by_public_id("link")),
    "documents.download": ShowsAChild("family", "document", by_public_id("document"), DOWNLOADED),
    "appendix_a.task_list": ShowsAChild("family", "draft", by_public_id("draft")),
    "appendix_a.section": ShowsAChild(
        "family", "draft", lambda world: {"public_id": world["draft"].public_id, "key": "child"}
    ),
    "appendix_a.check_answers": ShowsAChild("family", "draft", by_public_id("draft")),
    "appendix_a.delete": ShowsAChild("family", "draft", by_public_id("draft")),
    "appendix_a.submitted": ShowsAChild("family", "sent", by_public_id("sent")),
    "appendix_a.progress": ShowsAChild("family", "sent", by_public_id("sent")),
    "appendix_a.withdraw": ShowsAChild("family", "sent", by_public_id("sent")),
    # a poll that finds the case changed shows it (a 304, showing nothing, is not logged: test_case_pages)
    "appendix_a.progress_status": ShowsAChild("family", "sent", by_public_id("sent")),
    "staff.access_request": ShowsAChild("staff", "link", by_public_id("link")),
    "staff.child": ShowsAChild("staff", "child", by_public_id("child")),
    "staff.assessment_request": ShowsAChild("staff", "sent", by_public_id("sent")),
    "staff.share_document": ShowsAChild("staff", "document", by_public_id("document")),
    "advice.advice_page": ShowsAChild("staff", "sent", by_public_id("advice")),
    "plan_response.overview": ShowsAChild("family", "planned", by_public_id("planned")),
    "plan_response.section": ShowsAChild(
        "family", "planned", lambda world: {"public_id": world["planned"].public_id, "key": "school"}
    ),
    "plan_response.check": ShowsAChild("family", "planned", by_public_id("planned")),
    "messages.case_thread": ShowsAChild("family", "sent", by_public_id("sent")),
    "messages.child_thread": ShowsAChild("family", "child", by_public_id("child")),
    # a poll that finds the thread changed shows it, and marks it read
    "messages.case_thread_status": ShowsAChild("family", "sent", by_public_id("sent")),
    "messages.child_thread_status": ShowsAChild("family", "child", by_public_id("child")),
    "messages.staff_case_thread": ShowsAChild("staff", "sent", by_public_id("sent")),
    "messages.staff_child_thread": ShowsAChild("staff", "child", by_public_id("child")),
    "reviews.record_plan": ShowsAChild("staff", "child", by_public_id("child")),
    "reviews.arrange_meeting": ShowsAChild("staff", "child", by_public_id("plan")),
    "reviews.review": ShowsAChild("staff", "child", by_public_id("review")),
    "family_reviews.review": ShowsAChild("family", "child", by_public_id("review")),
    "family_reviews.overview": ShowsAChild("family", "child", lambda world: in_review_form(world)),
    "family_reviews.section": ShowsAChild(
        "family", "child", lambda world: in_review_form(world, key="family_views")
    ),
    "family_reviews.check": ShowsAChild("family", "child", lambda world: in_review_form(world)),
}


def in_review_form(world: dict, **more: str) -> dict:
    return {"public_id": world["review"].public_id, "kind": "views", **more}


NOT_A_CHILD_RECORD: dict[str, str] = {
    "staff.home": "the team's queues: names and dates only; each record is logged when opened",
    "send.requests_status": "the SEND home's list of the family's own requests, for its poll",
    "staff.cases_page": "the caseload: names, steps and dates only; each case is logged when opened",
    "staff.cases_csv": "the caseload's reporting dates: references and dates, no child's name",
    "appendix_a.start": "the names of the family's own linked children, to choose one",
    "send.request_access": "an empty form for a new request",
    "static": "the portal's CSS, images and scripts",
    "staff.team": "staff accounts",
    "reviews.reviews_page": "plans due for review: names, schools, dates; each record is logged when opened",
    "messages.family_threads": "the family's own conversations: their linked children's names and references",
    "messages.inbox": "the team's inbox: references, names and waits; each thread is logged when opened",
    **{
        endpoint: "the account holder's own account, signing in or public pages"
        for endpoint in (
            "account.change_details",
            "account.change_email",
            "account.change_password",
            "account.email_check",
            "account.email_settings",
            "account.expired_password",
            "account.home",
            "auth.activate",
            "auth.check_email",
            "auth.confirm_email",
            "auth.forgotten_password",
            "auth.new_activation_link",
            "auth.register_details",
            "auth.register_email",
            "auth.register_password",
            "auth.reset_check_email",
            "auth.reset_link",
            "auth.reset_password",
            "auth.sign_in",
            "auth.signed_out",
            "public.accessibility",
            "public.cookies",
            "public.privacy",
            "public.start",
            "session_limits.status",
            "two_step.add_app",
            "two_step.enter_code",
            "two_step.remove_app",
            "two_step.reset_locked",
            "two_step.settings",
            "two_step.start",
            "two_step.turn_off_email",
        )
    },
}
# Where the portal adds its own operational routes (a health check), they show no child either.
OPERATIONAL = ("healthz", "health", "metrics")


def get_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]


def test_every_page_is_classified_and_every_record_page_is_audited(app):
    endpoints = {rule.endpoint for rule in get_rules(app)}
    unclassified = {
        endpoint
        for endpoint in endpoints - set(SHOWS_A_CHILD) - set(NOT_A_CHILD_RECORD)
        if endpoint.rpartition(".")[2] not in OPERATIONAL
    }
    assert not unclassified, f"say whether these pages show a child's record: {sorted(unclassified)}"
    assert not set(SHOWS_A_CHILD) & set(NOT_A_CHILD_RECORD)
    assert set(SHOWS_A_CHILD) <= endpoints, "a classified page is no longer in the URL map"
    # A page reached by a record's public_id shows that record, whatever its name says.
    by_record_id = {rule.endpoint for rule in get_rules(app) if "public_id" in rule.arguments}
    assert by_record_id <= set(SHOWS_A_CHILD)


@pytest.fixture
def world(app, db):
    """A family linked to a child, with an open access request, a draft and a sent request for an EHC
    needs assessment and a document on the child's record; a member of staff. Both signed in."""
    family = make_family("parent@example.com")
    staff = make_staff()
    child = make_child()
    approved_link(family, child)
    link = make_link(family, first="Casey")
    draft = assessment_requests.start(family, child)
    sent = assessment_requests.start(family, child)
    sent.state, sent.reference = "submitted", f"EHC-2026-{sent.id:06d}"
    sent.submitted_at, sent.received_on, sent.decision_due_on = now(), now().date(), now().date()
    cases.open_case(family, sent, now())
    asked = AdviceRequest(
        request_id=sent.id,
        kind="health",
        provider="Dr Patel",
        asked_on=now().date(),
        due_on=now().date(),
        asked_by_id=staff.id,
    )
    database.session.add(asked)
    planned = assessment_requests.start(family, child)
    planned.state, planned.reference = "submitted", f"EHC-2026-{planned.id:06d}"
    planned.submitted_at, planned.received_on, planned.decision_due_on = now(), now().date(), now().date()
    cases.open_case(family, planned, now())
    planned.step, planned.family_due_on = "draft_plan_sent", now().date() + timedelta(days=10)
    database.session.commit()
    messages.send(family, messages.thread_for_sending(child, sent), "About the request")
    messages.send(family, messages.thread_for_sending(child), "About the child")
    plan = Plan(
        child_id=child.id, issued_on=now().date(), review_due_on=now().date(), recorded_by_id=staff.id
    )
    plan.to_post_16 = False
    database.session.add(plan)
    database.session.commit()
    review = plans.arrange_meeting(staff, plan, now().date() + timedelta(days=20), "Online", "SENCo", None)
    outcome = documents.save_uploads(
        family, [documents.Incoming("report.pdf", files.PDF)], "report", None, child=child
    )
    assert not outcome.errors, outcome.errors
    clients = {"family": app.test_client(), "staff": app.test_client()}
    signed_in_past_second_step(clients["family"], "parent@example.com")
    signed_in_past_second_step(clients["staff"], "officer@somerset.gov.uk")
    return {
        "users": {"family": family, "staff": staff},
        "clients": clients,
        "child": child,
        "link": link,
        "draft": draft,
        "sent": sent,
        "document": outcome.saved[0],
        "advice": asked,
        "planned": planned,
        "plan": plan,
        "review": review,
    }


def rows_for(actor_id: int, action: str, record) -> int:
    return database.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.actor_id == actor_id,
            AuditEvent.action == action,
            AuditEvent.record_type == audit.record_type(record),
            AuditEvent.record_id == record.id,
        )
    )


@pytest.mark.parametrize("endpoint", sorted(SHOWS_A_CHILD))
def test_opening_a_page_that_shows_a_child_writes_an_audit_row(app, world, endpoint):
    page = SHOWS_A_CHILD[endpoint]
    actor, record = world["users"][page.who], world[page.record]
    with app.test_request_context():
        url = url_for(endpoint, **page.url(world))
    before = rows_for(actor.id, page.action, record)
    response = world["clients"][page.who].get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert rows_for(actor.id, page.action, record) == before + 1, f"{url} wrote no {page.action} row"


def test_an_autosave_logs_its_change_and_no_view(world):
    family, draft = world["users"]["family"], world["draft"]
    viewed, changed = rows_for(family.id, VIEWED, draft), rows_for(family.id, CHANGED, draft)
    response = post(
        world["clients"]["family"],
        f"/send/requests/{draft.public_id}/sections/parent_views/autosave",
        {"history": "Typed", "version": str(draft.version)},
        headers={"HX-Request": "true"},
    )
    assert response.get_data(as_text=True).startswith("Saved at ")
    assert (rows_for(family.id, VIEWED, draft), rows_for(family.id, CHANGED, draft)) == (viewed, changed + 1)
