"""The staff review page: what waits first, matching records, decisions, revoking, and the team page."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from models import AuditEvent, Child, ChildLink, User
from services.clock import now
from tests.pages import error_messages, get_page, post, post_page
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_link,
    make_staff,
    signed_in_past_second_step,
)


@pytest.fixture
def staff(client):
    user = make_staff()
    signed_in_past_second_step(client, "officer@somerset.gov.uk")
    return user


@pytest.fixture
def family():
    return make_family("parent@example.com", first_name="Robin")


def test_staff_land_on_the_review_page_after_the_second_step(app, db):
    make_staff()
    client = app.test_client()
    from tests.test_sign_in import sign_in

    assert sign_in(client, email="officer@somerset.gov.uk").location == "/staff"
    assert client.get("/staff").location == "/two-step?next=/staff"


def test_waiting_requests_are_listed_oldest_first_with_how_long_they_waited(client, db, staff, family):
    newer = make_link(family, first="Newer")
    older = make_link(family, first="Older")
    older.requested_at = now() - timedelta(days=9)
    db.session.commit()
    soup = get_page(client, "/staff")
    rows = [row.get_text(" ", strip=True) for row in soup.select("tbody tr")]
    assert rows[0].startswith("Older Rivers") and rows[0].endswith("9 days")
    assert rows[1].startswith("Newer Rivers") and rows[1].endswith("Since today")
    assert newer.public_id in str(soup)


def test_the_request_page_shows_what_was_typed_the_account_and_possible_matches(client, db, staff, family):
    same = make_child("JAMIE", "rivers", date(2015, 4, 2), "BA1 1AA")
    same_postcode = make_child("Sam", "Other", date(2012, 1, 1), "TA1 1HE")
    make_child("Jamie", "Rivers", date(2016, 4, 2), "BS1 1AA")  # another birthday, another postcode
    link = make_link(family)
    soup = get_page(client, f"/staff/access/{link.public_id}")
    text = soup.get_text(" ")
    assert "Taunton Primary" in text and "parent@example.com" in text and "1 High Street" in text
    choices = {radio["value"] for radio in soup.select("input[name=child]")}
    assert choices == {same.public_id, same_postcode.public_id, "new"}


def test_approving_with_a_new_record_links_the_family_and_emails_without_child_details(
    client, db, staff, family, mailbox
):
    link = make_link(family)
    response = post(client, f"/staff/access/{link.public_id}/approve", {"child": "new"})
    assert response.location == "/staff"
    db.session.expire_all()
    child = db.session.scalar(select(Child))
    assert (link.state, link.child_id, child.first_name) == ("approved", child.id, "Jamie")
    [email] = mailbox.wait_for("parent@example.com")
    assert email["Subject"] == "Your request to see a child's SEND record has been reviewed"
    assert "sign in to see the decision" in mailbox.text(email)
    for detail in ("Jamie", "Rivers", "Taunton Primary", "TA1 1HE"):
        assert detail not in mailbox.text(email) and detail not in mailbox.html(email)


def test_approving_with_an_existing_record_links_to_it(client, db, staff, family):
    existing = make_child()
    link = make_link(family)
    post(client, f"/staff/access/{link.public_id}/approve", {"child": existing.public_id})
    db.session.expire_all()
    assert link.child_id == existing.id
    assert db.session.query(Child).count() == 1


def test_a_decision_needs_its_fields(client, staff, family):
    link = make_link(family)
    assert error_messages(post_page(client, f"/staff/access/{link.public_id}/approve", {})) == [
        "Select a record"
    ]
    assert error_messages(post_page(client, f"/staff/access/{link.public_id}/reject", {"reason": ""})) == [
        "Enter the reason the family will read"
    ]
    assert error_messages(post_page(client, f"/staff/access/{link.public_id}/ask", {"question": " "})) == [
        "Enter your question for the family"
    ]


def test_rejecting_gives_the_family_the_reason(app, client, db, staff, family, mailbox):
    link = make_link(family)
    post(client, f"/staff/access/{link.public_id}/reject", {"reason": "We could not match these details."})
    family_client = app.test_client()
    signed_in_past_second_step(family_client, "parent@example.com")
    assert (
        "We could not match these details."
        in get_page(family_client, f"/send/access/{link.public_id}").get_text()
    )
    assert mailbox.wait_for("parent@example.com")


def test_asking_for_more_waits_for_the_family_then_comes_back(app, client, db, staff, family):
    link = make_link(family)
    post(client, f"/staff/access/{link.public_id}/ask", {"question": "Which class is Jamie in?"})
    assert "Waiting for families to answer (1)" in get_page(client, "/staff").get_text()
    family_client = app.test_client()
    signed_in_past_second_step(family_client, "parent@example.com")
    post(family_client, f"/send/access/{link.public_id}", {"answer": "Class 3"})
    soup = get_page(client, "/staff")
    assert "Access requests waiting (1)" in soup.get_text()
    assert "Answer received" in soup.get_text()


def test_a_decided_request_cannot_be_decided_again(client, staff, family):
    link = make_link(family, state="rejected")
    assert post(client, f"/staff/access/{link.public_id}/approve", {"child": "new"}).status_code == 409


def test_revoking_a_link_ends_the_family_s_access(app, client, db, staff, family):
    child = make_child()
    link = approved_link(family, child)
    family_client = app.test_client()
    signed_in_past_second_step(family_client, "parent@example.com")
    assert family_client.get(f"/send/children/{child.public_id}").status_code == 200
    soup = post_page(client, f"/staff/links/{link.public_id}/revoke", {"reason": ""})
    assert error_messages(soup) == ["Enter the reason the family will read"]
    post(client, f"/staff/links/{link.public_id}/revoke", {"reason": "The court order has changed."})
    assert family_client.get(f"/send/children/{child.public_id}").status_code == 404


def test_the_child_page_shows_the_audit_trail(client, db, staff, family):
    child = make_child()
    approved_link(family, child)
    get_page(client, f"/staff/children/{child.public_id}")
    soup = get_page(client, f"/staff/children/{child.public_id}")
    rows = [row.get_text(" ", strip=True) for row in soup.select("tbody tr")]
    assert any("Pat Morgan (staff) Viewed the record" in row for row in rows)


class TestTeam:
    def test_only_admins_reach_the_team_page(self, client, staff):
        assert client.get("/staff/team").status_code == 403

    def test_an_admin_adds_staff_who_are_emailed_a_link(self, app, db, mailbox):
        make_staff("admin@somerset.gov.uk", role="admin")
        client = app.test_client()
        signed_in_past_second_step(client, "admin@somerset.gov.uk")
        soup = get_page(client, "/staff/team")
        assert "admin@somerset.gov.uk" in soup.get_text()
        empty = {"first_name": "", "last_name": "", "email": "x", "role": ""}
        assert error_messages(post_page(client, "/staff/team", empty)) == [
            "Enter their first name",
            "Enter their last name",
            "Enter an email address in the correct format, like name@example.com",
            "Select a role",
        ]
        response = post(
            client,
            "/staff/team",
            {"first_name": "Sam", "last_name": "Officer", "email": "sam@somerset.gov.uk", "role": "staff"},
        )
        assert response.location == "/staff/team"
        new = db.session.scalar(select(User).where(User.email == "sam@somerset.gov.uk"))
        assert (new.role, new.full_name, new.two_step_email_at is not None) == ("staff", "Sam Officer", True)
        assert not new.is_activated  # until the emailed link confirms the address
        invite = mailbox.wait_for("sam@somerset.gov.uk")[0]
        [link] = [link for link in mailbox.links(invite) if "/password/reset/" in link]
        new_client = app.test_client()
        assert post(new_client, urlsplit(link).path).location == "/password/reset"
        choose = {"password": "Marble garden 42 Kettle?", "confirm_password": "Marble garden 42 Kettle?"}
        assert post(new_client, "/password/reset", choose).location == "/sign-in"
        db.session.refresh(new)
        assert new.is_activated
        duplicate = post_page(
            client,
            "/staff/team",
            {"first_name": "Sam", "last_name": "Other", "email": "sam@somerset.gov.uk", "role": "staff"},
        )
        assert error_messages(duplicate) == ["An account already uses this email address"]


def test_decisions_are_audited(client, db, staff, family):
    link = make_link(family)
    get_page(client, f"/staff/access/{link.public_id}")
    post(client, f"/staff/access/{link.public_id}/approve", {"child": "new"})
    actions = [
        (e.action, e.record_type, e.actor_role)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]
    assert ("viewed", "access_request", "staff") in actions
    assert ("created", "child", "staff") in actions
    assert ("decided", "access_request", "staff") in actions
    db.session.expire_all()
    assert db.session.scalar(select(ChildLink)).decided_by_id == staff.id
