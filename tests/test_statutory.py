"""The statutory clock: when a request counts as received, and the deadlines that follow from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.statutory import (
    UK,
    decision_due,
    draft_plan_due,
    final_plan_due,
    is_working_day,
    next_working_day,
    received_date,
)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- Working days ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 25),  # Christmas Day
        date(2026, 12, 28),  # Boxing Day falls on a Saturday, so the Monday is the substitute
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
        date(2026, 5, 25),  # spring bank holiday
        date(2023, 5, 8),  # the coronation of King Charles III, a one-off
    ],
)
def test_english_bank_holidays_are_not_working_days(day):
    assert day.weekday() < 5
    assert not is_working_day(day)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are():
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert not is_working_day(date(2026, 3, 8))  # Sunday
    assert is_working_day(date(2026, 3, 9))  # Monday
    assert is_working_day(date(2026, 12, 24))  # Christmas Eve is a normal working day


def test_next_working_day_is_strictly_after():
    assert next_working_day(date(2026, 3, 4)) == date(2026, 3, 5)
    assert next_working_day(date(2026, 3, 6)) == date(2026, 3, 9)
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


# --- Received date ---------------------------------------------------------------------------------------


def test_friday_after_5pm_is_received_the_following_monday():
    assert received_date(utc(2026, 3, 6, 17, 30)) == date(2026, 3, 9)


def test_just_before_5pm_on_a_working_day_is_received_that_day():
    assert received_date(utc(2026, 3, 4, 16, 59)) == date(2026, 3, 4)


def test_5pm_exactly_is_received_the_next_working_day():
    assert received_date(utc(2026, 3, 4, 17, 0)) == date(2026, 3, 5)


def test_saturday_is_received_on_monday():
    assert received_date(utc(2026, 3, 7, 10, 0)) == date(2026, 3, 9)


def test_bank_holiday_weekend_is_skipped():
    # Friday 22 May 2026 at 18:00 BST; Monday 25 May is the spring bank holiday.
    assert received_date(utc(2026, 5, 22, 17, 0)) == date(2026, 5, 26)


def test_christmas_2026_skips_christmas_day_and_the_substitute_boxing_day():
    # Thursday 24 December 2026 at 17:05 GMT; 25 and 28 December are bank holidays.
    assert received_date(utc(2026, 12, 24, 17, 5)) == date(2026, 12, 29)


def test_one_off_bank_holiday_is_skipped():
    # Friday 5 May 2023 at 18:00 BST; Monday 8 May 2023 was the coronation bank holiday.
    assert received_date(utc(2023, 5, 5, 17, 0)) == date(2023, 5, 9)


def test_late_evening_utc_can_already_be_the_next_day_in_summer():
    # 23:30 UTC on Monday 6 July 2026 is 00:30 BST on Tuesday 7 July.
    assert received_date(utc(2026, 7, 6, 23, 30)) == date(2026, 7, 7)


def test_cut_off_is_5pm_uk_time_not_utc_in_summer():
    # 16:30 UTC is 17:30 BST, after the cut-off; 15:59 UTC is 16:59 BST, before it.
    assert received_date(utc(2026, 7, 7, 16, 30)) == date(2026, 7, 8)
    assert received_date(utc(2026, 7, 7, 15, 59)) == date(2026, 7, 7)


def test_an_aware_uk_time_gives_the_same_answer_as_its_utc_instant():
    local = datetime(2026, 7, 7, 17, 30, tzinfo=UK)
    assert received_date(local) == received_date(local.astimezone(UTC)) == date(2026, 7, 8)


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        received_date(datetime(2026, 3, 4, 12, 0))


# --- Deadlines -------------------------------------------------------------------------------------------


def test_decision_is_due_6_weeks_after_the_received_date():
    assert decision_due(date(2026, 3, 9)) == date(2026, 3, 9) + timedelta(days=42) == date(2026, 4, 20)


def test_draft_plan_is_due_17_weeks_and_final_plan_20_weeks_after():
    received = date(2026, 3, 9)
    assert draft_plan_due(received) == received + timedelta(days=17 * 7) == date(2026, 7, 6)
    assert final_plan_due(received) == received + timedelta(days=20 * 7) == date(2026, 7, 27)
