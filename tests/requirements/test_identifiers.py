"""HSA-ids and organisation numbers: the rules in DOMAIN.md, checked without a database."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from requirements.identifiers import (
    HSA_ID_MAX_LENGTH,
    hsa_id_error,
    luhn_is_valid,
    normalize_organisation_number,
    organisation_number_error,
    validate_hsa_id,
    validate_organisation_number,
)

REGION_HALLAND = "232100-0115"
REGION_HALLAND_UNIT = "SE2321000115-O39423"

# A key phrase of each reason, so that a reworded message does not break the tests but a
# wrong reason does.
FORMAT = "ska börja med SE"
TOO_LONG = f"högst {HSA_ID_MAX_LENGTH} tecken"
CHECK_DIGIT = "kontrollsiffra"
GROUP_DIGITS = "tre och fyra"
ORG_FORMAT = "tio siffror"

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def check_digit(base: str) -> str:
    """The digit that completes ``base`` to a Luhn-valid number, computed independently."""
    return next(str(d) for d in range(10) if luhn_is_valid(base + str(d)))


# Ten-digit organisation numbers that follow every rule: digits 3-4 at least 20, Luhn digit.
valid_organisation_digits = st.builds(
    lambda head, group, tail: head + group + tail,
    st.text("0123456789", min_size=2, max_size=2),
    st.integers(20, 99).map(str),
    st.text("0123456789", min_size=5, max_size=5),
).map(lambda base: base + check_digit(base))


# --- HSA-id -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hsa_id",
    [
        pytest.param(REGION_HALLAND_UNIT, id="a real Region Halland unit"),
        pytest.param("SE2321000115-1234", id="digits only in the local code"),
        pytest.param("SE162321000115-ABC", id="the 12-digit form with 16 in front"),
        pytest.param("SE2321000115-abcXYZ09", id="lower and upper case in the local code"),
        pytest.param("SE5560360793-K1", id="a private provider's directory"),
        pytest.param("SE2321000115-" + "A" * 18, id="exactly 31 characters"),
        pytest.param("SE162321000115-" + "A" * 16, id="exactly 31 characters, 12 digits"),
    ],
)
def test_a_well_formed_hsa_id_with_a_valid_organisation_number_is_valid(hsa_id):
    assert hsa_id_error(hsa_id) is None
    validate_hsa_id(hsa_id)


@pytest.mark.parametrize(
    ("hsa_id", "reason"),
    [
        pytest.param("SE2321000116-O39423", CHECK_DIGIT, id="bad check digit"),
        pytest.param("SE162321000116-O39423", CHECK_DIGIT, id="bad check digit, 12 digits"),
        pytest.param("SE8112189876-A1", GROUP_DIGITS, id="digits 3-4 below 20"),
        pytest.param("SE2321000115-Å1", FORMAT, id="å in the local code"),
        pytest.param("SE2321000115-ä1", FORMAT, id="ä in the local code"),
        pytest.param("SE2321000115-Ö1", FORMAT, id="ö in the local code"),
        pytest.param("SE2321000115-O@39423", FORMAT, id="@ in the local code"),
        pytest.param("SE2321000115-O 39423", FORMAT, id="a space in the local code"),
        pytest.param("SE2321000115-O-39423", FORMAT, id="a second hyphen"),
        pytest.param("SE2321000115-", FORMAT, id="a hyphen and no local code"),
        pytest.param("SE2321000115", FORMAT, id="no suffix at all"),
        pytest.param("se2321000115-O39423", FORMAT, id="lowercase se prefix"),
        pytest.param("Se2321000115-O39423", FORMAT, id="mixed-case Se prefix"),
        pytest.param("2321000115-O39423", FORMAT, id="no SE prefix"),
        pytest.param("SE232100-0115-O39423", FORMAT, id="a hyphen inside the number"),
        pytest.param("SE232100011-O39423", FORMAT, id="nine digits"),
        pytest.param("SE23210001150-O39423", FORMAT, id="eleven digits"),
        pytest.param("SE172321000115-O39423", FORMAT, id="12 digits not starting 16"),
        pytest.param("SE2321000115-" + "A" * 19, TOO_LONG, id="32 characters"),
        pytest.param("SE162321000115-" + "A" * 20, TOO_LONG, id="35 characters, 12 digits"),
        pytest.param("", FORMAT, id="empty"),
        pytest.param(" SE2321000115-O39423", FORMAT, id="a leading space"),
        pytest.param("SE2321000115-O39423\n", FORMAT, id="a trailing newline"),
        pytest.param("SE٢٣٢١٠٠٠١١٥-O1", FORMAT, id="Arabic-Indic digits"),
        pytest.param("SE２３２１０００１１５-O1", FORMAT, id="full-width digits"),
    ],
)
def test_an_invalid_hsa_id_is_rejected_with_the_reason_that_applies(hsa_id, reason):
    error = hsa_id_error(hsa_id)

    assert error is not None
    assert reason in str(error)


def test_the_length_limit_is_checked_before_the_format():
    """A too-long id is told it is too long, not that its format is wrong."""
    error = hsa_id_error("SE2321000115-Å" + "A" * 30)

    assert TOO_LONG in str(error)


def test_the_hsa_id_validator_raises_a_validation_error_with_its_code():
    with pytest.raises(ValidationError) as excinfo:
        validate_hsa_id("SE2321000116-O39423")

    assert excinfo.value.code == "invalid_hsa_id"
    assert CHECK_DIGIT in excinfo.value.messages[0]


@given(
    organisation=valid_organisation_digits,
    century=st.sampled_from(["", "16"]),
    # 16 characters keeps even the 12-digit form within 31.
    local_code=st.text(ALNUM, min_size=1, max_size=16),
)
def test_any_valid_organisation_number_with_an_alphanumeric_code_makes_a_valid_hsa_id(
    organisation, century, local_code
):
    assert hsa_id_error(f"SE{century}{organisation}-{local_code}") is None


@given(
    organisation=valid_organisation_digits,
    local_code=st.text(ALNUM, min_size=0, max_size=12),
    bad=st.characters(exclude_characters=ALNUM, exclude_categories=("Cs",)),
    position=st.integers(min_value=0),
)
def test_any_character_outside_a_to_z_and_digits_makes_the_local_code_invalid(
    organisation, local_code, bad, position
):
    position %= len(local_code) + 1
    code = local_code[:position] + bad + local_code[position:]

    assert hsa_id_error(f"SE{organisation}-{code}") is not None


# --- Organisation number ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "normalized"),
    [
        pytest.param("232100-0115", "232100-0115", id="Region Halland with hyphen"),
        pytest.param("2321000115", "232100-0115", id="Region Halland without hyphen"),
        pytest.param(" 232100-0115 ", "232100-0115", id="surrounding spaces"),
        pytest.param("556036-0793", "556036-0793", id="a limited company"),
        pytest.param("212000-1355", "212000-1355", id="a municipality, digits 3-4 exactly 20"),
    ],
)
def test_a_valid_organisation_number_is_accepted_and_normalized_with_a_hyphen(number, normalized):
    assert organisation_number_error(number) is None
    validate_organisation_number(number)
    assert normalize_organisation_number(number) == normalized


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        pytest.param("232100-0116", CHECK_DIGIT, id="bad check digit"),
        pytest.param("2321000116", CHECK_DIGIT, id="bad check digit without hyphen"),
        pytest.param("556036-0794", CHECK_DIGIT, id="bad check digit, a company"),
        pytest.param("811218-9876", GROUP_DIGITS, id="a personal identity number"),
        pytest.param("231900-0008", GROUP_DIGITS, id="digits 3-4 are 19"),
        pytest.param("232100-011", ORG_FORMAT, id="nine digits"),
        pytest.param("232100-01150", ORG_FORMAT, id="eleven digits"),
        pytest.param("19232100-0115", ORG_FORMAT, id="twelve digits with century"),
        pytest.param("2321-000115", ORG_FORMAT, id="hyphen in the wrong place"),
        pytest.param("232100--0115", ORG_FORMAT, id="two hyphens"),
        pytest.param("232100 0115", ORG_FORMAT, id="a space instead of the hyphen"),
        pytest.param("23210O-0115", ORG_FORMAT, id="a letter O for a zero"),
        pytest.param("", ORG_FORMAT, id="empty"),
        pytest.param("٢٣٢١٠٠-٠١١٥", ORG_FORMAT, id="Arabic-Indic digits"),
        pytest.param("２３２１００-０１１５", ORG_FORMAT, id="full-width digits"),
    ],
)
def test_an_invalid_organisation_number_is_rejected_with_the_reason_that_applies(number, reason):
    error = organisation_number_error(number)

    assert error is not None
    assert reason in str(error)


def test_the_group_digits_rule_is_reported_before_the_check_digit():
    """811218-9876 has a valid Luhn digit, so only the group digits rule can reject it."""
    assert luhn_is_valid("8112189876")
    assert GROUP_DIGITS in str(organisation_number_error("811218-9876"))


def test_the_organisation_number_validator_raises_a_validation_error_with_its_code():
    with pytest.raises(ValidationError) as excinfo:
        validate_organisation_number("232100-0116")

    assert excinfo.value.code == "invalid_organisation_number"
    assert CHECK_DIGIT in excinfo.value.messages[0]


@given(digits=valid_organisation_digits, hyphen=st.booleans())
def test_any_organisation_number_following_the_rules_is_valid_in_either_form(digits, hyphen):
    number = f"{digits[:6]}-{digits[6:]}" if hyphen else digits

    assert organisation_number_error(number) is None
    assert normalize_organisation_number(number) == f"{digits[:6]}-{digits[6:]}"
    assert normalize_organisation_number(normalize_organisation_number(number)) == (
        normalize_organisation_number(number)
    )


# --- Luhn -------------------------------------------------------------------------------


@given(base=st.text("0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_completes_any_nine_digit_base(base):
    valid = [d for d in "0123456789" if luhn_is_valid(base + d)]

    assert len(valid) == 1


@given(digits=valid_organisation_digits, position=st.integers(0, 9), change=st.integers(1, 9))
def test_changing_any_single_digit_of_a_valid_number_breaks_the_check(digits, position, change):
    wrong = str((int(digits[position]) + change) % 10)
    altered = digits[:position] + wrong + digits[position + 1 :]

    assert not luhn_is_valid(altered)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("232100-0115", id="with hyphen"),
        pytest.param("232100011a", id="a letter"),
        pytest.param("²", id="a superscript digit"),
        pytest.param("٢٣٢١٠٠٠١١٥", id="Arabic-Indic digits"),
    ],
)
def test_luhn_is_false_for_anything_but_ascii_digits(value):
    assert luhn_is_valid(value) is False
