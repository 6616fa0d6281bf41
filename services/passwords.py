"""The password policy from the council's guide, and argon2id hashing."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"
# The part before the @ only counts when it is long enough to be a real name, not "jo".
MIN_EMAIL_LOCAL_PART_TO_MATCH = 3


@dataclass(frozen=True)
class RuleResult:
    key: str
    description: str  # shown in the checklist under the field
    message: str  # shown as an error when the rule is not met
    met: bool


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def _letters_core(password: str) -> str:
    """'Password123!' -> 'password': digits and symbols stripped from both ends, case ignored."""
    start, end = 0, len(password)
    while start < end and not password[start].isalpha():
        start += 1
    while end > start and not password[end - 1].isalpha():
        end -= 1
    return password[start:end].lower()


def is_common(password: str) -> bool:
    listed = common_passwords()
    core = _letters_core(password)
    return password.lower() in listed or (bool(core) and core in listed)


def resembles_username(password: str, email: str) -> bool:
    lowered = password.lower()
    email = (email or "").strip().lower()
    if not email:
        return False
    local_part = email.split("@", 1)[0]
    if lowered == email or email in lowered:
        return True
    return len(local_part) >= MIN_EMAIL_LOCAL_PART_TO_MATCH and local_part in lowered


def evaluate(password: str, email: str, settings: Mapping) -> list[RuleResult]:
    """Every rule with whether this password meets it, in the order the checklist shows them."""
    low, high = settings["PASSWORD_MIN_LENGTH"], settings["PASSWORD_MAX_LENGTH"]
    length = len(password)
    if length > high:
        length_message = f"Password must be {high} characters or fewer"
    else:
        length_message = f"Password must be {low} characters or more"
    results = [
        RuleResult(
            "length",
            f"{low} to {high} characters",
            length_message,
            low <= length <= high,
        )
    ]
    class_rules = [
        ("PASSWORD_REQUIRE_UPPERCASE", "uppercase", "an uppercase letter", str.isupper),
        ("PASSWORD_REQUIRE_LOWERCASE", "lowercase", "a lowercase letter", str.islower),
        ("PASSWORD_REQUIRE_NUMBER", "number", "a number", str.isdecimal),
        (
            "PASSWORD_REQUIRE_SPECIAL",
            "special",
            "a special character, such as ! £ $ or a space",
            lambda ch: not ch.isalnum(),
        ),
    ]
    for setting, key, what, test in class_rules:
        if settings[setting]:
            met = any(test(ch) for ch in password)
            description = "at least one " + what.split(" ", 1)[1]
            message = f"Password must include {what}"
            results.append(RuleResult(key, description, message, met))
    results.append(
        RuleResult(
            "username",
            "different from your email address",
            "Password must not be your email address or contain the part before the @",
            bool(password) and not resembles_username(password, email),
        )
    )
    results.append(
        RuleResult(
            "common",
            "not a commonly used password",
            "Password must not be a commonly used password, like Password123!",
            bool(password) and not is_common(password),
        )
    )
    return results


def policy_errors(password: str, email: str, settings: Mapping) -> list[str]:
    return [rule.message for rule in evaluate(password, email, settings) if not rule.met]


def _hasher(settings: Mapping) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings["PASSWORD_HASH_TIME_COST"],
        memory_cost=settings["PASSWORD_HASH_MEMORY_KIB"],
        parallelism=settings["PASSWORD_HASH_PARALLELISM"],
    )


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str, settings: Mapping) -> str:
    return _hasher(settings).hash(_normalise(password))


def verify_password(stored_hash: str, password: str, settings: Mapping) -> bool:
    try:
        return _hasher(settings).verify(stored_hash, _normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str, settings: Mapping) -> bool:
    return _hasher(settings).check_needs_rehash(stored_hash)


@cache
def _dummy_hash(time_cost: int, memory: int, parallelism: int) -> str:
    return PasswordHasher(time_cost, memory, parallelism).hash("not a real password")


def dummy_hash(settings: Mapping) -> str:
    """A hash to verify against when no account matches, so both paths take the same time."""
    return _dummy_hash(
        settings["PASSWORD_HASH_TIME_COST"],
        settings["PASSWORD_HASH_MEMORY_KIB"],
        settings["PASSWORD_HASH_PARALLELISM"],
    )


# --- Rules that compare a new password with earlier ones ---------------------------------------

SAME_IGNORING_CASE = "Password must be more than a change of capital letters from your previous password"
SAME_LETTERS = (
    "Password must not be a simple change to your previous password, like changing Password32! to Password33!"
)
TOO_FEW_EDITS = "Password must differ from your previous password by more than 2 characters"
IN_HISTORY = "Password must not be one of your last {count} passwords"


def _letters_only(password: str) -> str:
    return "".join(ch for ch in password.lower() if ch.isalpha())


def edit_distance_at_most(first: str, second: str, limit: int) -> bool:
    """True when the two differ by `limit` or fewer single-character edits (Levenshtein)."""
    if abs(len(first) - len(second)) > limit:
        return False
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def simple_change_errors(previous: str, new: str) -> list[str]:
    """The guide's "simple change" rule, when the previous password's text is at hand."""
    if previous == new:
        return []  # caught by the history rule, which says it better
    if previous.lower() == new.lower():
        return [SAME_IGNORING_CASE]
    if _letters_only(previous) and _letters_only(previous) == _letters_only(new):
        return [SAME_LETTERS]
    if edit_distance_at_most(previous, new, 2):
        return [TOO_FEW_EDITS]
    return []


def near_neighbours(password: str, limit: int) -> list[str]:
    """Passwords a simple change could have come from, for when the previous text is not at hand.

    Case changes, and the last number in the password moved by up to 3 either way. At most
    `limit` candidates, so checking them against a hash stays within a bounded time.
    """
    candidates = [password.lower(), password.upper(), password.swapcase(), password.capitalize()]
    if password:
        candidates.append(password[0].swapcase() + password[1:])
    end = len(password)
    while end > 0 and not password[end - 1].isdecimal():
        end -= 1
    start = end
    while start > 0 and password[start - 1].isdecimal():
        start -= 1
    if start < end:
        digits = password[start:end]
        for delta in (-1, 1, -2, 2, -3, 3):
            value = int(digits) + delta
            if value >= 0:
                candidates.append(password[:start] + str(value).zfill(len(digits)) + password[end:])
    unique = []
    for candidate in candidates:
        if candidate != password and candidate not in unique:
            unique.append(candidate)
    return unique[:limit]
