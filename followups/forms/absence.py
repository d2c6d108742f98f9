"""The absence form: who is away (the IOP coordinator chooses; anyone else registers their own
absence), from and to which day, and a note. The service decides overlaps and past periods."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from iop.constants import Role
from partners.users import display_name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return display_name(obj)


def staff_who_get_reminders():
    """The active case officers and IOP coordinators, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=Role.CASE_OFFICER.value) | Q(groups__name=Role.COORDINATOR.value))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class AbsenceForm(forms.Form):
    user = StaffChoiceField(
        label=_("Who is away"), queryset=get_user_model().objects.none(), required=True
    )
    starts_on = forms.DateField(label=_("First day away"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day away"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("For example holiday or sick leave. Seen by the IOP coordinators."),
    )

    def __init__(self, *args, for_others: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_others:
            self.fields["user"].queryset = staff_who_get_reminders()
        else:
            del self.fields["user"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return data
