"""Appendix A's error summary: every link goes to a field that can take focus, and every message is
distinct and says which row of a repeated group it is about."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.appendix_answers import ANSWERS
from tests.pages import check_page
from tests.test_appendix_a import save, start


def summary(response) -> list[tuple[str, str]]:
    """(href, message) of each error summary link, after the checks every page passes."""
    soup: BeautifulSoup = check_page(response.get_data(as_text=True))
    return [
        (link["href"], " ".join(link.get_text().split())) for link in soup.select(".govuk-error-summary a")
    ]


def summary_targets(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [soup.find(id=link["href"].lstrip("#")).name for link in soup.select(".govuk-error-summary a")]


def test_a_date_of_birth_error_links_to_the_first_part_in_error(client, db, child):
    request = start(client, db, child.public_id)
    fields = {
        **ANSWERS["child"],
        "date_of_birth-day": "2",
        "date_of_birth-month": "",
        "date_of_birth-year": "",
    }
    response = save(client, db, request, "child", fields)
    assert ("#date_of_birth-month", "Date of birth must include a month and a year") in summary(response)
    assert set(summary_targets(response)) == {"input"}


def test_a_wrong_year_links_to_the_year(client, db, child):
    request = start(client, db, child.public_id)
    response = save(client, db, request, "child", {**ANSWERS["child"], "date_of_birth-year": "15"})
    assert ("#date_of_birth-year", "Year must include 4 numbers") in summary(response)


def test_a_missing_date_of_birth_links_to_the_day(client, db, child):
    request = start(client, db, child.public_id)
    fields = {
        **ANSWERS["child"],
        "date_of_birth-day": "",
        "date_of_birth-month": "",
        "date_of_birth-year": "",
    }
    response = save(client, db, request, "child", fields)
    assert any(href == "#date_of_birth-day" for href, _ in summary(response))
    assert set(summary_targets(response)) == {"input"}


def test_each_consent_box_has_its_own_message(client, db, child):
    request = start(client, db, child.public_id)
    errors = summary(save(client, db, request, "consent", {}))
    assert errors == [
        ("#agree_request", "Confirm that you agree to this request for an EHC needs assessment"),
        (
            "#agree_share",
            "Confirm that you agree to information being shared for the assessment and any plan",
        ),
    ]


def test_errors_in_repeated_groups_name_the_row(client, db, child):
    request = start(client, db, child.public_id)
    fields = {
        **ANSWERS["household"],
        "people-count": "2",
        "people-1-name": "",
        "people-1-relationship": "",
        "people-1-email": "sam@",
    }
    errors = summary(save(client, db, request, "household", fields))
    assert errors == [
        ("#people-1-name", "Enter the full name of person 2"),
        ("#people-1-relationship", "Enter the relationship of person 2 to the child"),
        ("#people-1-has_pr", "Select whether person 2 has parental responsibility"),
        ("#people-1-email", "Person 2: enter an email address in the correct format, like name@example.com"),
    ]


def test_professionals_and_previous_settings_name_the_row_too(client, db, child):
    request = start(client, db, child.public_id)
    fields = {"professionals-count": "1", "professionals-0-name": "", "professionals-0-role": ""}
    assert summary(save(client, db, request, "professionals", fields)) == [
        ("#professionals-0-name", "Enter the name of professional 1"),
        ("#professionals-0-role", "Enter the role or service of professional 1"),
    ]
    fields = {**ANSWERS["child"], "previous_settings-count": "1", "previous_settings-0-name": ""}
    assert ("#previous_settings-0-name", "Enter the name of previous school or setting 1") in summary(
        save(client, db, request, "child", fields)
    )


def test_at_least_one_person_links_to_the_add_button(client, db, child):
    request = start(client, db, child.public_id)
    response = save(client, db, request, "household", {"people-count": "0"})
    assert summary(response) == [("#people-add", "Add at least 1 person")]
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    button = soup.find(id="people-add")
    assert button.name == "button" and button.get_text(strip=True) == "Add another person"
    assert button["aria-describedby"] == "people-add-error"
    assert soup.find(id=button["data-heading"]).name == "h2"


def test_no_section_repeats_a_message_and_every_link_reaches_a_field(client, db, child):
    request = start(client, db, child.public_id)
    for key in ANSWERS:
        response = save(client, db, request, key, {})
        if response.status_code == 302:  # nothing is required in this section
            continue
        messages = [message for _, message in summary(response)]
        assert len(messages) == len(set(messages)), (key, messages)
        assert set(summary_targets(response)) <= {"input", "textarea", "select", "button"}, key
