"""The biennial follow-up report's form: the five headings of the committee's follow-up
attachment (DOMAIN.md §7), and an optional change of the amount per full year that makes the
matter a follow-up and renegotiation. The service decides; the form parses what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.ui import KronorChangeField

from ..models import FollowUpReport

# What people type around a number: spaces of any width as thousands separators, "kr".

HELP = {
    "cooperation": _("How the parties cooperate through the IOP, in a few sentences."),
    "background": _(
        "Which plan or strategy the IOP serves and which societal challenge it meets; its "
        "purpose and goals."
    ),
    "contributions": _(
        "What each party has contributed: money, and work and other contributions valued in kronor."
    ),
    "goal_fulfilment": _(
        "How far the goals are met and what effects are seen, as far as measurable."
    ),
    "development": _("What the parties want to develop or change."),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FollowUpReportForm(forms.Form):
    cooperation = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    background = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    contributions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))
    goal_fulfilment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    development = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    amount_change = KronorChangeField(
        help_text=_(
            "Leave empty for a follow-up only. A change (e.g. 50 000 or -20 000) asks the "
            "committee for a renegotiation in the same matter."
        ),
    )
    change_from = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in FollowUpReport.HEADINGS:
            field = self.fields[name]
            field.label = FollowUpReport._meta.get_field(name).verbose_name
            field.help_text = HELP[name]
        self.fields["amount_change"].label = _("Change per full year (kronor)")
        self.fields["change_from"].label = _("The change starts from")

    def service_arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    @classmethod
    def of(cls, report: FollowUpReport, data: Any = None) -> FollowUpReportForm:
        initial = {name: getattr(report, name) for name in cls.base_fields}
        return cls(data, initial=initial)
