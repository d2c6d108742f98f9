"""The form that records one party's signature of the approved version."""

from __future__ import annotations

from crispy_forms.layout import Field, Layout

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.ui import form_helper

from ..constants import SigningMethod
from ..models import AgreementParty


class SignatureForm(forms.Form):
    """When and how the next party's signatory signed. The party travels as a hidden field,
    so a page left open while someone else recorded a signature is refused, not misapplied."""

    party = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    signed_on = forms.DateField(
        label=_("Date signed"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The date on the signed agreement, not today's date if they differ."),
    )
    method = forms.ChoiceField(
        label=_("Signed"),
        choices=SigningMethod.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, parties: list[AgreementParty], next_party: AgreementParty, **kwargs):
        kwargs.setdefault(
            "initial",
            {"party": next_party.pk, "signed_on": timezone.localdate(), "method": ""},
        )
        super().__init__(*args, **kwargs)
        self.parties = {p.pk: p for p in parties}
        self.fields["party"].choices = [(p.pk, p.name) for p in parties]
        self.fields["party"].error_messages["invalid_choice"] = _(
            "That party is not a party of the version waiting for signatures."
        )
        self.fields["signed_on"].error_messages["required"] = _("Give the date it was signed.")
        self.fields["method"].error_messages["required"] = _(
            "Say whether it was signed on paper or digitally."
        )
        self.helper = form_helper(self)
        self.helper.layout = Layout("party", Field("signed_on"), Field("method"))

    def signing_party(self) -> AgreementParty:
        return self.parties[self.cleaned_data["party"]]
