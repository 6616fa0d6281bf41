"""Asking as the young person needs them to be 16 or over, counted in UK time: one rule
(services.young_person), met by the access request and by Appendix A's "who is making this request"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from models import ChildLink
from services.young_person import TOO_YOUNG, uk_today, young_person_problem
from tests.appendix_answers import ANSWERS
from tests.pages import error_messages, get_page, post
from tests.test_access_requests import REQUEST
from tests.test_appendix_a import error_messages_of, save, start


def born_years_ago(years: int, days_later: int = 0) -> date:
    today = uk_today()
    if (today.month, today.day) == (2, 29):
        pytest.skip("no one has a birthday on 29 February in most years")
    return today.replace(year=today.year - years) + timedelta(days=days_later)


SIXTEEN_TODAY = born_years_ago(16)
SIXTEEN_TOMORROW = born_years_ago(16, days_later=1)


class TestTheRule:
    def test_16_on_the_day_of_the_16th_birthday_not_the_day_before(self):
        with time_machine.travel(datetime(2026, 3, 14, 12, 0, tzinfo=UTC), tick=False):
            assert young_person_problem("young_person", date(2010, 3, 14)) is None
            assert young_person_problem("young_person", date(2010, 3, 15)) == TOO_YOUNG

    def test_the_birthday_is_counted_in_uk_time(self):
        # 11:30pm on 10 June in UTC is already 11 June in the UK (British Summer Time)
        with time_machine.travel(datetime(2026, 6, 10, 23, 30, tzinfo=UTC), tick=False):
            assert young_person_problem("young_person", date(2010, 6, 11)) is None
            assert young_person_problem("young_person", date(2010, 6, 12)) == TOO_YOUNG

    def test_it_applies_only_to_someone_asking_as_the_young_person(self):
        assert young_person_problem("parent", date(2020, 1, 1)) is None
        assert young_person_problem("young_person", None) is None
        assert young_person_problem("young_person", date(2000, 1, 1)) is None


def dob_fields(prefix: str, born: date, joiner: str) -> dict[str, str]:
    return {f"{prefix}{joiner}{part}": str(getattr(born, part)) for part in ("day", "month", "year")}


@pytest.mark.parametrize(("born", "allowed"), [(SIXTEEN_TODAY, True), (SIXTEEN_TOMORROW, False)])
def test_the_access_request_meets_the_rule_on_the_birthday(client, db, family, born, allowed):
    answers = {
        **REQUEST,
        "relationship": "young_person",
        "parental_responsibility": "",
        **dob_fields("dob", born, "_"),
    }
    response = post(client, "/send/access/new", answers)
    if allowed:
        assert response.status_code == 302
        assert db.session.scalar(select(ChildLink)).relationship_to_child == "young_person"
    else:
        assert response.status_code == 200
        assert error_messages_of(response) == [TOO_YOUNG]
        assert db.session.scalar(select(ChildLink)) is None


def young_person_answers(born: date) -> dict[str, dict[str, str]]:
    about = {**ANSWERS["about"], "completed_by": "young_person", "relationship": "Myself"}
    child = {**ANSWERS["child"], **dob_fields("date_of_birth", born, "-")}
    return {**ANSWERS, "about": about, "child": child}


def test_appendix_a_as_the_young_person_on_their_16th_birthday_can_be_submitted(client, db, family):
    request = start(client, db, "new")
    for key, fields in young_person_answers(SIXTEEN_TODAY).items():
        assert save(client, db, request, key, fields).status_code == 302, key
    response = post(client, f"/send/requests/{request.public_id}/submit")
    assert response.location == f"/send/requests/{request.public_id}/submitted"
    db.session.expire_all()
    assert request.link.relationship_to_child == "young_person"


def test_appendix_a_as_the_young_person_the_day_before_is_refused_in_both_sections(client, db, family):
    request = start(client, db, "new")
    answers = young_person_answers(SIXTEEN_TOMORROW)
    about = save(client, db, request, "about", answers["about"])
    child = save(client, db, request, "child", answers["child"])
    assert error_messages_of(about) == [] and about.status_code == 302  # no date of birth yet
    assert error_messages_of(child) == [TOO_YOUNG]
    again = save(client, db, request, "about", answers["about"])
    assert error_messages_of(again) == [TOO_YOUNG]


def test_appendix_a_cannot_be_submitted_by_changing_who_asks_after_the_child_section(client, db, family):
    """The child section completed while a parent was asking; then 'the young person' is chosen for a
    child under 16. Submitting re-checks every section, so the request is not sent."""
    request = start(client, db, "new")
    answers = {**ANSWERS, "child": young_person_answers(SIXTEEN_TOMORROW)["child"]}
    complete_everything_with(client, db, request, answers)
    # the about section can no longer be completed as the young person...
    refused = save(client, db, request, "about", young_person_answers(SIXTEEN_TOMORROW)["about"])
    assert error_messages_of(refused) == [TOO_YOUNG]
    response = post(client, f"/send/requests/{request.public_id}/submit")
    assert response.location.endswith("/check?incomplete=1")
    soup = get_page(client, response.location)
    assert "Complete the section “About this request”" in error_messages(soup)
    db.session.expire_all()
    assert request.state == "draft"


def complete_everything_with(client, db, request, answers: dict) -> None:
    for key, fields in answers.items():
        assert save(client, db, request, key, fields).status_code == 302, key
