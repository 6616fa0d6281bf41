"""The statutory clock: when a request counts as received, and the deadlines that follow from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services import statutory
from services.statutory import (
    UK,
    ExceptionPeriod,
    Standing,
    add_months,
    appeal_deadline,
    decision_due,
    draft_plan_due,
    due_dates,
    final_plan_due,
    is_working_day,
    next_working_day,
    no_plan_notice_due,
    received_date,
    standing,
    weeks_taken,
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


# Worked by hand with a calendar, not by the code under test: submitted, received, then the dates due
# 6 (decision), 16 (notice of no plan), 17 (draft plan) and 20 weeks (final plan) after receipt.
WORKED_DATES = [
    # Thursday 24 December 2026 at 6pm: Christmas Day, a weekend and the substitute Boxing Day follow.
    (
        utc(2026, 12, 24, 18),
        date(2026, 12, 29),
        date(2027, 2, 9),
        date(2027, 4, 20),
        date(2027, 4, 27),
        date(2027, 5, 18),
    ),
    # Thursday 25 March 2027 at 5:30pm (GMT): Good Friday, the weekend and Easter Monday follow.
    (
        utc(2027, 3, 25, 17, 30),
        date(2027, 3, 30),
        date(2027, 5, 11),
        date(2027, 7, 20),
        date(2027, 7, 27),
        date(2027, 8, 17),
    ),
    # Monday 9 March 2026 at 10am: received the same day.
    (
        utc(2026, 3, 9, 10),
        date(2026, 3, 9),
        date(2026, 4, 20),
        date(2026, 6, 29),
        date(2026, 7, 6),
        date(2026, 7, 27),
    ),
    # Friday 30 October 2026 at 4:59pm UK time (GMT from 25 October): still that day.
    (
        utc(2026, 10, 30, 16, 59),
        date(2026, 10, 30),
        date(2026, 12, 11),
        date(2027, 2, 19),
        date(2027, 2, 26),
        date(2027, 3, 19),
    ),
]


@pytest.mark.parametrize("submitted, received, decision, no_plan, draft, final", WORKED_DATES)
def test_worked_dates_from_submission_to_final_plan(submitted, received, decision, no_plan, draft, final):
    assert received_date(submitted) == received
    dates = due_dates(received)
    assert (dates.decision, dates.no_plan_notice, dates.draft_plan, dates.final_plan) == (
        decision,
        no_plan,
        draft,
        final,
    )
    assert no_plan_notice_due(received) == no_plan


def test_the_draft_plan_week_is_a_setting():
    assert due_dates(date(2026, 3, 9), draft_plan_weeks=16).draft_plan == date(2026, 6, 29)


def test_weeks_taken_counts_whole_weeks():
    assert weeks_taken(date(2026, 3, 9), date(2026, 7, 27)) == 20
    assert weeks_taken(date(2026, 3, 9), date(2026, 7, 28)) == 20
    assert weeks_taken(date(2026, 3, 9), date(2026, 8, 3)) == 21


# --- Months and the appeal deadline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 12, 31), 2, date(2027, 2, 28)),  # no 31 February, nor 29th in 2027
        (date(2027, 12, 31), 2, date(2028, 2, 29)),  # 2028 is a leap year
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 1, 15), 2, date(2026, 3, 15)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),  # over the year's end
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2026, 2, 28), 1, date(2026, 3, 28)),  # the same day, not the month's end
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    "letter, certificate, deadline",
    [
        (date(2026, 12, 31), None, date(2027, 2, 28)),
        (date(2026, 3, 10), None, date(2026, 5, 10)),
        (date(2026, 3, 10), date(2026, 4, 20), date(2026, 5, 20)),  # the certificate's month is later
        (date(2026, 3, 10), date(2026, 3, 25), date(2026, 5, 10)),  # the letter's 2 months are later
        (date(2026, 12, 31), date(2027, 1, 31), date(2027, 2, 28)),  # both end on 28 February
    ],
)
def test_appeal_deadline_is_the_later_of_2_months_from_the_letter_and_1_from_a_certificate(
    letter, certificate, deadline
):
    assert appeal_deadline(letter, certificate) == deadline


# --- Overdue, met, and exceptions -------------------------------------------------------------------------

DUE = date(2027, 2, 9)


@pytest.mark.parametrize(
    "today, done_on, exceptions, expected",
    [
        (date(2027, 2, 9), None, [], Standing.DUE),  # the last day is still in time
        (date(2027, 2, 10), None, [], Standing.OVERDUE),
        (date(2027, 2, 20), date(2027, 2, 9), [], Standing.MET),
        (date(2027, 2, 20), date(2027, 2, 10), [], Standing.LATE),
        # A setting closed from 18 January: never "overdue", before or after the date, done or not.
        (
            date(2027, 2, 10),
            None,
            [ExceptionPeriod(date(2027, 1, 18), date(2027, 2, 26))],
            Standing.EXCEPTION,
        ),
        (date(2027, 1, 20), None, [ExceptionPeriod(date(2027, 1, 18))], Standing.EXCEPTION),
        (date(2027, 3, 1), date(2027, 2, 12), [ExceptionPeriod(date(2027, 1, 18))], Standing.EXCEPTION),
        # Met on time is met, whatever else happened.
        (date(2027, 3, 1), date(2027, 2, 1), [ExceptionPeriod(date(2027, 1, 18))], Standing.MET),
        # An exception that arose after the date had passed does not excuse it.
        (date(2027, 3, 1), None, [ExceptionPeriod(date(2027, 2, 10))], Standing.OVERDUE),
    ],
)
def test_standing_of_a_due_date(today, done_on, exceptions, expected):
    assert standing(DUE, today, exceptions, done_on) == expected


# --- Annual reviews: dates worked out by hand ---------------------------------------------------------


@pytest.mark.parametrize(
    "last, born, expected",
    [
        (date(2026, 3, 15), None, date(2027, 3, 15)),  # a year after the plan
        (date(2024, 2, 29), None, date(2025, 2, 28)),  # from a leap day: the last day of February
        (date(2026, 8, 31), date(2012, 9, 1), date(2027, 8, 31)),  # 13 years old: 12 months
        (date(2026, 1, 10), date(2023, 5, 1), date(2026, 7, 10)),  # 2 years old: 6 months
        (date(2026, 1, 10), date(2021, 1, 10), date(2027, 1, 10)),  # 5 that very day: 12 months
        (date(2026, 1, 10), date(2021, 1, 11), date(2026, 7, 10)),  # 5 the next day: still under 5
        (date(2025, 8, 31), date(2022, 1, 1), date(2026, 2, 28)),  # 6 months from 31 August
    ],
)
def test_the_next_review_is_due_12_months_on_or_6_for_a_child_under_5(last, born, expected):
    assert statutory.review_due(last, born) == expected


def test_the_under_5_interval_is_a_setting():
    assert statutory.review_due(date(2026, 1, 10), date(2023, 5, 1), under_five_months=3) == date(2026, 4, 10)


@pytest.mark.parametrize(
    "year, to_post_16, expected",
    [(2027, False, date(2027, 2, 15)), (2027, True, date(2027, 3, 31)), (2028, False, date(2028, 2, 15))],
)
def test_a_phase_transfer_is_reviewed_by_15_february_or_31_march_for_post_16(year, to_post_16, expected):
    assert statutory.phase_transfer_deadline(year, to_post_16) == expected


def test_the_dates_around_a_review_meeting():
    meeting = date(2026, 11, 20)  # a Friday
    assert statutory.invite_by(meeting) == date(2026, 11, 6)
    assert statutory.review_report_due(meeting) == date(2026, 12, 4)
    assert statutory.review_decision_due(meeting) == date(2026, 12, 18)


@pytest.mark.parametrize(
    "proposed, expected",
    [
        (date(2026, 12, 10), date(2027, 2, 4)),  # 8 weeks from the proposal comes first
        (date(2027, 1, 8), date(2027, 2, 12)),  # 12 weeks from the meeting comes first
    ],
)
def test_the_amended_plan_is_due_8_weeks_from_the_proposal_and_12_from_the_meeting_at_most(
    proposed, expected
):
    assert statutory.amended_plan_due(proposed, date(2026, 11, 20)) == expected
