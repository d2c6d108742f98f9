"""The annual evaluation's form: the year, the day, the organisation's annual report (the
service checks it by content and registers it), the evaluation and both parties' views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .checkins import DateInput


class AnnualEvaluationForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year evaluated"),
        help_text=_("The calendar year the annual report covers."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    evaluated_on = forms.DateField(label=_("Evaluated on"), widget=DateInput())
    annual_report = forms.FileField(
        label=_("The organisation's annual report"),
        help_text=_(
            "PDF, Word (.docx), OpenDocument (.odt), PNG or JPEG. It is registered in the case."
        ),
        error_messages={"required": _("Upload the organisation's annual report.")},
    )
    counterpart = forms.CharField(
        label=_("Sent by"),
        max_length=200,
        required=False,
        help_text=_("The organisation, if another than the case's."),
    )
    evaluation = forms.CharField(label=_("Evaluation"), widget=forms.Textarea(attrs={"rows": 8}))
    public_view = forms.CharField(
        label=_("The public body's view"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    organisation_view = forms.CharField(
        label=_("The organisation's view"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @staticmethod
    def initial_for(today=None) -> dict[str, Any]:
        today = today or timezone.localdate()
        return {"year": today.year - 1, "evaluated_on": today}

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.fields}
