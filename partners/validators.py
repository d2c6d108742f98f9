import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
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
    if set(digits) == {"0"}:
        raise ValidationError(
            _("The organisation number cannot be all zeros. Type the organisation's own number."),
            code="all_zeros",
        )
    # Skatteverket gives a legal person a number whose third digit (the "month" of a personal
    # identity number) is at least 2: a third digit 0 or 1 is a person's identity number,
    # which an IOP partner (an association, a foundation, ...) does not have.
    if int(digits[2]) < 2:
        raise ValidationError(
            _(
                "The organisation number %(value)s is a personal identity number, not a legal "
                "person's: the third digit of an organisation number is 2 or higher "
                "(e.g. 802002-3456)."
            ),
            code="not_legal_person",
            params={"value": value},
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


# Tab, line feed and carriage return are text; NUL has Django's own validator (and message).
_ALLOWED_CONTROLS = frozenset("\t\n\r\x00")


@deconstructible
class ProhibitControlCharactersValidator:
    """Refuse C0/C1 control characters (a bell, an escape sequence) in typed text: nobody
    types them, and stored they break what is made from the text later (openpyxl refuses
    them in an xlsx cell, so the case register's export would fail with a server error).
    Checked on every form ``CharField`` (``PartnersConfig.ready``)."""

    message = _(
        "The text contains a control character that cannot be stored (it is often pasted "
        "along from another program). Type the text again or paste it as plain text."
    )
    code = "control_character"

    def __call__(self, value: object) -> None:
        if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in str(value)):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProhibitControlCharactersValidator)
