"""Finance's forms: the year plan's filters and the writes on a case's payments page. The
services decide (and word) the refusals; the forms only parse what was typed."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iop.models import Committee, PublicBody

from .constants import Frequency
from .selectors import Status

_NOISE = re.compile(r"[\s\u00a0\u202f]|(kronor|kr)\.?$", re.IGNORECASE)


class KronorField(forms.DecimalField):
    """An amount in kronor as a Swede types it: "150 000", "154 166,67", "150000 kr"."""

    widget = forms.TextInput

    default_error_messages = {
        "invalid": _("Enter the amount in kronor, e.g. 150 000 or 154 166,67."),
    }

    def __init__(self, **kwargs: Any):
        super().__init__(max_digits=12, decimal_places=2, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
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
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",").removesuffix(",00")
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=DateInput(),
        help_text=_("The day the finance system paid it out."),
        error_messages={"required": _("Enter the day it was paid.")},
    )
    amount = KronorField(
        label=_("Amount (kronor)"),
        error_messages={"required": _("Enter the amount paid.")},
    )
    reference = forms.CharField(
        label=_("Voucher or reference"),
        max_length=60,
        help_text=_("The voucher number in the finance system, e.g. VER-2026-0412."),
        error_messages={"required": _("Enter the voucher number or reference.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class CorrectionForm(PaymentForm):
    amount = KronorField(
        label=_("Right amount (kronor)"),
        help_text=_("Replaces the corrected payment's amount; 0 cancels it."),
        error_messages={"required": _("Enter the amount paid.")},
    )
    note = forms.CharField(
        label=_("Why is it corrected?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the payment is corrected.")},
    )


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the payment held?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown beside the payment in the plan, e.g. the annual report is missing."),
        error_messages={"required": _("Say why the payment is held.")},
    )


class ReleaseForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the annual report came in on 3 March."),
    )


class TermsForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Payment frequency"), choices=Frequency.choices)


STATUS_CHOICES = [
    ("", _("All")),
    (Status.OVERDUE, _("Overdue")),
    (Status.HELD, _("Held")),
    (Status.UNPAID, _("Not paid in full")),
    (Status.PAID, _("Paid")),
]


class YearPlanFilter(forms.Form):
    """The year plan's filters, read from the query string (an invalid value is ignored)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    committee = forms.ModelChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.order_by("name"),
        required=False,
        empty_label=_("Every committee"),
    )
    public_body = forms.ModelChoiceField(
        label=_("Public party"),
        queryset=PublicBody.objects.order_by("name"),
        required=False,
        empty_label=_("Every public party"),
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Registry number, title, organisation or organisation number."),
    )
    status = forms.ChoiceField(label=_("Show"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("committee", "public_body", "status"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget = forms.TextInput(attrs={"class": "form-control", "type": "search"})

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "year": data.get("year") or timezone.localdate().year,
            "committee": data.get("committee"),
            "public_body": data.get("public_body"),
            "search": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
        }
