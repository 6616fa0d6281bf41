"""The statutory clock of an EHC needs assessment request: when it counts as received, what falls due,
whether a date is overdue or covered by an exception, and the family's appeal deadline.

Bank holidays come from the `holidays` package, which computes them offline; England and Wales share
the same list, so the English one is used. Due dates count calendar weeks from the received date, as the
SEND Regulations 2014 do; an exception (reg. 10(4)) never moves a date, it only means the date is not
shown as overdue.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from services.clock import now
from services.dates import age_on

UK = ZoneInfo("Europe/London")
# A request submitted at or after this time (UK time) is received on the next working day.
CUT_OFF = time(17, 0)

DECISION_WEEKS = 6  # SEND Regulations 2014, reg. 5: decide whether to assess
NO_PLAN_NOTICE_WEEKS = 16  # reg. 10(1): tell the family that no plan will be issued
DRAFT_PLAN_WEEKS = 17  # Somerset's aim, leaving the family time to comment on the draft
FINAL_PLAN_WEEKS = 20  # reg. 13(2): issue the final EHC plan
ADVICE_WEEKS = 6  # reg. 8(1): a professional asked for advice gives it within 6 weeks
COMMENT_DAYS = 15  # reg. 13(1): at least 15 days for the family to comment on a draft plan
# Annual reviews of an EHC plan (Children and Families Act 2014 s. 44; SEND Regulations 2014, regs 18-22)
REVIEW_MONTHS = 12  # s. 44(1): reviewed at least every 12 months from the plan or the last review
UNDER_FIVE_REVIEW_MONTHS = 6  # Code of Practice 9.178: consider reviewing every 3 to 6 months (a setting)
INVITE_DAYS_BEFORE = 14  # reg. 20(2)-(4): invitations, and advice circulated, at least 2 weeks before
REPORT_DAYS_AFTER = 14  # reg. 20(7): the review report within 2 weeks of the meeting
REVIEW_DECISION_DAYS_AFTER = 28  # reg. 22(2): the council's decision within 4 weeks of the meeting
AMENDED_PLAN_WEEKS_AFTER_PROPOSAL = 8  # reg. 22(5): the amended plan within 8 weeks of the proposal ...
AMENDED_PLAN_WEEKS_AFTER_MEETING = 12  # ... and within 12 weeks of the meeting at most
APPEAL_MONTHS_AFTER_LETTER = 2  # SEND Tribunal: 2 months from the decision letter ...
APPEAL_MONTHS_AFTER_CERTIFICATE = 1  # ... or 1 month from a mediation certificate, whichever is later


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def received_date(submitted_at: datetime) -> date:
    """The day a request counts as received: the UK date if that is a working day before 17:00."""
    if submitted_at.tzinfo is None or submitted_at.utcoffset() is None:
        raise ValueError("submitted_at must be timezone-aware")
    local = submitted_at.astimezone(UK)
    if is_working_day(local.date()) and local.time() < CUT_OFF:
        return local.date()
    return next_working_day(local.date())


def _weeks_after(received: date, weeks: int) -> date:
    return received + timedelta(weeks=weeks)


def decision_due(received: date) -> date:
    return _weeks_after(received, DECISION_WEEKS)


def no_plan_notice_due(received: date) -> date:
    return _weeks_after(received, NO_PLAN_NOTICE_WEEKS)


def draft_plan_due(received: date, weeks: int = DRAFT_PLAN_WEEKS) -> date:
    return _weeks_after(received, weeks)


def final_plan_due(received: date) -> date:
    return _weeks_after(received, FINAL_PLAN_WEEKS)


def uk_today() -> date:
    return now().astimezone(UK).date()


def comment_deadline(sent: date, days: int = COMMENT_DAYS) -> date:
    """The last day to comment on a draft plan sent that day: the family has until the end of it, UK
    time (so at least `days` whole days)."""
    return sent + timedelta(days=days)


def advice_due(asked: date, weeks: int = ADVICE_WEEKS) -> date:
    """Advice asked for is due back this many weeks later (reg. 8(1): 6 weeks)."""
    return _weeks_after(asked, weeks)


def weeks_taken(received: date, done: date) -> int:
    """Whole weeks from the received date to the day something was done (a final plan issued)."""
    return (done - received).days // 7


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day when it is shorter:
    2 months from 31 December is 28 February (29 in a leap year)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def appeal_deadline(letter: date, mediation_certificate: date | None = None) -> date:
    """The last day to appeal to the SEND Tribunal: 2 months from the decision letter, or 1 month from
    a mediation certificate if that is later."""
    deadline = add_months(letter, APPEAL_MONTHS_AFTER_LETTER)
    if mediation_certificate is not None:
        deadline = max(deadline, add_months(mediation_certificate, APPEAL_MONTHS_AFTER_CERTIFICATE))
    return deadline


def review_due(
    last: date, born: date | None = None, under_five_months: int = UNDER_FIVE_REVIEW_MONTHS
) -> date:
    """The day by which the next review must be held: 12 months after the plan or the last review (for
    a child under 5 on that day, `under_five_months`), the same day of the month or the month's last."""
    young = born is not None and age_on(born, last) < 5
    return add_months(last, under_five_months if young else REVIEW_MONTHS)


