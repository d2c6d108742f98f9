"""The admin's forms for a case and for registering a case document."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from partners.ui import IdsChoiceField
from partners.uploads import validate_document_upload

from ..forms.people import PEOPLE_FIELDS, check_substitute, offer_case_officers
from ..models import Case, CaseDocument

# What was typed when the initiative was registered, in the order the admin shows it.
DETAIL_FIELDS = (
    "title",
    "committee",
    "organisations",
    "public_bodies",
    "received_on",
    "societal_challenge",
    "idea_description",
)


class CaseAdminForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = (*DETAIL_FIELDS, *PEOPLE_FIELDS)
        widgets = {"public_bodies": forms.CheckboxSelectMultiple}
        # An id beyond the database's range is "not one of the choices", not a server error.
        field_classes = {"organisations": IdsChoiceField, "public_bodies": IdsChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_case_officers(self)
        if "officer" in self.fields and self.instance.pk:
            self.fields["officer"].help_text = _("A new case officer is told by e-mail.")
        if "public_bodies" in self.fields:
            self.fields["public_bodies"].required = False
            self.fields["public_bodies"].help_text = _(
                "Other public parties to the partnership. The public body of the responsible "
                "committee is always a party."
            )

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if self.instance.pk and received_on.year != self.instance.registry_year:
            raise forms.ValidationError(
                _(
                    "The case is registered in %(year)s (%(number)s): the date the initiative "
                    "was received must be in that year."
                ),
                code="registry_year",
                params={
                    "year": self.instance.registry_year,
                    "number": self.instance.registry_number,
                },
            )
        return received_on

    def clean(self):
        cleaned = super().clean()
        committee = cleaned.get("committee")
        check_substitute(self, cleaned)
        if (
            committee is not None
            and self.instance.pk
            and committee.public_body_id != self.instance.public_body_id
        ):
            self.add_error(
                "committee",
                forms.ValidationError(
                    _(
                        "The case is registered in the registry of %(body)s: choose one of "
                        "its committees."
                    ),
                    code="other_public_body",
                    params={"body": self.instance.public_body},
                ),
            )
        if committee is not None and "public_bodies" in self.fields:
            chosen = list(cleaned.get("public_bodies") or [])
            if committee.public_body not in chosen:
                chosen.append(committee.public_body)
            cleaned["public_bodies"] = chosen
        return cleaned


class CaseDocumentForm(forms.ModelForm):
    class Meta:
        model = CaseDocument
        fields = ("case", "kind", "title", "file", "received_on", "direction", "counterpart")
        widgets = {"received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].validators.append(validate_document_upload)
            self.fields["file"].help_text = validate_document_upload.help_text
