"""``{{ user|display_name }}`` in templates: the one rule for how a person is named."""

from django import template

from ..users import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    return _display_name(user)
