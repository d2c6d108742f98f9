"""The start page's reads: the user's open cases per stage, and the queues of what waits for
them (every queue registered with ``workflow.register_start_queue``, the hub's own included)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Window,
    prefetch_related_objects,
)
from django.utils.translation import gettext_lazy as _

from .. import permissions, workflow
from ..constants import CaseStatus
from ..models import Case, CaseEvent, ChecklistAnswer


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
    and has cases. One query per queue of the role, empty or not, however many cases wait;
    the rows' organisations are fetched by ``start_page`` for the whole page at once."""
    visible = Case.objects.for_user(user)
    queues: list[WorkQueue] = []
    for queue in workflow.start_queues():
        queryset = queue.cases(user, visible)
        if queryset is None:
            continue
        rows, total = _first_rows_and_total(queryset)
        if total:
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


def _first_rows_and_total(queryset: QuerySet) -> tuple[list[Case], int]:
    """The queue's oldest ``QUEUE_SIZE`` cases and how many there are, in one query: the
    total is a window count over the whole queue, taken before the LIMIT. A queue built with
    DISTINCT would count its joined rows, so it is counted on its own (two queries)."""
    ordered = queryset.select_related(*LIST_RELATED).order_by("status_changed_at", "pk")
    if queryset.query.distinct:
        return list(ordered[:QUEUE_SIZE]), queryset.count()
    rows = list(ordered.annotate(queue_total=Window(Count("pk")))[:QUEUE_SIZE])
    return rows, rows[0].queue_total if rows else 0


MY_CASES_SIZE = 50
LATEST_EVENTS_SIZE = 15
LIST_RELATED = ("committee", "public_body", "officer", "substitute")


@dataclass
class StartPage:
    """Everything the start page shows."""

    my_cases: list[Case]
    latest_events: list[CaseEvent]
    stages: list[StageCount]
    queues: list[WorkQueue]


def start_page(*, user) -> StartPage:
    """The start page of ``user``: their open cases, the latest events of the cases they see,
    their cases per stage and what waits for them. A constant number of queries however many
    cases there are: the organisations of every case row on the page are fetched at once."""
    cases = Case.objects.for_user(user)
    page = StartPage(
        my_cases=list(cases.handled_by(user).open().select_related(*LIST_RELATED)[:MY_CASES_SIZE]),
        latest_events=list(
            CaseEvent.objects.filter(case__in=cases).select_related("case", "actor", "assignee")[
                :LATEST_EVENTS_SIZE
            ]
        ),
        stages=my_open_cases_by_stage(user=user),
        queues=waiting_for(user=user),
    )
    prefetch_related_objects(
        [*page.my_cases, *(case for queue in page.queues for case in queue.cases)],
        "organisations",
    )
    return page


# The hub's own queues, registered in IopConfig.ready like every other app's.


def officer_queue(*statuses: CaseStatus, checklist_incomplete: bool = False):
    """A queue of the user's own cases (officer or substitute) at ``statuses``."""

    def cases(user, visible: QuerySet) -> QuerySet | None:
        if not user.has_perm(permissions.HANDLE_CASE):
            return None
        mine = visible.handled_by(user).filter(status__in=statuses)
        if checklist_incomplete:
            # Exists rather than a join: one row per case, so no DISTINCT is needed.
            open_answers = ChecklistAnswer.objects.filter(checklist__case=OuterRef("pk")).filter(
                Q(answer__isnull=True) | Q(answer=False)
            )
            mine = mine.filter(Q(checklist__isnull=True) | Exists(open_answers))
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
        cases=officer_queue(CaseStatus.RECEIVED, CaseStatus.PREPARATION, checklist_incomplete=True),
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
        key=CaseStatus.AWAITING_DECISION.value,
        order=60,
        title=_("Matters for the committee"),
        description=_("Approved by the jurist and waiting for the committee's decision."),
        cases=role_queue(permissions.RECORD_DECISION, CaseStatus.AWAITING_DECISION),
    )
    queue(
        key=CaseStatus.NOTICE_GIVEN.value,
        order=70,
        title=_("Terminations for the committee"),
        description=_("Notice has been given: the committee decides the ending."),
        cases=role_queue(permissions.RECORD_DECISION, CaseStatus.NOTICE_GIVEN),
    )
