"""The case page's forms: the confirmation of a transition and the reassignment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.ui import form_helper

from ..models import Case
from ..selectors import case_officer_choices
from ..services import TransitionInfo
from ..workflow import rule_for
from .people import check_substitute, offer_case_officers

# The condition whose rule a transition's extra field exists to satisfy: an empty field is
# refused with that rule, next to the field, so the message is the same one the state machine
# gives.
FIELD_RULES = {
    "closing_reason": Case.has_closing_reason,
    "notice_date": Case.has_notice_date,
    "notice_given_by": Case.has_notice_date,
}


class TransitionForm(forms.Form):
    """Confirm a transition: an optional (or required) note and the transition's fields."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the case's timeline."),
    )

    def __init__(self, *args, info: TransitionInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.info = info
        if info.note_required:
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = _(
                "A comment is required for «%(action)s»."
            ) % {"action": info.label}
            self.fields["note"].help_text = _("Required: say why. Shown in the case's timeline.")
        for name in info.fields:
            self.fields[name] = self._extra_field(name)
        # What the action needs comes first; the note is the last thing to write.
        self.order_fields([*info.fields, "note"])
        self.helper = form_helper(self)

    @staticmethod
    def _extra_field(name: str) -> forms.Field:
        model_field = Case._meta.get_field(name)
        kwargs = {}
        if name == "notice_date":
            kwargs["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif name == "closing_reason":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 4})
        field = model_field.formfield(**kwargs)
        field.required = True
        if name in FIELD_RULES:
            field.error_messages["required"] = rule_for(FIELD_RULES[name])
        return field

    def transition_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.info.fields}


class ReassignForm(forms.Form):
    """Choose the case officer and the substitute among the users who handle cases."""

    officer = forms.ModelChoiceField(
        label=_("Case officer"),
        queryset=case_officer_choices(),
        help_text=_("The new case officer is told by e-mail."),
    )
    substitute = forms.ModelChoiceField(
        label=_("Substitute case officer"),
        queryset=case_officer_choices(),
        required=False,
        empty_label=_("No substitute"),
        help_text=_("Takes over the case's deadlines when the case officer is away."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Included in the e-mail and shown in the case's timeline."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("initial", {"officer": case.officer_id, "substitute": case.substitute_id})
        super().__init__(*args, **kwargs)
        self.case = case
        offer_case_officers(self)
        self.helper = form_helper(self)

    def clean(self):
        cleaned = super().clean()
        officer, substitute = cleaned.get("officer"), cleaned.get("substitute")
        if officer is None or check_substitute(self, cleaned):
            return cleaned
        if officer.pk == self.case.officer_id and (
            getattr(substitute, "pk", None) == self.case.substitute_id
        ):
            raise forms.ValidationError(
                _("Choose a different case officer or substitute: nothing would change."),
                code="unchanged",
            )
        return cleaned
