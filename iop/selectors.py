"""Reads that views, exports and commands share. Row visibility always comes from
``for_user()``; these functions only narrow and order what it returns."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, ClassVar

from simple_history.utils import get_m2m_reverse_field_name

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from partners.users import display_name

from . import permissions, workflow
from .constants import CaseEventKind, CaseStatus
from .models import Case, CaseEvent

User = get_user_model()


# --- Case register -------------------------------------------------------------------------


@dataclass
class CaseList:
    """The case register's rows for a user and a set of GET parameters."""

    filterset: Any  # iop.filters.CaseFilter, bound to the parameters
    queryset: QuerySet
    sort: str

    @property
    def is_valid(self) -> bool:
        return self.filterset.is_valid()


# What the register's rows and its exports show; the long texts and the users' other columns
# stay in the database (an export of thousands of rows spent most of its time building them).
CASE_LIST_FIELDS = (
    "registry_number",
    "registry_year",
    "registry_serial",
    "title",
    "status",
    "status_changed_at",
    "received_on",
    "public_body__short_code",
    "committee__name",
    *(
        f"{who}__{f}"
        for who in ("officer", "substitute")
        for f in ("first_name", "last_name", "username")
    ),
)


def case_list(*, user, params) -> CaseList:
    """The register's cases visible to ``user``, filtered, searched and sorted by ``params``
    (a QueryDict: q, status, committee, officer, organisation, year, sort). An invalid filter
    value gives no rows, so a list is never mistaken for the filtered one; an unknown sort
    key falls back to the default order."""
    from .filters import CaseFilter, apply_sort, parse_sort

    base = Case.objects.for_user(user).with_list_data().only(*CASE_LIST_FIELDS)
    filterset = CaseFilter(params, queryset=base)
    queryset = filterset.qs if filterset.is_valid() else base.none()
    sort = parse_sort(params.get("sort"))
    return CaseList(filterset=filterset, queryset=apply_sort(queryset, sort), sort=sort)


# --- Case page: timeline and officers ------------------------------------------------------


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

    CHANGE: ClassVar[str] = "change"


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
    labels = _transition_labels()
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


def _m2m_accessor(history_model, field) -> str:
    """The name of the history record's reverse relation to its rows of ``field``."""
    m2m_model = _m2m_history_model(history_model, field)
    return next(
        rel.get_accessor_name()
        for rel in history_model._meta.related_objects
        if rel.related_model is m2m_model
    )


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
        elif field in m2m_fields:
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


def _event_entry(event: CaseEvent, labels: dict[str, str]) -> TimelineEntry:
    title = str(event.get_kind_display())
    detail = ""
    if event.kind == CaseEventKind.TRANSITION:
        title = labels.get(event.transition, title)
        detail = f"{event.get_from_status_display()} → {event.get_to_status_display()}"
    elif event.kind == CaseEventKind.ASSIGNMENT and event.assignee is not None:
        detail = display_name(event.assignee)
    elif event.kind == CaseEventKind.CREATED and event.to_status:
        detail = str(event.get_to_status_display())
    return TimelineEntry(
        at=event.at,
        actor=event.actor,
        kind=event.kind,
        title=title,
        detail=detail,
        note=event.note,
    )


def _transition_labels() -> dict[str, str]:
    from .constants import Transition

    return {t.value: str(t.label) for t in Transition}


def case_officer_choices() -> QuerySet:
    """The active users who may be case officer or substitute: those whose role (or own
    permissions) carries iop.handle_case — the case officers and the IOP coordinators."""
    from django.contrib.auth.models import Permission

    app_label, codename = permissions.HANDLE_CASE.split(".")
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


# --- Start page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StageCount:
    """How many of the user's open cases are at one stage."""

    status: str
    label: str
    count: int


