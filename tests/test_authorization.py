"""Who may reach what: the second step on every SEND and staff route, one family never sees
another's records, families never reach staff pages, and every access is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from models import AuditEvent, ChildLink
from services import assessment_requests, cases, documents
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
from tests.test_sign_in import sign_in


@pytest.fixture
def world(db):
    """Family A with a linked child and an open request; family B; a member of staff."""
    family_a = make_family("a@example.com")
    family_b = make_family("b@example.com", first_name="Blake")
    child = make_child()
    link = approved_link(family_a, child)
    request = make_link(family_a, first="Casey")
    make_staff()
    make_staff("admin@somerset.gov.uk", role="admin")
    draft = assessment_requests.start(family_a, child)
    sent = assessment_requests.start(family_a, None)
    sent.state, sent.reference = "submitted", "EHC-2026-000999"
    sent.submitted_at, sent.received_on, sent.decision_due_on = now(), now().date(), now().date()
    cases.open_case(family_a, sent, now())
    db.session.commit()
    saved = documents.save_uploads(
        family_a, [documents.Incoming("report.pdf", files.PDF)], "report", None, child=child
    )
    return {
        "family_a": family_a,
        "family_b": family_b,
        "child": child,
        "link": link,
        "request": request,
        "draft": draft,
        "sent": sent,
        "document": saved.saved[0],
    }


def url_for_rule(rule, world) -> str:
    """A real address for a route, using family A's records for its identifiers."""
    ids = {
        "send.access_request": world["request"].public_id,
        "documents.child_documents": world["child"].public_id,
        "documents.request_documents": world["request"].public_id,
        "documents.download": world["document"].public_id,
        "documents.delete": world["document"].public_id,
        "staff.share_document": world["document"].public_id,
        "staff.stop_sharing_document": world["document"].public_id,
        "appendix_a.submitted": world["sent"].public_id,
        "appendix_a.progress": world["sent"].public_id,
        "appendix_a.withdraw": world["sent"].public_id,
        "appendix_a.progress_status": world["sent"].public_id,
        "staff.assign_officer": world["sent"].public_id,
        "staff.move_case": world["sent"].public_id,
        "staff.assessment_request": world["sent"].public_id,
        "send.child": world["child"].public_id,
        "staff.access_request": world["request"].public_id,
        "staff.approve": world["request"].public_id,
        "staff.reject": world["request"].public_id,
        "staff.ask": world["request"].public_id,
        "staff.child": world["child"].public_id,
        "staff.revoke": world["link"].public_id,
    }
    address = rule.rule.replace("<key>", "about")
    if "<public_id>" in address:
        public_id = ids.get(rule.endpoint) or world["draft"].public_id  # the other Appendix A routes
        address = address.replace("<public_id>", public_id)
    return address


def visit(client, rule, url: str, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    if "GET" in rule.methods:
        return client.get(url, headers=headers)
    return post(client, url, headers=headers)


FAMILY_AREAS = ("send.", "appendix_a.", "documents.")


def protected_rules(app, prefixes=(*FAMILY_AREAS, "staff.")):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(prefixes)]


# A live panel's poll: without a session through the second step it stops polling (286, no body),
# rather than have a sign-in page swapped into the panel. Tested here and in test_case_pages.py.
POLLS = {"appendix_a.progress_status", "send.requests_status"}


def test_every_send_and_staff_route_needs_the_second_step(app, client, world):
    anonymous = app.test_client()
    polls = [rule for rule in protected_rules(app, FAMILY_AREAS) if rule.endpoint in POLLS]
    send_rules = [rule for rule in protected_rules(app, FAMILY_AREAS) if rule.endpoint not in POLLS]
    staff_rules = protected_rules(app, ("staff.",))
    assert len(send_rules) >= 4 and len(staff_rules) >= 7 and len(polls) == len(POLLS)

    for rule in polls:
        response = visit(anonymous, rule, url_for_rule(rule, world), htmx=True)
        assert (response.status_code, response.data) == (286, b"")

    for rule in send_rules + staff_rules:
        url = url_for_rule(rule, world)
        assert visit(anonymous, rule, url).location.startswith("/sign-in"), url
        assert visit(anonymous, rule, url, htmx=True).status_code == 401, url

    sign_in(client, email="a@example.com")
    for rule in polls:
        assert visit(client, rule, url_for_rule(rule, world), htmx=True).status_code == 286
    for rule in send_rules:
        url = url_for_rule(rule, world)
        assert visit(client, rule, url).location.startswith("/two-step"), url
        assert visit(client, rule, url, htmx=True).status_code == 403, url

    staff = app.test_client()
    sign_in(staff, email="officer@somerset.gov.uk")
    for rule in staff_rules:
        url = url_for_rule(rule, world)
        response = visit(staff, rule, url)
        assert response.status_code == 302 and response.location.startswith("/two-step"), url
        assert visit(staff, rule, url, htmx=True).status_code == 403, url


