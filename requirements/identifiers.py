"""Swedish identifiers for care providers and units: organisation numbers and HSA-ids.

Pure functions over strings; the Django validators at the bottom wrap them for fields.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# re.ASCII: without it \d also matches other scripts' digits (Arabic-Indic, full-width), which
# int() accepts; \Z: "$" would also match before a trailing newline.
_ORG_NR = re.compile(r"^(\d{6})-?(\d{4})\Z", re.ASCII)
# SE + organisation number (10 digits, or 12 with the century prefix 16) + "-" + local code.
_HSA_ID = re.compile(r"^SE(?:16)?(\d{10})-([0-9A-Za-z]+)\Z", re.ASCII)
HSA_ID_MAX_LENGTH = 31


def luhn_is_valid(digits: str) -> bool:
    """The mod-10 check used by Swedish organisation and personal identity numbers."""
    # isdigit() alone also accepts "²" and other digits that int() cannot read.
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def organisation_number_error(value: str) -> str | None:
    """Why ``value`` is not a valid organisation number, or None when it is."""
    match = _ORG_NR.match(value.strip())
    if not match:
        return _("An organisation number has ten digits, e.g. 232100-0115.")
    digits = match.group(1) + match.group(2)
    if int(digits[2:4]) < 20:
        return _("Digits three and four of an organisation number must be at least 20.")
    if not luhn_is_valid(digits):
        return _("The check digit of the organisation number is wrong.")
    return None


def normalize_organisation_number(value: str) -> str:
    """The canonical form, ``NNNNNN-NNNN``; call only on a valid number."""
    digits = value.strip().replace("-", "")
    return f"{digits[:6]}-{digits[6:]}"


def hsa_id_error(value: str) -> str | None:
    """Why ``value`` is not a valid HSA-id, or None when it is."""
    if len(value) > HSA_ID_MAX_LENGTH:
        return _("An HSA-id may be at most %(max)d characters long.") % {"max": HSA_ID_MAX_LENGTH}
    match = _HSA_ID.match(value)
    if not match:
        return _(
            "An HSA-id starts with SE, followed by the organisation number, a hyphen and "
            "a local code of the letters A–Z and digits (not å, ä, ö or @), "
            "e.g. SE2321000115-O39423."
        )
    # The HSA-id embeds the directory owner's organisation number, with the same rules.
    return organisation_number_error(match.group(1))


def validate_organisation_number(value: str) -> None:
    error = organisation_number_error(value)
    if error:
        raise ValidationError(error, code="invalid_organisation_number")


def validate_hsa_id(value: str) -> None:
    error = hsa_id_error(value)
    if error:
        raise ValidationError(error, code="invalid_hsa_id")
