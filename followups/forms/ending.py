"""The notice of termination and the wind-down plan's forms. The services decide (a date in
the future, a missing reason, a file of a type not allowed); the forms parse what was typed
and ask for a file again when the page comes back with errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iop.constants import NoticeGivenBy
from partners.forms import AskForFileAgainMixin
from partners.uploads import validate_document_upload

from .reports import DateInput


def _file_input() -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": validate_document_upload.accept})


class NoticeForm(AskForFileAgainMixin, forms.Form):
    file_fields = ("letter",)

    given_on = forms.DateField(
        label=_("Date notice was given"),
        widget=DateInput(),
        help_text=_("The day of the notice letter; the notice period runs from it."),
        error_messages={"required": _("Give the date notice was given.")},
    )
    given_by = forms.ChoiceField(
        label=_("Notice given by"),
        choices=NoticeGivenBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose which party gave notice.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the partnership ends; it is written in the case's history."),
        error_messages={"required": _("Give the reason for the notice.")},
    )
    letter = forms.FileField(
        label=_("The notice letter"),
        widget=_file_input(),
        error_messages={"required": _("Attach the notice letter.")},
    )
    letter_title = forms.CharField(
        label=_("Title of the letter in the registry"),
        max_length=300,
        required=False,
        help_text=_("Leave empty for «Notice of termination of the IOP»."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["letter"].help_text = validate_document_upload.help_text
        self.fields["given_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class WindDownPlanForm(AskForFileAgainMixin, forms.Form):
    file_fields = ("file",)

    text = forms.CharField(
        label=_("Write the plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "How the activity is wound down: what ends when, what happens to the participants, "
            "premises, equipment and remaining money. It is printed as a PDF and registered."
        ),
    )
    file = forms.FileField(label=_("Or upload the plan"), required=False, widget=_file_input())
    received_on = forms.DateField(
        label=_("Date received or written"),
        required=False,
        widget=DateInput(),
        help_text=_("Today if left empty."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = validate_document_upload.help_text
