"""One test per password rule from the council's guide, plus the blocklist and hashing."""

import pytest

from services import passwords
from tests.factories import GOOD_PASSWORD

EMAIL = "sam.jones@example.com"


@pytest.fixture
def settings(app):
    return app.config


def failed_rules(password: str, settings, email: str = EMAIL) -> set[str]:
    return {rule.key for rule in passwords.evaluate(password, email, settings) if not rule.met}


def test_a_strong_password_meets_every_rule(settings):
    assert failed_rules(GOOD_PASSWORD, settings) == set()


def test_shorter_than_10_characters_is_refused(settings):
    assert failed_rules("Tea pot 7", settings) == {"length"}
    assert "Password must be 10 characters or more" in passwords.policy_errors("Tea pot 7", EMAIL, settings)


def test_exactly_10_characters_is_accepted(settings):
    assert failed_rules("Tea pot 7!", settings) == set()


def test_128_characters_is_accepted_and_129_gets_a_message(settings):
    base = "Teapot river 7 Lantern! "
    exactly_128 = (base * 6)[:128]
    assert len(exactly_128) == 128
    assert failed_rules(exactly_128, settings) == set()
    assert passwords.policy_errors(exactly_128 + "x", EMAIL, settings) == [
        "Password must be 128 characters or fewer"
    ]


@pytest.mark.parametrize(
    "password, rule, message",
    [
        ("teapot river 7 lantern!", "uppercase", "Password must include an uppercase letter"),
        ("TEAPOT RIVER 7 LANTERN!", "lowercase", "Password must include a lowercase letter"),
        ("Teapot river seven Lantern!", "number", "Password must include a number"),
        (
            "Teapotriver7Lantern",
            "special",
            "Password must include a special character, such as ! £ $ or a space",
        ),
    ],
)
def test_each_character_rule_names_itself(settings, password, rule, message):
    assert failed_rules(password, settings) == {rule}
    assert passwords.policy_errors(password, EMAIL, settings) == [message]


@pytest.mark.parametrize("special", ["£", " ", "!", "$", "€", "_"])
def test_any_non_letter_non_digit_counts_as_special(settings, special):
    assert "special" not in failed_rules(f"Teapotriver7{special}Lantern", settings)


def test_the_email_address_itself_is_refused_whatever_its_case(settings):
    assert "username" in failed_rules("Sam.Jones@Example.com1", settings)


def test_a_password_containing_the_part_before_the_at_is_refused(settings):
    assert "username" in failed_rules("My SAM.JONES pass 7!", settings)


def test_a_very_short_local_part_does_not_block_ordinary_passwords(settings):
    assert "username" not in failed_rules("Joyful river 7 Lantern!", settings, email="jo@example.com")


@pytest.mark.parametrize(
    "password", ["Password123!", "Somerset2026!", "Qwerty123456!", "Ehcp2026!!", "Welcome1!!!"]
)
def test_common_and_service_passwords_are_refused(settings, password):
    assert failed_rules(password, settings) == {"common"}


def test_the_blocklist_has_at_least_10000_entries_and_the_service_words():
    listed = passwords.common_passwords()
    assert len(listed) >= 10_000
    assert {"somerset", "send", "ehcp", "portal"} <= listed


def test_a_passphrase_containing_a_common_word_is_not_refused(settings):
    assert "common" not in failed_rules("My password is Lantern 7!", settings)


def test_composition_rules_can_be_turned_off_by_settings(settings):
    relaxed = {**settings, "PASSWORD_REQUIRE_UPPERCASE": False, "PASSWORD_REQUIRE_SPECIAL": False}
    assert failed_rules("teapotriver7lantern", relaxed) == set()


def test_hashes_are_argon2id_salted_and_never_truncated(settings):
    long_password = "Aa1!" + "x" * 120
    first = passwords.hash_password(long_password, settings)
    second = passwords.hash_password(long_password, settings)
    assert first.startswith("$argon2id$")
    assert first != second
    assert passwords.verify_password(first, long_password, settings)
    assert not passwords.verify_password(first, long_password[:72], settings)
    assert not passwords.verify_password(first, long_password.swapcase(), settings)


def test_composed_and_decomposed_unicode_verify_alike(settings):
    stored = passwords.hash_password("Café river 7 Lantern!", settings)
    assert passwords.verify_password(stored, "Cafe\u0301 river 7 Lantern!", settings)
