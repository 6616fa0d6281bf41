"""Who may ask as the young person: the one rule, used by the access request and by Appendix A.

A young person may ask about themselves (to be linked to their own record, or for an EHC needs
assessment) only if they are 16 or over on the day they ask, counted in UK time.
"""

from __future__ import annotations

from datetime import date

from models.children import YOUNG_PERSON  # the answer meaning "I am the young person", in both forms
from services.clock import UK, now
from services.dates import age_on

MIN_AGE = 16
TOO_YOUNG = f"You must be {MIN_AGE} or over to ask as the young person"


def uk_today() -> date:
    return now().astimezone(UK).date()


def young_person_problem(relationship: str | None, born: date | None) -> str | None:
    """The message to show when someone asks as the young person but the date of birth makes them
    under 16 today; None when the rule is met or does not apply (someone else asking, or no date yet)."""
    if relationship != YOUNG_PERSON or born is None:
        return None
    return TOO_YOUNG if age_on(born, uk_today()) < MIN_AGE else None
