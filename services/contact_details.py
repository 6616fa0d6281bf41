"""Normalising and checking UK postcodes and phone numbers, and checking email addresses."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def normalise_postcode(raw: str) -> str | None:
    """'ta11aa ' -> 'TA1 1AA'; None when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", raw or "").upper()
    match = _POSTCODE.match(compact)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def normalise_uk_phone(raw: str) -> str | None:
    """'+44 (0)7700-900123' -> '07700 900123'; None when it is not a UK number."""
    compact = (raw or "").strip().replace("(0)", "")
    compact = _PHONE_SEPARATORS.sub("", compact)
    if compact.startswith("+44"):
        compact = "0" + compact[3:]
    elif compact.startswith("0044"):
        compact = "0" + compact[4:]
    if not compact.isdigit() or not compact.startswith("0") or len(compact) not in (10, 11):
        return None
    if compact[1] == "0":
        return None
    return _group_phone(compact)


def _group_phone(digits: str) -> str:
    if len(digits) == 11 and digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if len(digits) == 11 and digits[1] in "389":
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def is_email_address(raw: str | None) -> bool:
    """The one rule for an email address's format, wherever one is typed (no lookup of the domain)."""
    try:
        validate_email(raw or "", check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
