"""The form the committee secretary records a decision with."""

from __future__ import annotations

from crispy_forms.layout import Field, Layout

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.ui import form_helper

from ..constants import Outcome

PARAGRAPH_MESSAGE = _("Give the § as a whole number, e.g. 45.")


class DecisionForm(forms.Form):
    """The outcome, the § and, when the committee changed the proposal, the decision as it
    was made. The service checks the rest (the § free at the meeting, the matter on its
    agenda, not decided already) and its refusals are shown next to the fields."""

    outcome = forms.ChoiceField(
        label=_("The committee's decision"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the committee's decision.")},
    )
    paragraph = forms.IntegerField(
        label=_("§ number"),
        min_value=1,
        max_value=32767,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("The paragraph of the minutes, e.g. 45."),
        error_messages={
            "required": PARAGRAPH_MESSAGE,
            "invalid": PARAGRAPH_MESSAGE,
            "min_value": PARAGRAPH_MESSAGE,
            "max_value": PARAGRAPH_MESSAGE,
        },
    )
    changed_text = forms.CharField(
        label=_("The decision as changed by the committee"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only when the committee approved the proposal with changes."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. a reservation or why the matter was referred back."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(self)
        self.helper.layout = Layout(
            Field("outcome"), Field("paragraph"), Field("changed_text"), Field("note")
        )

    def add_refusals(self, errors: dict[str, list[str]]) -> None:
        """The service's refusals next to their fields (``""``: the whole form)."""
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
