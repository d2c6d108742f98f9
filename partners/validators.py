import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s-]")


def normalise_org_number(value: str) -> str:
    """Return the ten digits of a Swedish organisation number, without hyphen or spaces."""
    return _SEPARATORS.sub("", value or "")


def luhn_check_digit(nine_digits: str) -> int:
    """The Luhn (modulus 10) check digit used by Skatteverket for organisation numbers."""
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def validate_org_number(value: str) -> None:
    digits = normalise_org_number(value)
    if not digits.isdigit():
        raise ValidationError(
            _("An organisation number may only contain digits and a hyphen, e.g. 802002-3456."),
            code="not_digits",
        )
    if len(digits) != 10:
        raise ValidationError(
            _("An organisation number has ten digits (e.g. 802002-3456); you entered %(count)d."),
            code="wrong_length",
            params={"count": len(digits)},
        )
    if luhn_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError(
            _(
                "The organisation number %(value)s is not valid: the check digit (the last digit) "
                "does not match. Check the number against the registration certificate."
            ),
            code="check_digit",
            params={"value": value},
        )


def format_org_number(digits: str) -> str:
    """802002-3456: the form Bolagsverket prints."""
    return f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 else digits
