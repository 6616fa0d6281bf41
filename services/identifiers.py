"""Checking the numbers families type: a child's NHS number and unique pupil number (UPN)."""

from __future__ import annotations

import re

# The UPN check letters, and the values of a temporary UPN's last letter: I, O and S are left out.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(rf"[{UPN_LETTERS}][0-9]{{11}}[0-9{UPN_LETTERS}]")


def normalise_nhs_number(raw: str) -> str | None:
    """'9434765919' or '943-476-5919' -> '943 476 5919'; None unless 10 digits with a valid check digit."""
    digits = re.sub(r"[\s-]", "", raw)
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        return None
    if _nhs_check_digit(digits[:9]) != int(digits[9]):
        return None
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def _nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 with weights 10 down to 2; None where the result is 10, as no NHS number has it."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def normalise_upn(raw: str) -> str | None:
    """' a801 2000 05001 ' -> 'A801200005001'; None unless the shape and check letter are right."""
    upn = re.sub(r"\s", "", raw).upper()
    if not _UPN_SHAPE.fullmatch(upn):
        return None
    return upn if upn_check_letter(upn[1:]) == upn[0] else None


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it: weights 2 to 13, then modulus 23."""
    total = sum(_upn_value(char) * weight for char, weight in zip(body, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23]


def _upn_value(char: str) -> int:
    return int(char) if char.isdigit() else UPN_LETTERS.index(char)
