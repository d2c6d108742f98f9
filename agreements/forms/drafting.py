"""Forms of the drafting screens: one heading's text, the term, and the parties.

Each form carries the revision the user opened (the optimistic lock); the services refuse a
save from an older revision with ``EditConflict``, and the view shows both texts.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from partners.ui import form_helper

from ..constants import SECTION_GUIDANCE, TermKind
from ..models import PARTY_FIELDS, TERMS_FIELDS, AgreementParty, AgreementVersion
from ..models.agreement import decision_reference
from ..services.readiness import renegotiation_events


class RevisionForm(forms.Form):
    """The revision the user started editing from."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(self)


class SectionForm(RevisionForm):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )

    field_order = ["text", "revision"]

    def __init__(self, *args: Any, key: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = SECTION_GUIDANCE.get(key, "")


# The longest term, revision interval (years) and notice (months) an IOP agreement may name.
TERM_LIMITS = {"term_years": 50, "revision_interval_years": 10, "notice_months": 60}


# The terms form's fields: the terms and the committee decision allowing a changed amount.
TERMS_FORM_FIELDS = (*TERMS_FIELDS, "authorising_event")


class DecisionEventField(forms.ModelChoiceField):
    def label_from_instance(self, event) -> str:
        return decision_reference(event)


class TermsForm(forms.ModelForm):
    """The term, notice, invoice address and authorising decision of a draft. Saved through
    ``services.version_update``; never saved by the form itself. The decision is one of the
    case's recorded decisions to renegotiate (its ``start_renegotiation`` events); a case
    without one has no such field."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = AgreementVersion
        fields = TERMS_FORM_FIELDS
        field_classes = {"authorising_event": DecisionEventField}
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "term_kind": forms.RadioSelect,
            "invoice_address": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "authorising_event": _(
                "Required when a renegotiated version changes an amount of the agreement in "
                "force: the committee's recorded decision to renegotiate."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].required = False
        events = renegotiation_events(self.instance.agreement.case_id) if self.instance.pk else None
        if events is None or not events.exists():
            del self.fields["authorising_event"]
        else:
            self.fields["authorising_event"].queryset = events
            self.fields["authorising_event"].empty_label = _("– none –")
        for name, most in TERM_LIMITS.items():
            # One range, replacing the field's own 0–32767, so a wrong number gets one message.
            self.fields[name].validators = [MinValueValidator(1), MaxValueValidator(most)]
            self.fields[name].widget.attrs.update({"min": 1, "max": most})
        self.helper = form_helper(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("term_kind")
        if kind == TermKind.FIXED and not data.get("term_years"):
            self.add_error("term_years", _("A fixed term needs its length in years."))
        if kind == TermKind.UNTIL_FURTHER_NOTICE and not data.get("revision_interval_years"):
            self.add_error(
                "revision_interval_years",
                _("An agreement until further notice needs an interval between revisions."),
            )
        return data

    def _post_clean(self) -> None:
        # The service validates and saves the version under its lock; the form only checks
        # what was typed (the instance must not be touched before the revision is checked).
        pass

    def version_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in TERMS_FORM_FIELDS if name in self.fields}


class PartyForm(forms.ModelForm):
    class Meta:
        model = AgreementParty
        fields = PARTY_FIELDS
        widgets = {"order": forms.NumberInput(attrs={"class": "party-order"})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["order"].validators.append(MinValueValidator(1))
        self.fields["order"].widget.attrs["min"] = 1
        self.fields["annual_amount"].widget.attrs["min"] = 0
        self.fields["contact_email"].widget.attrs["autocomplete"] = "off"


class BasePartyFormSet(forms.BaseModelFormSet):
    """Every party of the draft, in signing order; parties come from the case, so none are
    added or removed here."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if len(self.forms) != len(self.initial_forms) or any(
            form.instance.pk is None for form in self.forms
        ):
            # Only a crafted request gets here: rows added, or ids of another version's parties.
            raise forms.ValidationError(
                _("The parties come from the case: none can be added or exchanged here."),
                code="parties",
            )
        seen: dict[int, str] = {}
        for form in self.forms:
            order = form.cleaned_data.get("order")
            if order in seen:
                raise forms.ValidationError(
                    _("%(first)s and %(second)s have the same place in the signing order.")
                    % {"first": seen[order], "second": form.instance.name},
                    code="order",
                )
            seen[order] = form.instance.name


PartyFormSet = forms.modelformset_factory(
    AgreementParty,
    form=PartyForm,
    formset=BasePartyFormSet,
    extra=0,
    edit_only=True,
)