def test_through_the_second_step_every_route_answers(app, client, world):
    signed_in_past_second_step(client, "a@example.com")
    for rule in protected_rules(app, FAMILY_AREAS):
        if "GET" in rule.methods:
            assert client.get(url_for_rule(rule, world)).status_code == 200, rule.rule
    admin = app.test_client()
    signed_in_past_second_step(admin, "admin@somerset.gov.uk")
    for rule in protected_rules(app, ("staff.",)):
        if "GET" in rule.methods:
            assert admin.get(url_for_rule(rule, world)).status_code == 200, rule.rule


def test_another_family_gets_404_for_every_record_of_the_first(client, db, world):
    signed_in_past_second_step(client, "b@example.com")
    for url in [
        f"/send/access/{world['request'].public_id}",
        f"/send/access/{world['link'].public_id}",
        f"/send/children/{world['child'].public_id}",
        "/send/access/made-up-id",
        "/send/children/made-up-id",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Jamie" not in response.get_data(as_text=True) and "Casey" not in response.get_data(
            as_text=True
        )
    answer = post(client, f"/send/access/{world['request'].public_id}", {"answer": "mine now"})
    assert answer.status_code == 404
    page = client.get("/send").get_data(as_text=True)
    assert "Jamie" not in page and "Casey" not in page


def test_families_get_403_on_every_staff_route(app, client, db, world):
    signed_in_past_second_step(client, "a@example.com")
    before = _every_row(db)
    for rule in protected_rules(app, ("staff.",)):
        url = url_for_rule(rule, world)
        response = (
            client.get(url) if "GET" in rule.methods else post(client, url, {"child": "new", "reason": "x"})
        )
        assert response.status_code == 403, url
    assert _every_row(db) == before, "a refused request changed the records"


def _every_row(db) -> dict[str, list]:
    """Every row of every table, read afresh from the database (not the session's cached objects),
    except the audit and security logs, which record the refusals."""
    db.session.expire_all()
    return {
        table.name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for table in db.metadata.sorted_tables
        if table.name not in ("audit_events", "security_events")
    }


def test_a_family_cannot_approve_itself_by_posting_extra_fields(client, db, world):
    signed_in_past_second_step(client, "b@example.com")
    response = post(
        client,
        "/send/access/new",
        {
            "first_name": "Jamie",
            "last_name": "Rivers",
            "dob_day": "2",
            "dob_month": "4",
            "dob_year": "2015",
            "postcode": "TA1 1HE",
            "school": "Taunton Primary",
            "relationship": "parent",
            "parental_responsibility": "yes",
            "state": "approved",
            "child_id": str(world["child"].id),
        },
    )
    # The request was made, as any family's is: waiting for the team, linked to no child yet.
    db.session.expire_all()
    [link] = db.session.scalars(select(ChildLink).where(ChildLink.user_id == world["family_b"].id)).all()
    assert response.location == f"/send/access/{link.public_id}"
    assert (link.child_first_name, link.child_school) == ("Jamie", "Taunton Primary")
    assert (link.state, link.child_id, link.decided_at, link.decided_by_id) == ("requested", None, None, None)
    assert client.get(f"/send/children/{world['child'].public_id}").status_code == 404


def test_each_view_writes_an_audit_row_with_ids_and_no_contents(client, db, world):
    signed_in_past_second_step(client, "a@example.com")
    before = db.session.query(AuditEvent).count()
    client.get(f"/send/children/{world['child'].public_id}")
    client.get(f"/send/access/{world['request'].public_id}")
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[before:]
    assert [(r.action, r.record_type, r.record_id, r.actor_id) for r in rows] == [
        ("viewed", "child", world["child"].id, world["family_a"].id),
        ("viewed", "access_request", world["request"].id, world["family_a"].id),
    ]
    assert all(r.ip_address == "127.0.0.1" for r in rows)
    columns = set(AuditEvent.__table__.columns.keys())
    assert columns == {
        "id",
        "actor_id",
        "actor_role",
        "action",
        "record_type",
        "record_id",
        "created_at",
        "ip_address",
    }


def test_no_route_changes_or_deletes_audit_rows(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        source = getattr(view, "__wrapped__", view).__code__.co_names
        assert "AuditEvent" not in source, rule.endpoint


def test_postgresql_refuses_to_change_or_delete_audit_rows(client, db, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    signed_in_past_second_step(client, "a@example.com")
    client.get(f"/send/children/{world['child'].public_id}")
    for statement in ("UPDATE audit_events SET action = 'nothing'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.query(AuditEvent).count() >= 1
