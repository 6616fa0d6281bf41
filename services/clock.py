"""The current time, and how times are shown to families (UK time, plain English)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def now() -> datetime:
    return datetime.now(UTC)


def uk_time(value: datetime) -> str:
    """4:05pm, or midday / midnight as GOV.UK style asks."""
    local = value.astimezone(UK)
    if local.hour == 12 and local.minute == 0:
        return "midday"
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def uk_date(value: datetime) -> str:
    local = value.astimezone(UK)
    return f"{local.day} {local:%B %Y}"


def uk_datetime(value: datetime) -> str:
    """3 March 2026 at 4:05pm"""
    return f"{uk_date(value)} at {uk_time(value)}"


def duration(minutes: int) -> str:
    """60 -> 'an hour', 90 -> '90 minutes', 120 -> '2 hours'."""
    if minutes == 60:
        return "an hour"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"


def uk_day(value: date) -> str:
    """27 March 2014, for a date without a time (such as a date of birth)."""
    return f"{value.day} {value:%B %Y}"


def waited(since: datetime, until: datetime) -> str:
    """How long something has waited, as the inbox says it: "3 days", "5 hours", "under an hour"."""
    hours = int((until - since).total_seconds() // 3600)
    if hours < 1:
        return "Under an hour"
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"