def phase_transfer_deadline(transfer_year: int, to_post_16: bool = False) -> date:
    """A child moving to the next phase of education: the plan reviewed and amended by 15 February of
    the year of the move (31 March for the move from secondary school to post-16)."""
    return date(transfer_year, 3, 31) if to_post_16 else date(transfer_year, 2, 15)


def invite_by(meeting: date) -> date:
    """The last day to invite the family (and circulate advice and reports) for a review meeting."""
    return meeting - timedelta(days=INVITE_DAYS_BEFORE)


def review_report_due(meeting: date) -> date:
    return meeting + timedelta(days=REPORT_DAYS_AFTER)


def review_decision_due(meeting: date) -> date:
    return meeting + timedelta(days=REVIEW_DECISION_DAYS_AFTER)


def amended_plan_due(proposed: date, meeting: date) -> date:
    """The final amended plan: 8 weeks from the proposed amendments, and never later than 12 weeks from
    the review meeting."""
    return min(
        _weeks_after(proposed, AMENDED_PLAN_WEEKS_AFTER_PROPOSAL),
        _weeks_after(meeting, AMENDED_PLAN_WEEKS_AFTER_MEETING),
    )


@dataclass(frozen=True)
class DueDates:
    """Every date the law (or Somerset's aim, where the law leaves room) sets from the received date."""

    received: date
    decision: date
    no_plan_notice: date
    draft_plan: date
    final_plan: date


def due_dates(received: date, draft_plan_weeks: int = DRAFT_PLAN_WEEKS) -> DueDates:
    return DueDates(
        received=received,
        decision=decision_due(received),
        no_plan_notice=no_plan_notice_due(received),
        draft_plan=draft_plan_due(received, draft_plan_weeks),
        final_plan=final_plan_due(received),
    )


class Standing(StrEnum):
    """How a date stands: what staff and families are shown beside it."""

    DUE = "due"  # not reached yet, nothing done
    OVERDUE = "overdue"
    EXCEPTION = "exception applies"  # reg. 10(4): the limit does not bind, so never "overdue"
    MET = "met"  # done on or before the date
    LATE = "late"  # done after the date, with no exception


@dataclass(frozen=True)
class ExceptionPeriod:
    """A reg. 10(4) exception as the clock needs it: from when (and, once known, until when)."""

    starts_on: date
    ends_on: date | None = None


def exception_covers(due: date, exceptions: Iterable[ExceptionPeriod]) -> bool:
    """An exception that arose on or before a date means the date need not be kept: the council
    records one when a setting closes, the family is away, or circumstances make the limit impractical
    before it runs out."""
    return any(period.starts_on <= due for period in exceptions)


def standing(
    due: date, today: date, exceptions: Iterable[ExceptionPeriod] = (), done_on: date | None = None
) -> Standing:
    if done_on is not None and done_on <= due:
        return Standing.MET
    if exception_covers(due, exceptions):
        return Standing.EXCEPTION
    if done_on is not None:
        return Standing.LATE
    return Standing.OVERDUE if today > due else Standing.DUE
