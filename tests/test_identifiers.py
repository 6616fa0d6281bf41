"""NHS numbers and unique pupil numbers as families type them."""

from __future__ import annotations

import pytest

from services.identifiers import normalise_nhs_number, normalise_upn

# --- NHS numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["9434765919", "943 476 5919", "943-476-5919", " 943 476-5919 ", "94 34 76 59 19"],
)
def test_nhs_number_with_spaces_or_hyphens_is_accepted_and_formatted(raw):
    assert normalise_nhs_number(raw) == "943 476 5919"


def test_nhs_number_with_another_valid_check_digit():
    assert normalise_nhs_number("4010232137") == "401 023 2137"


def test_nhs_number_whose_check_calculation_gives_11_ends_in_0():
    assert normalise_nhs_number("4010232110") == "401 023 2110"


@pytest.mark.parametrize("last", "0123456789")
def test_nhs_number_whose_check_calculation_gives_10_is_never_valid(last):
    assert normalise_nhs_number(f"123456789{last}") is None


@pytest.mark.parametrize(
    "raw",
    [
        "9434765918",  # wrong check digit
        "4010232111",  # the check digit should be 0
        "943476591",  # 9 digits
        "94347659190",  # 11 digits
        "943 476 591A",
        "NHS9434765919",
        "943.476.5919",
        "",
        "   ",
        "٩٤٣٤٧٦٥٩١٩",  # Arabic-Indic digits: isdigit() says yes, but this is not an NHS number
    ],
)
def test_invalid_nhs_numbers_are_refused(raw):
    assert normalise_nhs_number(raw) is None


# --- Unique pupil numbers --------------------------------------------------------------------------------

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def check_letter(body: str) -> str:
    """From the DfE rule, independently of the service: positions 2 to 13 times weights 2 to 13."""
    total = 0
    weight = 2
    for char in body:
        value = int(char) if char.isdigit() else CHECK_LETTERS.index(char)
        total += value * weight
        weight += 1
    return CHECK_LETTERS[total % 23]


def upn(body: str) -> str:
    return check_letter(body) + body


def test_helper_agrees_with_a_worked_example():
    # 8*2 + 1*4 + 2*5 + 5*10 + 1*13 = 93, and 93 mod 23 = 1, which is B.
    assert check_letter("801200005001") == "B"


@pytest.mark.parametrize("body", ["801200005001", "933201512345", "865400023999", "000000000000"])
def test_permanent_upn_with_right_check_letter_is_accepted(body):
    assert normalise_upn(upn(body)) == upn(body)


def test_upn_is_stored_upper_case_with_spaces_removed():
    assert normalise_upn(" b801 2000 05001 ") == "B801200005001"


@pytest.mark.parametrize("last", ["A", "K", "Z"])
def test_temporary_upn_ending_in_a_letter_is_accepted(last):
    body = f"93320152345{last}"
    assert normalise_upn(upn(body)) == upn(body)
    assert normalise_upn(upn(body).lower()) == upn(body)


def test_temporary_upn_letter_counts_towards_the_check_letter():
    # A and B as the last letter differ by 13 in the weighted sum, so their check letters differ.
    assert check_letter("93320152345A") != check_letter("93320152345B")
    assert normalise_upn(check_letter("93320152345A") + "93320152345B") is None


def test_upn_with_wrong_check_letter_is_refused():
    right = check_letter("801200005001")
    for wrong in CHECK_LETTERS.replace(right, ""):
        assert normalise_upn(wrong + "801200005001") is None


@pytest.mark.parametrize(
    "raw",
    [
        "B80120000500",  # 12 characters
        "B8012000050011",  # 14 characters
        "",
        "801200005001",  # no check letter
        "1801200005001",  # a digit where the check letter goes
        "B80120A005001",  # a letter among the digits
        "B-801200005001",
    ],
)
def test_upn_with_wrong_shape_is_refused(raw):
    assert normalise_upn(raw) is None


@pytest.mark.parametrize("letter", ["I", "O", "S"])
def test_i_o_and_s_are_never_used(letter):
    assert normalise_upn(f"{letter}801200005001") is None
    assert normalise_upn(f"A80120000500{letter}") is None
