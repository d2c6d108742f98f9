"""Who handles a case, as every form that chooses them asks it (intake, reassignment, admin)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.users import display_name

from ..selectors import case_officer_choices

PEOPLE_FIELDS = ("officer", "substitute")


def offer_case_officers(form: forms.BaseForm) -> None:
    """The officer and substitute fields of ``form`` offer the users who handle cases, by name."""
    for name in PEOPLE_FIELDS:
        if name in form.fields:
            form.fields[name].queryset = case_officer_choices()
            form.fields[name].label_from_instance = display_name


def check_substitute(form: forms.BaseForm, cleaned: dict) -> bool:
    """Refuse the same person as case officer and substitute, on the substitute field.
    Whether it was refused."""
    officer, substitute = cleaned.get("officer"), cleaned.get("substitute")
    if officer is None or substitute is None or officer.pk != substitute.pk:
        return False
    form.add_error(
        "substitute",
        forms.ValidationError(
            _("The substitute must be someone other than the case officer."), code="same_person"
        ),
    )
    return True
