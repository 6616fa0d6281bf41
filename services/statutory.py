"""The statutory clock of an EHC needs assessment request: when it counts as received, and what falls due.

Bank holidays come from the `holidays` package, which computes them offline; England and Wales share
the same list, so the English one is used.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

UK = ZoneInfo("Europe/London")
# A request submitted at or after this time (UK time) is received on the next working day.
CUT_OFF = time(17, 0)

DECISION_WEEKS = 6  # SEND Regulations 2014, reg. 5: decide whether to assess
DRAFT_PLAN_WEEKS = 17  # Somerset's aim, leaving time for the family to comment on the draft
FINAL_PLAN_WEEKS = 20  # SEND Regulations 2014, reg. 13: issue the final EHC plan


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


def draft_plan_due(received: date) -> date:
    return _weeks_after(received, DRAFT_PLAN_WEEKS)


def final_plan_due(received: date) -> date:
    return _weeks_after(received, FINAL_PLAN_WEEKS)
