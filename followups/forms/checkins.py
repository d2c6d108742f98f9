"""The check-in forms: booking a meeting (day, time, length, place), recording it after it was
held (day, who took part from both sides, notes) with its agreed actions (a formset: what,
who, by when), and cancelling a booking."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..services.checkins import MAX_DURATION_MINUTES, ActionInput

# Rows of agreed actions offered on a new record; "Add an action" adds one more.
BLANK_ACTIONS = 2
MAX_ACTIONS = 30
ACTIONS_PREFIX = "actions"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%H:%M", **kwargs)


class CheckInBookForm(forms.Form):
    date = forms.DateField(label=_("Day"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=1,
        max_value=MAX_DURATION_MINUTES,
        initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 15}),
    )
    location = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("A room and address, or the link to a video meeting."),
    )

    @classmethod
    def initial_of(cls, check_in) -> dict[str, Any]:
        moment = timezone.localtime(check_in.starts_at) if check_in.starts_at else None
        return {
            "date": moment.date() if moment else None,
            "time": moment.time().replace(second=0, microsecond=0) if moment else None,
            "duration_minutes": check_in.duration_minutes,
            "location": check_in.location,
        }

    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.datetime.combine(data["date"], data["time"]))

    def service_arguments(self) -> dict[str, Any]:
        return {
            "starts_at": self.starts_at(),
            "duration_minutes": self.cleaned_data["duration_minutes"],
            "location": self.cleaned_data["location"],
        }


class CheckInRecordForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    participants_public = forms.CharField(
        label=_("Participants from the public body"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names and roles, one a line or separated by commas."),
    )
    participants_organisation = forms.CharField(
        label=_("Participants from the organisation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Names and roles, one a line or separated by commas."),
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 8}))

    @classmethod
    def initial_of(cls, check_in) -> dict[str, Any]:
        if check_in is None or not check_in.is_held:
            # The booked day, or today (the notes are often written right after the meeting).
            today = timezone.localdate()
            held = today
            if check_in is not None and check_in.starts_at:
                held = timezone.localtime(check_in.starts_at).date()
            return {"held_on": held if held <= today else None}
        return {
            "held_on": check_in.held_on,
            "participants_public": check_in.participants_public,
            "participants_organisation": check_in.participants_organisation,
            "notes": check_in.notes,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "participants_public": data["participants_public"],
            "participants_organisation": data["participants_organisation"],
            "notes": data["notes"],
        }


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=500, required=False)
    owner = forms.CharField(label=_("Who"), max_length=200, required=False)
    due_on = forms.DateField(label=_("By"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        typed = data.get("text") or data.get("owner") or data.get("due_on")
        if typed:
            if not data.get("text") and "text" not in self.errors:
                self.add_error("text", _("Say what was agreed."))
            if not data.get("owner") and "owner" not in self.errors:
                self.add_error("owner", _("Say who does it."))
        return data


class BaseActionFormSet(forms.BaseFormSet):
    def actions(self) -> list[ActionInput]:
        return [
            ActionInput(
                text=form.cleaned_data.get("text", ""),
                owner=form.cleaned_data.get("owner", ""),
                due_on=form.cleaned_data.get("due_on"),
            )
            for form in self.forms
            if form.cleaned_data
        ]


ActionFormSet = forms.formset_factory(
    ActionForm,
    formset=BaseActionFormSet,
    extra=0,
    max_num=MAX_ACTIONS,
    absolute_max=MAX_ACTIONS,
    validate_max=True,
)


def action_formset(data: QueryDict | None = None, *, check_in=None) -> BaseActionFormSet:
    """The agreed actions: bound to what was posted, or the meeting's actions and blank rows."""
    if data is not None:
        return ActionFormSet(data, prefix=ACTIONS_PREFIX)
    initial = []
    if check_in is not None and check_in.pk:
        initial = [
            {"text": a.text, "owner": a.owner, "due_on": a.due_on} for a in check_in.actions.all()
        ]
    initial += [{} for _n in range(BLANK_ACTIONS)]
    return ActionFormSet(initial=initial, prefix=ACTIONS_PREFIX)


def with_one_more_action(data: QueryDict) -> QueryDict:
    """What was posted, with one more blank row of actions ("Add an action")."""
    data = data.copy()
    key = f"{ACTIONS_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, MAX_ACTIONS))
    return data


class CheckInCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"),
        max_length=300,
        required=False,
        help_text=_("Optional, e.g. moved to another day at the organisation's request."),
    )
