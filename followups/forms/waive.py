"""Waiving a deadline: the reason is required (the service refuses a blank one too)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the deadline waived?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E.g. both parties agreed to skip this check-in. Saved with your name."),
        error_messages={"required": _("Say why the deadline is waived.")},
    )
