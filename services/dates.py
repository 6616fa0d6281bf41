"""Dates typed into the GOV.UK date input: one check for every date, with one message naming the part
that is wrong. Each date says which rules apply to it; a date of birth is one use of the check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ALL_PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class DateCheck:
    value: date | None = None
    message: str | None = None
    parts: tuple[str, ...] = ()  # which of day, month and year to highlight


@dataclass(frozen=True)
class DateRules:
    """What a date must be beyond a real date. With none of them, any real date is accepted."""

    in_the_past: bool = False
    # At most this many whole years before today (an age of at most this many years, for a birth date).
    most_years_ago: int | None = None
    # Said when the date is too long ago; "{years}" stands for most_years_ago.
    too_long_ago: str = "{name} must be within the last {years} years"


ANY_DATE = DateRules()


def date_of_birth_rules(oldest: int = 25) -> DateRules:
    """A child or young person's date of birth: in the past, and aged at most `oldest` today."""
    return DateRules(
        in_the_past=True,
        most_years_ago=oldest,
        too_long_ago="The child or young person must be {years} or under",
    )


DATE_OF_BIRTH = date_of_birth_rules()


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_date(
    day: str | None,
    month: str | None,
    year: str | None,
    today: date,
    name: str = "Date",
    rules: DateRules = ANY_DATE,
) -> DateCheck:
    """The date typed in three parts, or one message saying what is wrong with it. `name` is how the
    messages call it ("Date of birth must be a real date")."""
    parts = {"day": (day or "").strip(), "month": (month or "").strip(), "year": (year or "").strip()}
    missing = tuple(part for part, value in parts.items() if not value)
    if len(missing) == 3:
        return DateCheck(message=f"Enter the {name[0].lower()}{name[1:]}", parts=ALL_PARTS)
    if missing:
        return DateCheck(message=f"{name} must include a {' and a '.join(missing)}", parts=missing)
    if not all(value.isdecimal() and value.isascii() for value in parts.values()):
        return DateCheck(message=f"{name} must be a real date", parts=ALL_PARTS)
    if len(parts["year"]) != 4:
        return DateCheck(message="Year must include 4 numbers", parts=("year",))
    try:
        typed = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return DateCheck(message=f"{name} must be a real date", parts=ALL_PARTS)
    if rules.in_the_past and typed >= today:
        return DateCheck(message=f"{name} must be in the past", parts=ALL_PARTS)
    if rules.most_years_ago is not None and age_on(typed, today) > rules.most_years_ago:
        message = rules.too_long_ago.format(name=name, years=rules.most_years_ago)
        return DateCheck(message=message, parts=ALL_PARTS)
    return DateCheck(value=typed)


def check_date_of_birth(
    day: str | None, month: str | None, year: str | None, today: date, oldest: int = 25
) -> DateCheck:
    return check_date(day, month, year, today, "Date of birth", date_of_birth_rules(oldest))
