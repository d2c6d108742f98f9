"""The case's timeline: its events and the recorded changes of its fields, newest first. The
one timeline, shown on the case page and on the case's admin page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from simple_history.utils import get_m2m_reverse_field_name

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from partners.users import display_name

from ..constants import CaseEventKind, CaseStatus, Transition
from ..models import Case, CaseEvent

User = get_user_model()


@dataclass(frozen=True)
class FieldChange:
    """One field of a case changed: its label and the old and new values, as shown."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class TimelineEntry:
    """One line in the case's timeline: a case event or a recorded change of its fields."""

    at: datetime.datetime
    actor: Any  # the user, or None when the system (or a migration) did it
    kind: str  # a CaseEventKind value, or TimelineEntry.CHANGE
    title: str
    detail: str = ""
    note: str = ""
    changes: tuple[FieldChange, ...] = ()
    event: CaseEvent | None = None  # the case event this line tells, None for a change

    CHANGE: ClassVar[str] = "change"

    @property
    def by(self) -> str:
        """Who did it, by name; the system when no one did."""
        return display_name(self.actor) or str(_("the system"))


# Left out of the field changes: the case events already tell every change of stage (with
# the action and its note), and these time stamps change on every save.
TIMELINE_HIDDEN_FIELDS = frozenset({"status", "status_changed_at", "created_at", "updated_at"})


def case_timeline(case: Case) -> list[TimelineEntry]:
    """The case's events and the changes of its fields (django-simple-history), newest first.

    A constant number of queries however long the history: the events with their users, the
    history records with their users and their many-to-many rows, and at most one query per
    related model for the values of changed foreign keys. ``diff_against`` would query the
    many-to-many rows once per record, so those are compared here from the prefetched rows.
    """
    events = list(CaseEvent.objects.filter(case=case).select_related("actor", "assignee"))
    history_model = Case.history.model
    m2m_fields = list(history_model._history_m2m_fields)
    prefetches = [
        Prefetch(
            _m2m_accessor(history_model, field),
            queryset=_m2m_history_model(history_model, field).objects.select_related(
                get_m2m_reverse_field_name(field)
            ),
            to_attr=f"_timeline_{field.name}",
        )
        for field in m2m_fields
    ]
    records = list(
        case.history.select_related("history_user")
        .prefetch_related(*prefetches)
        .order_by("history_date", "history_id")
    )

    # What the case looked like when it was registered is its starting point, not a change:
    # the registration's own saves (organisations and public parties set one by one) are
    # covered by the «registered» event.
    created = [e.at for e in events if e.kind == CaseEventKind.CREATED]
    cutoff = min(created) if created else (records[0].history_date if records else None)
    baseline = None
    diffs: list[tuple[Any, list[tuple[Any, Any, Any]]]] = []
    for record in records:
        if baseline is None or record.history_date <= cutoff:
            baseline = record
            continue
        changed = _record_changes(record, baseline, m2m_fields)
        baseline = record
        if changed:
            diffs.append((record, changed))

    display = _ValueDisplay(
        [
            (field, value)
            for _record, changed in diffs
            for field, *values in changed
            for value in values
        ]
    )
    labels = _EventLabels()
    entries = [_event_entry(e, labels) for e in events]
    entries += [
        TimelineEntry(
            at=record.history_date,
            actor=record.history_user,
            kind=TimelineEntry.CHANGE,
            title=str(_("Details changed")),
            changes=tuple(
                FieldChange(
                    label=capfirst(str(field.verbose_name)),
                    old=display(field, old),
                    new=display(field, new),
                )
                for field, old, new in changed
            ),
        )
        for record, changed in diffs
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


@cache
def _m2m_accessor(history_model, field) -> str:
    """The name of the history record's reverse relation to its rows of ``field``."""
    m2m_model = _m2m_history_model(history_model, field)
    return next(
        rel.get_accessor_name()
        for rel in history_model._meta.related_objects
        if rel.related_model is m2m_model
    )


@cache  # the model class: simple_history builds a manager class on every access
def _m2m_history_model(history_model, field):
    return getattr(history_model, field.name).model


def _record_changes(record, previous, m2m_fields) -> list[tuple[Any, Any, Any]]:
    """[(model field, old value, new value)] between two history records of a case, in the
    order the fields are declared. Foreign keys as primary keys, many-to-many as sets of
    related objects."""
    exclude = TIMELINE_HIDDEN_FIELDS | {f.name for f in m2m_fields}
    delta = record.diff_against(previous, excluded_fields=exclude)
    by_name = {change.field: change for change in delta.changes}
    result = []
    for field in Case._meta.get_fields():
        if field.name in by_name:
            change = by_name[field.name]
            result.append((field, change.old, change.new))
        elif any(field is m2m for m2m in m2m_fields):  # not ``in``: a Rel's __eq__ is slow
            old, new = _m2m_members(previous, field), _m2m_members(record, field)
            if {o.pk for o in old} != {o.pk for o in new}:
                result.append((field, old, new))
    return result


def _m2m_members(record, field) -> list[Any]:
    target = get_m2m_reverse_field_name(field)
    rows = getattr(record, f"_timeline_{field.name}")
    return sorted(
        (getattr(row, target) for row in rows if getattr(row, target) is not None), key=str
    )


class _ValueDisplay:
    """Turns the old and new values of changed fields into text. Looks up every changed
    foreign key at once: one query per related model, not one per change."""

    def __init__(self, values: list[tuple[Any, Any]]):
        wanted: dict[Any, set[Any]] = {}
        for field, value in values:
            if field.many_to_one and value is not None:
                wanted.setdefault(field.related_model, set()).add(value)
        self.objects = {model: model._default_manager.in_bulk(pks) for model, pks in wanted.items()}

    def __call__(self, field, value) -> str:
        if value is None or value == "":
            return ""
        if field.many_to_many:
            return ", ".join(str(o) for o in value)
        if field.many_to_one:
            obj = self.objects.get(field.related_model, {}).get(value)
            if obj is None:
                return str(_("(deleted: %(pk)s)") % {"pk": value})
            return display_name(obj) if field.related_model is User else str(obj)
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return str(formats.localize(value))


class _EventLabels:
    """The labels of the events' kinds, stages and actions, translated once per timeline:
    ``get_FOO_display()`` translates every choice of the field on each call."""

    def __init__(self):
        self.kinds = {value: str(label) for value, label in CaseEventKind.choices}
        self.stages = {value: str(label) for value, label in CaseStatus.choices}
        self.transitions = {t.value: str(t.label) for t in Transition}

    def kind(self, value: str) -> str:
        return self.kinds.get(value, value)

    def stage(self, value: str) -> str:
        return self.stages.get(value, value)


def _event_entry(event: CaseEvent, labels: _EventLabels) -> TimelineEntry:
    title = labels.kind(event.kind)
    detail = ""
    if event.kind == CaseEventKind.TRANSITION:
        title = labels.transitions.get(event.transition, title)
        detail = f"{labels.stage(event.from_status)} → {labels.stage(event.to_status)}"
    elif event.kind == CaseEventKind.ASSIGNMENT and event.assignee is not None:
        detail = display_name(event.assignee)
    elif event.kind == CaseEventKind.CREATED and event.to_status:
        detail = labels.stage(event.to_status)
    return TimelineEntry(
        at=event.at,
        actor=event.actor,
        kind=event.kind,
        title=title,
        detail=detail,
        note=event.note,
        event=event,
    )
