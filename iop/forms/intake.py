"""The intake screen: register an initiative, with a new organisation and contact if need be.
The forms validate what a person typed; ``iop.services.intake`` saves what they return."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.forms import ContactPersonForm, OrganisationForm
from partners.models import Organisation
from partners.ui import IdsChoiceField, form_helper

from ..models import Case, Committee
from .people import check_substitute, offer_case_officers

# SKL's planning sheets 1 and 2 (DOMAIN.md §6.5), in the order the sheets ask.
PLANNING_SHEET_1 = (
    "plan_direction",
    "plan_activities",
    "plan_timetable",
    "plan_concrete_results",
    "plan_intangible_results",
)
PLANNING_SHEET_2 = (
    "plan_target_group",
    "plan_core_team",
    "plan_stakeholders",
    "plan_anchoring",
    "plan_next_step",
)


class InitiativeForm(forms.ModelForm):
    """The initiative itself: organisations, what it is about, the planning sheets and who
    handles it. A new organisation is typed in ``NewOrganisationForm`` beside it."""

    organisations = IdsChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_(
            "The organisations behind the initiative. Hold Ctrl (Cmd on a Mac) to choose more "
            "than one. If the organisation is not in the list, register it below."
        ),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Case
        fields = [
            "organisations",
            "title",
            "societal_challenge",
            "idea_description",
            "received_on",
            *PLANNING_SHEET_1,
            *PLANNING_SHEET_2,
            "committee",
            "officer",
            "substitute",
        ]
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "societal_challenge": forms.Textarea(attrs={"rows": 3}),
            "idea_description": forms.Textarea(attrs={"rows": 4}),
            **{name: forms.Textarea(attrs={"rows": 2}) for name in PLANNING_SHEET_1},
            **{name: forms.Textarea(attrs={"rows": 2}) for name in PLANNING_SHEET_2},
        }
        help_texts = {
            "title": _("A short name for the partnership, shown in lists and documents."),
            "received_on": _("The date the organisation's initiative reached us."),
            "officer": _("Handles the case; defaults to you."),
            "substitute": _("Takes over the case's deadlines when the case officer is away."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.for_user(user).order_by("name")
        self.fields["organisations"].label_from_instance = lambda o: (
            f"{o.name} ({o.org_number_display})"
        )
        self.fields["committee"].queryset = Committee.objects.filter(is_active=True).select_related(
            "public_body"
        )
        self.fields["committee"].label_from_instance = lambda c: f"{c.name} ({c.public_body})"
        offer_case_officers(self)
        self.fields["substitute"].empty_label = _("No substitute")
        # Its model default is callable, so Django would add a hidden copy of the initial
        # value, with the help text's aria-describedby, which a hidden input may not carry.
        self.fields["received_on"].show_hidden_initial = False
        if not self.is_bound and user.has_perm("iop.handle_case"):
            self.initial.setdefault("officer", user.pk)
        self.helper = form_helper(self)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(
                _("The initiative cannot have been received later than today."), code="future"
            )
        return received_on

    def clean(self):
        cleaned = super().clean()
        check_substitute(self, cleaned)
        return cleaned

    def _post_clean(self):
        # The case is built and validated by the service (case_register runs full_clean with
        # its registry number); building it here would only duplicate that.
        pass

    def register_kwargs(self) -> dict[str, Any]:
        """The arguments of ``initiative_register`` for the case itself."""
        data = dict(self.cleaned_data)
        data["organisations"] = list(data["organisations"])
        return data


class NewOrganisationForm(OrganisationForm):
    """An organisation registered together with the initiative. Left empty, nothing is
    registered; once anything is typed, it is validated as a whole."""

    class Meta(OrganisationForm.Meta):
        fields = ["name", "org_number", "legal_form", "email", "phone"]

    prefix = "org"
    website = None  # declared on OrganisationForm; completed on the organisation's page

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_permitted", True)
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)


class NewContactForm(ContactPersonForm):
    """The new organisation's contact person (optional)."""

    class Meta(ContactPersonForm.Meta):
        fields = ["name", "title"]
        labels = {"name": _("Contact person")}

    prefix = "contact"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_permitted", True)
        kwargs.setdefault("use_required_attribute", False)
        super().__init__(*args, **kwargs)
        # Optional, so not marked required; a role typed without a name is still refused.
        self.fields["name"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("name", "").strip() and cleaned.get("title", "").strip():
            self.add_error(
                "name",
                forms.ValidationError(
                    _("Give the contact person's name, or leave both fields empty."),
                    code="required",
                ),
            )
        return cleaned


class InitiativeIntake:
    """The three forms of the intake screen, validated together: at least one organisation
    chosen or a new one typed; a contact person only with a new organisation."""

    def __init__(self, data: Any = None, *, user: Any) -> None:
        self.case_form = InitiativeForm(data, user=user)
        self.organisation_form = NewOrganisationForm(data)
        self.contact_form = NewContactForm(data)

    @property
    def forms(self) -> list[forms.BaseForm]:
        return [self.case_form, self.organisation_form, self.contact_form]

    @property
    def is_bound(self) -> bool:
        return self.case_form.is_bound

    @staticmethod
    def _typed_into(form: forms.BaseForm) -> bool:
        # The legal form always has a value (a select with a default); only what the person
        # typed tells that they meant to register an organisation.
        return any(
            str(form[name].data or "").strip()
            for name, field in form.fields.items()
            if not isinstance(field, forms.ChoiceField)
        )

    @property
    def wants_new_organisation(self) -> bool:
        return self.is_bound and (
            self._typed_into(self.organisation_form) or self._typed_into(self.contact_form)
        )

    def is_valid(self) -> bool:
        if self.wants_new_organisation:
            # Typed into: validate as a whole, so a missing name or number is an error.
            self.organisation_form.empty_permitted = False
        # Every form is validated (no short-circuit), so every error is shown at once.
        results = [form.is_valid() for form in self.forms]
        valid = all(results)
        if (
            not self.wants_new_organisation
            and "organisations" not in self.case_form.errors
            and not self.case_form.cleaned_data.get("organisations")
        ):
            self.case_form.add_error(
                "organisations",
                forms.ValidationError(
                    _("Choose at least one organisation, or register a new one."),
                    code="no_organisation",
                ),
            )
            valid = False
        return valid

    @property
    def has_errors(self) -> bool:
        return self.is_bound and any(form.errors for form in self.forms)

    def register_kwargs(self) -> dict[str, Any]:
        kwargs = self.case_form.register_kwargs()
        if self.wants_new_organisation:
            kwargs["new_organisation"] = dict(self.organisation_form.cleaned_data)
            if self.contact_form.cleaned_data.get("name"):
                kwargs["new_contact"] = dict(self.contact_form.cleaned_data)
        return kwargs
