"""Dates typed into the GOV.UK date input: one message, naming the part that is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ALL_PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class DateCheck:
    value: date | None = None
    message: str | None = None
    parts: tuple[str, ...] = ()  # which of day, month and year to highlight


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_date_of_birth(
    day: str | None, month: str | None, year: str | None, today: date, oldest: int = 25
) -> DateCheck:
    parts = {"day": (day or "").strip(), "month": (month or "").strip(), "year": (year or "").strip()}
    missing = tuple(name for name, value in parts.items() if not value)
    if len(missing) == 3:
        return DateCheck(message="Enter the date of birth", parts=ALL_PARTS)
    if missing:
        return DateCheck(message=f"Date of birth must include a {' and a '.join(missing)}", parts=missing)
    if not all(value.isdecimal() and value.isascii() for value in parts.values()):
        return DateCheck(message="Date of birth must be a real date", parts=ALL_PARTS)
    if len(parts["year"]) != 4:
        return DateCheck(message="Year must include 4 numbers", parts=("year",))
    try:
        born = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return DateCheck(message="Date of birth must be a real date", parts=ALL_PARTS)
    if born >= today:
        return DateCheck(message="Date of birth must be in the past", parts=ALL_PARTS)
    if age_on(born, today) > oldest:
        return DateCheck(message=f"The child or young person must be {oldest} or under", parts=ALL_PARTS)
    return DateCheck(value=born)
