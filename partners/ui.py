"""What every app's screens share, kept in the bottom layer so that every app can use it."""

from __future__ import annotations

from crispy_forms.helper import FormHelper

from django import forms

from .users import display_name

__all__ = ["display_name", "form_helper"]


def form_helper(form: forms.BaseForm) -> FormHelper:
    """The one crispy helper: the page templates own the ``<form>`` tag and the CSRF token."""
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    return helper
