"""Registering a document in the case (the wind-down plan, a notice letter, meeting notes)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.forms import AskForFileAgainMixin
from partners.ui import form_helper
from partners.uploads import validate_document_upload

from ..models import CaseDocument


class CaseDocumentForm(AskForFileAgainMixin, forms.ModelForm):
    """What the registry records of the document: its kind and title, the file (checked by
    its content), the date, whether it came in, was drawn up here or goes out, and from or to
    whom. ``iop.services.case_document_register`` numbers and saves it."""

    file_fields = ("file",)

    class Meta:
        model = CaseDocument
        fields = ("kind", "title", "file", "received_on", "direction", "counterpart")
        labels = {"received_on": _("Date")}
        help_texts = {
            "received_on": _("The day it came in, was drawn up or was sent."),
        }
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "file": forms.ClearableFileInput(attrs={"accept": validate_document_upload.accept}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        file = self.fields["file"]
        file.validators.append(validate_document_upload)
        file.help_text = validate_document_upload.help_text
        file.error_messages["required"] = _("Choose the file to upload.")
        # No hidden copy of the callable default (a hidden input may carry no aria-*).
        self.fields["received_on"].show_hidden_initial = False
        self.helper = form_helper(self)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise ValidationError(_("The date cannot be later than today."), code="future")
        return received_on
