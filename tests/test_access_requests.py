"""A family asks to be linked to a child; what it sees before and after the team decides."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models import ChildLink
from services.clock import now
from tests.pages import error_messages, get_page, post, post_page
from tests.people import approved_link, make_child, make_link, signed_in_past_second_step

REQUEST = {
    "first_name": "Jamie",
    "last_name": "Rivers",
    "dob_day": "2",
    "dob_month": "4",
    "dob_year": "2015",
    "postcode": "ta1 1he",
    "school": "Taunton Primary",
    "relationship": "parent",
    "parental_responsibility": "yes",
    "notes": "",
}


def test_the_send_home_offers_to_ask_for_access(client, family):
    soup = get_page(client, "/send")
    assert "No child or young person is linked to your account yet." in soup.get_text()
    assert soup.find("a", string="Ask to be linked to a child or young person")["href"] == "/send/access/new"


def test_a_request_is_sent_and_shown_as_waiting_with_only_what_was_typed(client, db, family):
    soup = get_page(client, "/send/access/new")
    assert soup.find(id="dob_day")["inputmode"] == "numeric"
    response = post(client, "/send/access/new", REQUEST)
    link = db.session.scalar(select(ChildLink))
    assert response.location == f"/send/access/{link.public_id}"
    page = get_page(client, response.location)
    assert "Your request has been sent" in page.select_one(".govuk-notification-banner").get_text()
    assert "Waiting for the SEND Assessment Hub Team to check" in page.get_text()
    assert "What happens next" in page.get_text()
    assert (link.child_postcode, link.child_date_of_birth, link.child_id) == (
        "TA1 1HE",
        date(2015, 4, 2),
        None,
    )
    home = get_page(client, "/send")
    assert "Request for Jamie Rivers" in home.get_text()
    assert "Waiting for the SEND Assessment Hub Team to check" in home.get_text()
    assert "No child or young person is linked" in home.get_text()


def test_the_same_child_cannot_be_asked_for_twice_while_open(client, family):
    post(client, "/send/access/new", REQUEST)
    soup = post_page(client, "/send/access/new", {**REQUEST, "first_name": "JAMIE"})
    assert error_messages(soup) == [
        "You have already asked to be linked to a child with this name and date of birth"
    ]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"dob_day": "", "dob_month": "", "dob_year": ""}, "Enter the date of birth"),
        ({"dob_month": ""}, "Date of birth must include a month"),
        ({"dob_day": "31", "dob_month": "2"}, "Date of birth must be a real date"),
        ({"dob_year": "15"}, "Year must include 4 numbers"),
        ({"dob_year": str(now().year + 1)}, "Date of birth must be in the past"),
        ({"dob_year": "1990"}, "The child or young person must be 25 or under"),
        (
            {"relationship": "young_person", "parental_responsibility": ""},
            "You must be 16 or over to ask as the young person",
        ),
        ({"parental_responsibility": ""}, "Select whether you have parental responsibility"),
        ({"relationship": ""}, "Select your relationship to the child or young person"),
        ({"postcode": "TA1"}, "Enter a full UK postcode, like TA1 1HE"),
        ({"first_name": ""}, "Enter the child or young person’s first name"),
    ],
)
def test_each_mistake_gets_its_message_and_the_answers_are_kept(client, family, changes, message):
    soup = post_page(client, "/send/access/new", {**REQUEST, **changes})
    assert error_messages(soup) == [message]
    assert soup.find(id="school")["value"] == "Taunton Primary"


def test_a_young_person_of_16_can_ask_for_themselves_without_the_parental_question(client, db, family):
    born = now().date() - timedelta(days=16 * 366)
    answers = {
        **REQUEST,
        "relationship": "young_person",
        "parental_responsibility": "",
        "dob_day": str(born.day),
        "dob_month": str(born.month),
        "dob_year": str(born.year),
    }
    assert post(client, "/send/access/new", answers).status_code == 302
    assert db.session.scalar(select(ChildLink)).has_parental_responsibility is None


def test_a_question_from_the_team_can_be_answered(client, db, family):
    link = make_link(family, state="more_info")
    link.question = "Please tell us the name of your child's class teacher."
    db.session.commit()
    soup = get_page(client, f"/send/access/{link.public_id}")
    assert "class teacher" in soup.select_one(".govuk-inset-text").get_text()
    empty = post_page(client, f"/send/access/{link.public_id}", {"answer": ""})
    assert error_messages(empty) == ["Enter your answer"]
    assert post(client, f"/send/access/{link.public_id}", {"answer": "Mrs Patel"}).status_code == 302
    db.session.expire_all()
    assert (link.state, link.answer) == ("requested", "Mrs Patel")


def test_a_rejected_request_shows_the_reason_and_no_child_record(client, db, family):
    child = make_child()
    link = make_link(family, state="rejected")
    link.reason = "We could not match these details to a child we know."
    db.session.commit()
    soup = get_page(client, f"/send/access/{link.public_id}")
    assert "We could not match" in soup.get_text()
    assert client.get(f"/send/children/{child.public_id}").status_code == 404


def test_a_pending_request_gives_no_access_to_the_child(client, family):
    child = make_child()
    make_link(family, child=child, state="requested")
    assert client.get(f"/send/children/{child.public_id}").status_code == 404


def test_an_approved_link_lists_the_child_with_a_page_and_no_name_in_the_title(client, family):
    child = make_child()
    approved_link(family, child)
    home = get_page(client, "/send")
    assert home.find("a", string="Jamie Rivers")["href"] == f"/send/children/{child.public_id}"
    page = get_page(client, f"/send/children/{child.public_id}")
    assert "2 April 2015" in page.get_text()
    assert "Jamie" not in page.title.get_text()


def test_staff_cannot_use_the_family_side(app, client, db):
    from tests.people import make_staff

    make_staff()
    signed_in_past_second_step(client, "officer@somerset.gov.uk")
    assert client.get("/send").status_code == 403
    assert client.get("/send/access/new").status_code == 403