def my_open_cases_by_stage(*, user) -> list[StageCount]:
    """The open cases the user handles (as case officer or substitute), counted per stage in
    the order of the workflow; stages without cases are left out. One query."""
    counts = dict(
        Case.objects.for_user(user)
        .handled_by(user)
        .open()
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    return [
        StageCount(status=status.value, label=str(status.label), count=counts[status.value])
        for status in CaseStatus
        if counts.get(status.value)
    ]


@dataclass
class WorkQueue:
    """One list of cases that wait for the user to act, oldest first."""

    key: str
    title: str
    description: str
    cases: list[Case]
    total: int
    url_name: str = ""
    link_text: str = ""
    link_id: str = ""


QUEUE_SIZE = 10


def waiting_for(*, user) -> list[WorkQueue]:
    """What waits for this user on the start page: every queue registered with
    ``workflow.register_start_queue`` (by this app and the others) that is for the user's role
    and has cases. Two queries per queue, however many cases wait."""
    visible = Case.objects.for_user(user)
    queues: list[WorkQueue] = []
    for queue in workflow.start_queues():
        queryset = queue.cases(user, visible)
        if queryset is None:
            continue
        total = queryset.count()
        if not total:
            continue
        rows = list(queryset.with_list_data().order_by("status_changed_at", "pk")[:QUEUE_SIZE])
        queues.append(
            WorkQueue(
                key=queue.key,
                title=str(queue.title),
                description=str(queue.description),
                cases=rows,
                total=total,
                url_name=queue.url_name,
                link_text=str(queue.link_text),
                link_id=queue.link_id,
            )
        )
    return queues


# The hub's own queues, registered in IopConfig.ready like every other app's.


def officer_queue(*statuses: CaseStatus, checklist_incomplete: bool = False):
    """A queue of the user's own cases (officer or substitute) at ``statuses``."""

    def cases(user, visible: QuerySet) -> QuerySet | None:
        if not user.has_perm(permissions.HANDLE_CASE):
            return None
        mine = visible.handled_by(user).filter(status__in=statuses)
        if checklist_incomplete:
            mine = mine.filter(
                Q(checklist__isnull=True)
                | Q(checklist__answers__answer__isnull=True)
                | Q(checklist__answers__answer=False)
            ).distinct()
        return mine

    return cases


def role_queue(permission: str, *statuses: CaseStatus):
    """A queue of every visible case at ``statuses``, for the holders of ``permission``."""

    def cases(user, visible: QuerySet) -> QuerySet | None:
        if not user.has_perm(permission):
            return None
        return visible.filter(status__in=statuses)

    return cases


def register_start_queues() -> None:
    queue = workflow.register_start_queue
    queue(
        key="to_prepare",
        order=10,
        title=_("Initiatives to prepare"),
        description=_(
            "Received initiatives and cases in preparation whose checklist is not complete."
        ),
        cases=officer_queue(
            CaseStatus.RECEIVED, CaseStatus.PREPARATION, checklist_incomplete=True
        ),
    )
    queue(
        key="returned",
        order=20,
        title=_("Agreements being drafted"),
        description=_(
            "Draft agreements to finish and submit for legal review, including those the jurist returned."
        ),
        cases=officer_queue(CaseStatus.DRAFTING),
    )
    queue(
        key="to_sign",
        order=30,
        title=_("Agreements to sign"),
        description=_(
            "Approved by the committee: record the signatures and activate the partnership."
        ),
        cases=officer_queue(CaseStatus.SIGNING),
    )
    queue(
        key="new_initiatives",
        order=40,
        title=_("New initiatives in the whole portfolio"),
        description=_("Initiatives received but not yet in preparation, whoever handles them."),
        cases=role_queue(permissions.COORDINATE_CASES, CaseStatus.RECEIVED),
    )
    queue(
        key="awaiting_decision",
        order=60,
        title=_("Matters for the committee"),
        description=_("Approved by the jurist and waiting for the committee's decision."),
        cases=role_queue(permissions.RECORD_DECISION, CaseStatus.AWAITING_DECISION),
    )
    queue(
        key="notice_given",
        order=70,
        title=_("Terminations for the committee"),
        description=_("Notice has been given: the committee decides the ending."),
        cases=role_queue(permissions.RECORD_DECISION, CaseStatus.NOTICE_GIVEN),
    )
