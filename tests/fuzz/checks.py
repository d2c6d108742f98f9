"""The properties every refusal must have."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation


def _text(error: ValidationError, language: str) -> str:
    with translation.override(language):
        message = str(error.message)
        return message % error.params if error.params else message


def is_swedish(error: ValidationError) -> bool:
    """The message a Swedish user reads is not an English msgid: a lazy message reads
    differently in Swedish than in English; an already translated (plain) one is not a msgid
    that has a Swedish translation."""
    message = error.message
    if not any(c.isalpha() for c in str(message)):
        return True
    if isinstance(message, str):
        with translation.override("sv"):
            return translation.gettext(message) == message
    msgid = _text(error, "en")
    return _text(error, "sv") != msgid


def assert_refusal_is_explained(form: forms.BaseForm) -> None:
    """A refused form says why, in Swedish, on the field it is about (or above the form)."""
    errors = form.errors.as_data()
    assert errors, "refused without a message"
    for name, field_errors in errors.items():
        assert name == "__all__" or name in form.fields, f"error on unknown field {name}"
        for error in field_errors:
            assert is_swedish(error), f"{name}: not Swedish: {_text(error, 'sv')!r}"


def check_form(form: forms.BaseForm) -> bool:
    """Validate ``form`` (no exception may escape); a refusal is explained. Returns is_valid."""
    with translation.override("sv"):
        valid = form.is_valid()
    if not valid:
        assert_refusal_is_explained(form)
    return valid
