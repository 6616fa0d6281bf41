"""Editions of the Appendix A form: each request is read with the edition it was made on, so a later
edition that renames a question never hides an answer already given, and dates follow their own rules."""

from __future__ import annotations

from dataclasses import replace

import pytest
from bs4 import BeautifulSoup

from services.appendix_a import EDITIONS, Question, section_for
from tests.appendix_answers import ANSWERS
from tests.pages import error_messages, get_page, post
from tests.people import make_staff, signed_in_past_second_step
from tests.test_appendix_a import complete_everything, error_messages_of, save, start

OLD_LABEL = "Your relationship to the child or young person"
NEW_LABEL = "How are you related to the child or young person?"
ADDED_LABEL = "How did you hear about asking for an assessment?"


def publish_edition(monkeypatch, about_parts) -> None:
    """A second edition of the form, the same as the first but for the "About this request" section."""
    about = replace(section_for(1, "about"), parts=about_parts)
    monkeypatch.setitem(EDITIONS, 2, tuple(about if s.key == "about" else s for s in EDITIONS[1]))


def publish_renaming_edition(monkeypatch) -> None:
    """Edition 2 renames the relationship question's key (and its label) and adds a question."""
    parts = tuple(
        Question("relationship_to_child", NEW_LABEL, required=True) if part.key == "relationship" else part
        for part in section_for(1, "about").parts
    )
    publish_edition(monkeypatch, (*parts, Question("heard_from", ADDED_LABEL)))


def answer_row(soup: BeautifulSoup, section: str, label: str) -> str | None:
    """The answer shown beside a question in a section's summary list, None when it is not listed."""
    for row in soup.select(f"#section-{section} .govuk-summary-list__row"):
        if row.dt.get_text(strip=True) == label:
            return row.select_one(".govuk-summary-list__value").get_text(strip=True)
    return None


def test_a_request_made_on_an_older_edition_shows_its_answers_to_the_family_and_staff(
    app, client, db, child, monkeypatch
):
    request = start(client, db, child.public_id)
    complete_everything(client, db, request)
    save(client, db, request, "about", {**ANSWERS["about"], "relationship": "Foster carer"})
    assert post(client, f"/send/requests/{request.public_id}/submit").status_code == 302
    publish_renaming_edition(monkeypatch)

    family_view = get_page(client, f"/send/requests/{request.public_id}")
    assert answer_row(family_view, "about", OLD_LABEL) == "Foster carer"
    assert answer_row(family_view, "about", NEW_LABEL) is None
    assert ADDED_LABEL not in family_view.get_text()

    make_staff()
    staff = app.test_client()
    signed_in_past_second_step(staff, "officer@somerset.gov.uk")
    staff_view = get_page(staff, f"/staff/requests/{request.public_id}")
    assert answer_row(staff_view, "about", OLD_LABEL) == "Foster carer"
    assert answer_row(staff_view, "about", NEW_LABEL) is None
    assert ADDED_LABEL not in staff_view.get_text()


def test_a_new_request_is_made_on_the_current_edition(client, db, child, monkeypatch):
    publish_renaming_edition(monkeypatch)
    request = start(client, db, child.public_id)
    page = get_page(client, f"/send/requests/{request.public_id}/sections/about")
    assert page.find(id="relationship_to_child") and page.find(id="heard_from")
    assert page.find(id="relationship") is None
    about = {key: value for key, value in ANSWERS["about"].items() if key != "relationship"} | {
        "relationship_to_child": "Grandmother",
        "heard_from": "The school's SENCO",
    }
    assert save(client, db, request, "about", about).status_code == 302
    check = get_page(client, f"/send/requests/{request.public_id}/check")
    assert answer_row(check, "about", NEW_LABEL) == "Grandmother"
    assert answer_row(check, "about", ADDED_LABEL) == "The school's SENCO"
    assert answer_row(check, "about", OLD_LABEL) is None


def test_a_draft_started_on_an_older_edition_is_finished_and_submitted_on_it(client, db, child, monkeypatch):
    request = start(client, db, child.public_id)
    save(client, db, request, "about", {**ANSWERS["about"], "relationship": "Foster carer"})
    publish_renaming_edition(monkeypatch)
    page = get_page(client, f"/send/requests/{request.public_id}/sections/about")
    assert page.find(id="relationship")["value"] == "Foster carer"
    assert page.find(id="relationship_to_child") is None and page.find(id="heard_from") is None
    complete_everything(client, db, request)
    check = get_page(client, f"/send/requests/{request.public_id}/check")
    assert answer_row(check, "about", OLD_LABEL) == "Mother"
    assert post(client, f"/send/requests/{request.public_id}/submit").location.endswith("/submitted")
    assert answer_row(get_page(client, f"/send/requests/{request.public_id}"), "about", OLD_LABEL) == "Mother"


# --- A date that is not a date of birth ------------------------------------------------------------

REVIEW_LABEL = "Date of the next review of the support plan"


@pytest.fixture
def review_date_edition(monkeypatch):
    """An edition asking for a date that can be in the future or long ago: no birth date's rules."""
    publish_edition(
        monkeypatch, (*section_for(1, "about").parts, Question("next_review", REVIEW_LABEL, "date"))
    )


def about_with_review(day: str, month: str, year: str) -> dict:
    return {**ANSWERS["about"], "next_review-day": day, "next_review-month": month, "next_review-year": year}


@pytest.mark.parametrize("year", ["2040", "1980"])
def test_a_date_that_is_not_a_birth_date_may_be_in_the_future_or_long_ago(
    client, db, child, review_date_edition, year
):
    request = start(client, db, child.public_id)
    response = save(client, db, request, "about", about_with_review("3", "9", year))
    assert response.status_code == 302, error_messages_of(response)
    check = get_page(client, f"/send/requests/{request.public_id}/check")
    assert answer_row(check, "about", REVIEW_LABEL) == f"3 9 {year}"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("31", "2", "2027"), f"{REVIEW_LABEL} must be a real date"),
        (("", "2", "2027"), f"{REVIEW_LABEL} must include a day"),
        (("1", "2", "27"), "Year must include 4 numbers"),
    ],
)
def test_a_date_that_is_not_a_birth_date_must_still_be_a_real_date(
    client, db, child, review_date_edition, typed, message
):
    request = start(client, db, child.public_id)
    response = save(client, db, request, "about", about_with_review(*typed))
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert error_messages(soup) == [message]


def test_the_date_of_birth_keeps_its_own_rules_in_the_same_edition(client, db, child, review_date_edition):
    request = start(client, db, child.public_id)
    child_answers = {**ANSWERS["child"], "date_of_birth-year": "2040"}
    response = save(client, db, request, "child", child_answers)
    assert error_messages_of(response) == ["Date of birth must be in the past"]
