"""Kronor and percentages the way Swedish public administration writes them.

``{{ 600000|kr }}`` → "600 000 kr" and ``{{ share|percent }}`` → "45,5 %": a narrow no-break
space groups the thousands (Språkrådet's recommendation), a no-break space keeps the unit on
the same line as the number, and a comma is the decimal separator. Whole kronor are shown
without decimals; öre only when there are any.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

THOUSANDS = "\u202f"  # narrow no-break space
UNIT_SPACE = "\xa0"  # no-break space
EMPTY = "–"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _group(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return THOUSANDS.join(groups)


def format_number(value: Decimal, *, decimals: int) -> str:
    """``value`` rounded to ``decimals`` places, thousands grouped, comma as decimal sign."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""  # a real minus sign, not a hyphen
    whole, _dot, fraction = f"{abs(rounded):f}".partition(".")
    text = sign + _group(whole)
    return f"{text},{fraction}" if fraction else text


@register.filter
def kr(value) -> str:
    """An amount in kronor: "600 000 kr", "1 250,50 kr"; "–" when there is none."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    decimals = 0 if number == number.to_integral_value() else 2
    return f"{format_number(number, decimals=decimals)}{UNIT_SPACE}kr"


@register.filter
def percent(value) -> str:
    """A percentage with one decimal: "45,5 %"; "–" when there is none."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{format_number(number, decimals=1)}{UNIT_SPACE}%"


@register.filter
def number(value) -> str:
    """A quantity such as hours: "2 000", "12,5"; "–" when there is none."""
    number_ = _decimal(value)
    if number_ is None:
        return EMPTY
    decimals = 0 if number_ == number_.to_integral_value() else 1
    return format_number(number_, decimals=decimals)
