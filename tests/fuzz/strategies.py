"""Hostile input for a form, drawn field by field from the form's own fields.

Each value is a string as a browser would post it: plausible values of the field's type
mixed with long strings, empty strings, Unicode (right-to-left, emoji, combining marks),
control characters and NUL bytes, numbers out of range, dates far away or impossible, and
other objects' and non-existent ids in choice fields.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from django import forms
from django.db.models import Model

WEIRD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x07\x08\x1b[31m\x7f",
    "\r\n\t",
    "\u202eevil\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "שָׁלוֹם",
    "👩‍👩‍👧‍👦🇸🇪",
    "e\u0301\u0308\u20dd",  # combining marks
    "Z̷̢̛̖a̸̡͓l̵̰͑g̶̣̈́o̸͓͐",
    "\ufeff\u200b\u00ad",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s %(x)s {0} {}",
    "=cmd|' /C calc'!A0",  # CSV/Excel formula injection
    "Å" * 256,
    "x" * 1001,
    "ö" * 10_001,
]
NUMBERS = [
    "0",
    "-1",
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "9" * 30,
    "-" + "9" * 30,
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    "12.345678",
    "1,5",
    "1 000",
    "1\xa0000",
    "0x10",
    "١٢٣",  # Arabic-Indic digits
    "²",
    "1_000",
    "+5",
]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "0000-00-00",
    "2026-02-30",
    "2026-13-01",
    "2027-02-29",
    "2028-02-29",
    "-2026-01-01",
    "31/12/2026",
    "2026-1-1",
    "1-1-1",
    "2026-12-31T23:59",
    "25:00",
    "23:59:60",
    "24:00",
    "00:00",
    "12:5",
    "9999-12-31 23:59:59",
]

PLAIN = ["Föreningen Navet", "Åsa Öberg", "info@navet.se", "https://navet.se", "054-10 00 00"]
PLAIN_NUMBERS = ["1", "2", "12", "2027", "50000", "600 000", "-20000", "0.5", "1,5"]
PLAIN_DATES = ["2027-01-01", "2026-12-31", "2030-06-15", "13:00"]
SKIP = object()  # the field is not sent at all

# Generated text is the costly draw: kept short and one branch in four.
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_HOSTILE = WEIRD + NUMBERS + DATES


def _pool(*plausible: list[str]) -> st.SearchStrategy[Any]:
    pool = st.sampled_from([SKIP, *(v for values in plausible for v in values), *_HOSTILE])
    return st.one_of(pool, pool, pool, _text)


def _choice_values(field: forms.Field) -> list[str]:
    values = []
    for value, _label in getattr(field, "choices", []):
        if isinstance(value, list | tuple):  # option groups
            values.extend(str(v) for v, _ in value)
        else:
            values.append(str(getattr(value, "value", value)))
    return values


def _ids_of(model: type[Model]) -> list[str]:
    ids = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:50]]
    return ids + ["0", "-1", "999999", str(2**63), "1.0", "abc"]


def field_values(field: forms.Field) -> st.SearchStrategy[Any]:
    """A string (or list of strings) posted for ``field``, or SKIP."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        ids = _ids_of(field.queryset.model)
        return st.lists(st.sampled_from(ids + _HOSTILE), max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        return _pool(_ids_of(field.queryset.model))
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(st.sampled_from(_choice_values(field) + _HOSTILE), max_size=3)
    if isinstance(field, forms.ChoiceField):
        return _pool(_choice_values(field))
    if isinstance(field, forms.BooleanField | forms.NullBooleanField):
        return _pool(["on", "true", "false", "1", "0", "unknown"])
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return _pool(PLAIN_NUMBERS)
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField):
        return _pool(PLAIN_DATES)
    if isinstance(field, forms.FileField):
        return st.just(SKIP)  # files are covered by the upload tests (partners.uploads)
    return _pool(PLAIN)


@st.composite
def form_data(draw, form: forms.BaseForm) -> dict[str, Any]:
    """POST data for every field of ``form`` (under its prefix); a field may be left out."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = draw(field_values(field))
        if value is not SKIP:
            data[form.add_prefix(name)] = value
    return data
