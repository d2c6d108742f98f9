"""The secretary's forms for the committee's meetings and their agendas: they check what was
typed; the services decide (a date before today, the last day for matters after the meeting
are refused there, per field)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from iop.models import Committee
from partners.ui import IdsChoiceField

from ..models import Matter, Meeting
from ..services.meetings import DOWN, UP


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MeetingForm(forms.Form):
    """A meeting's date, time, place and last day for matters (and, when it is new, its
    committee)."""

    committee = forms.ModelChoiceField(
        label=_("Committee"), queryset=Committee.objects.none(), empty_label=None
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    starts_at = forms.TimeField(label=_("Time"), widget=TimeInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    matters_deadline = forms.DateField(
        label=_("Last day for matters"),
        widget=DateInput(),
        help_text=_("Matters must be final by this day to reach the agenda."),
    )

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        if meeting is not None:
            kwargs.setdefault(
                "initial",
                {
                    "date": meeting.date,
                    "starts_at": meeting.starts_at,
                    "place": meeting.place,
                    "matters_deadline": meeting.matters_deadline,
                },
            )
        super().__init__(*args, **kwargs)
        if meeting is not None:
            del self.fields["committee"]  # a meeting stays with its committee
        else:
            self.fields["committee"].queryset = Committee.objects.filter(
                is_active=True
            ).select_related("public_body")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("committee", None)
        return data


class AgendaAddForm(forms.Form):
    """The final matters of the committee that the secretary puts on the agenda."""

    matters = IdsChoiceField(
        label=_("Matters to put on the agenda"),
        queryset=Matter.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one matter.")},
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["matters"].queryset = candidates


class AgendaMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(UP, _("Up")), (DOWN, _("Down"))])


class AgendaLaterForm(forms.Form):
    """The later meeting of the same committee the matter moves to."""

    meeting = forms.ModelChoiceField(
        label=_("Move to the meeting of"),
        queryset=Meeting.objects.none(),
        error_messages={"required": _("Choose the meeting the matter moves to.")},
    )

    def __init__(self, *args, later=None, **kwargs):
        super().__init__(*args, **kwargs)
        if later is not None:
            self.fields["meeting"].queryset = later


def default_deadline(date: datetime.date) -> datetime.date:
    """The usual last day for matters: two weeks before the meeting."""
    return date - datetime.timedelta(days=14)
