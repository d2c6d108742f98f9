"""What every app's screens share, kept in the bottom layer so that every app can use it."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms.helper import FormHelper

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .users import display_name

__all__ = ["IdsChoiceField", "KronorChangeField", "display_name", "form_helper"]


def form_helper(form: forms.BaseForm) -> FormHelper:
    """The one crispy helper: the page templates own the ``<form>`` tag and the CSRF token."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


_MAX_ID = 2**63 - 1


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` of integer ids that refuses an id outside the database's
    range as an invalid choice: Django looks such an id up with ``pk__in``, which SQLite
    answers with an OverflowError (a server error) instead of "no such row"."""

    def _check_values(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            try:
                out_of_range = abs(int(str(pk))) > _MAX_ID
            except ValueError:
                continue  # Django's own check names it
            if out_of_range:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


_NOISE = re.compile(r"[\s\u00a0\u202f]|(kronor|kr)\.?$", re.IGNORECASE)


class KronorChangeField(forms.DecimalField):
    """A change of an amount per full year in whole kronor as a Swede types it: "50 000",
    "+50 000 kr", "-20 000". With ``allow_zero=False`` zero (no change) is refused."""

    widget = forms.TextInput

    default_error_messages = {
        "invalid": _("Enter the change in whole kronor, e.g. 50 000 or -20 000."),
        "zero": _("Enter a change other than zero."),
    }

    def __init__(self, *, allow_zero: bool = True, **kwargs: Any):
        kwargs.setdefault("required", False)
        self.allow_zero = allow_zero
        super().__init__(max_digits=12, decimal_places=0, **kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        text = _NOISE.sub("", str(value)).replace("−", "-").replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def validate(self, value: Decimal | None) -> None:
        super().validate(value)
        if not self.allow_zero and value is not None and value == 0:
            raise ValidationError(self.error_messages["zero"], code="zero")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            sign = "-" if value < 0 else ""
            return sign + f"{int(abs(value)):,}".replace(",", " ")
        return value
