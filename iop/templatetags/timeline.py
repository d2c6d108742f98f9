"""``{% timeline_rows timeline %}``: the case page's timeline entries (``iop/case/_timeline.html``).

The rows are built here rather than in a ``{% for %}`` loop of the template: a long case has
hundreds of entries, and the template engine's variable lookups, ``|date`` filters and
``{% translate %}`` tags per row cost more than the rest of the timeline (bench/profile_page.py).
Every value is escaped by ``format_html``; the markup is the one the template had.
"""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines
from django.utils.translation import gettext

register = template.Library()

# Django's date format characters that strftime writes the same (digits only, no names): a
# format of only these is written with strftime, ten times faster than DateFormat.
_STRFTIME = {"Y": "%Y", "m": "%m", "d": "%d", "H": "%H", "i": "%M", "s": "%S", "O": "%z"}


def _formatter(django_format: str):
    """A function writing a datetime in ``django_format`` (the |date filter's language)."""
    pattern, chars = [], iter(django_format)
    for char in chars:
        if char == "\\":
            pattern.append(next(chars, "").replace("%", "%%"))
        elif char in _STRFTIME:
            pattern.append(_STRFTIME[char])
        elif char.isalpha():
            return lambda value: date_format(value, django_format)
        else:
            pattern.append(char.replace("%", "%%"))
    strftime_pattern = "".join(pattern)
    return lambda value: value.strftime(strftime_pattern)


@register.simple_tag
def timeline_rows(timeline) -> SafeString:
    if not timeline:
        return format_html("<li>{}</li>", gettext("Nothing has happened yet."))
    machine, shown = _formatter("Y-m-d\\TH:i:sO"), _formatter(get_format("SHORT_DATETIME_FORMAT"))
    changed_from, to, note_label = gettext("changed from"), gettext("to"), gettext("Note")
    rows = []
    for entry in timeline:
        at = timezone.localtime(entry.at) if timezone.is_aware(entry.at) else entry.at
        detail = format_html(": {}", entry.detail) if entry.detail else ""
        changes = ""
        if entry.changes:
            changes = format_html(
                '<ul class="mb-1 small">{}</ul>',
                mark_safe(  # nosec B308, B703  # each item built by format_html
                    "".join(
                        format_html(
                            '<li><span class="fw-semibold">{}</span>: '
                            '<span class="visually-hidden">{}</span> '
                            '<span class="text-decoration-line-through">{}</span> '
                            '<span aria-hidden="true">→</span><span class="visually-hidden">{}</span> '
                            "<span>{}</span></li>",
                            change.label,
                            changed_from,
                            change.old or "–",
                            to,
                            change.new or "–",
                        )
                        for change in entry.changes
                    )
                ),
            )
        note = ""
        if entry.note:
            note = format_html(
                '<div class="mb-0 small bg-body-tertiary p-2 rounded">'
                '<span class="visually-hidden">{}: </span>{}</div>',
                note_label,
                mark_safe(normalize_newlines(escape(entry.note)).replace("\n", "<br>")),  # nosec B308, B703  # escaped first, as |linebreaksbr
            )
        rows.append(
            format_html(
                '<li class="border-start border-3 ps-3 pb-3 timeline-entry" data-kind="{}">'
                '<p class="mb-1"><strong>{}</strong>{}</p>'
                '<p class="mb-1 small text-body-secondary">'
                '<time datetime="{}">{}</time>, {}</p>{}{}</li>\n',
                entry.kind,
                entry.title,
                detail,
                machine(at),
                shown(at),
                entry.by,
                changes,
                note,
            )
        )
    return mark_safe("".join(rows))  # nosec B308, B703  # each row built by format_html
