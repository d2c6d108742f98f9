"""The follow-up's screen reads: the oversight per committee (every active IOP with its last
follow-ups and what is overdue), the start page's panel (what is overdue first), and what goes
into a user's calendar. Row visibility comes from ``Case.objects.for_user``; every function
here reads in a constant number of queries, however many cases there are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DateField,
    Exists,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from iop import permissions
from iop.models import Case, Committee

from .constants import FOLLOWED_STAGES, DeadlineKind, DeadlineState
from .models import Absence, CheckIn, Deadline, EarlierFollowUp, ReminderSettings

__all__ = [
    "CASES_PER_PAGE",
    "PANEL_SIZE",
    "CommitteeOverview",
    "CommitteeSummary",
    "FollowUpRow",
    "OverdueItem",
    "StartPanel",
    "absent_today",
    "calendar_check_ins",
    "calendar_deadlines",
    "committee_overview",
    "committee_summaries",
    "start_panel",
]

CASES_PER_PAGE = 50
PANEL_SIZE = 20

# The three follow-ups the oversight shows a column for (DOMAIN.md §8).
FOLLOW_UP_KINDS = (
    DeadlineKind.CHECK_IN,
    DeadlineKind.ANNUAL_EVALUATION,
    DeadlineKind.COMMITTEE_FOLLOW_UP,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _open_overdue(today: datetime.date) -> Q:
    return Q(state=DeadlineState.OPEN, due_on__lt=today)


def _followed(user: Any) -> QuerySet[Case]:
    return Case.objects.for_user(user).filter(status__in=FOLLOWED_STAGES)


# --- The oversight: committees ----------------------------------------------------------


@dataclass(frozen=True)
class CommitteeSummary:
    """One committee on the oversight: its active IOPs, how many have something overdue,
    and how many miss their in-depth follow-up to the committee."""

    committee: Committee
    active: int
    overdue: int
    missing_follow_up: int


def committee_summaries(*, user: Any, today: datetime.date | None = None) -> list[CommitteeSummary]:
    """Every committee with IOPs being followed (and every active committee), with its counts.
    Two queries."""
    today = _today(today)
    overdue = Deadline.objects.filter(_open_overdue(today), case=OuterRef("pk"))
    counts = {
        row["committee"]: row
        for row in _followed(user)
        .annotate(
            has_overdue=Exists(overdue),
            misses_follow_up=Exists(overdue.filter(kind=DeadlineKind.COMMITTEE_FOLLOW_UP)),
        )
        .order_by()
        .values("committee")
        .annotate(
            active=Count("pk"),
            overdue=Count("pk", filter=Q(has_overdue=True)),
            missing=Count("pk", filter=Q(misses_follow_up=True)),
        )
    }
    committees = Committee.objects.filter(
        Q(is_active=True) | Q(pk__in=list(counts))
    ).select_related("public_body")
    empty = {"active": 0, "overdue": 0, "missing": 0}
    return [
        CommitteeSummary(
            committee=committee,
            active=counts.get(committee.pk, empty)["active"],
            overdue=counts.get(committee.pk, empty)["overdue"],
            missing_follow_up=counts.get(committee.pk, empty)["missing"],
        )
        for committee in committees
    ]


# --- The oversight: one committee's IOPs ------------------------------------------------


@dataclass
class FollowUpRow:
    """One active IOP on its committee's oversight."""

    case: Case
    last_check_in: datetime.date | None
    last_evaluation: datetime.date | None
    last_committee_follow_up: datetime.date | None
    next_due: Deadline | None
    overdue: list[OverdueItem]
    committee_follow_up_overdue_days: int  # 0: not overdue

    @property
    def misses_committee_follow_up(self) -> bool:
        return self.committee_follow_up_overdue_days > 0


@dataclass(frozen=True)
class OverdueItem:
    deadline: Deadline
    days: int


@dataclass
class CommitteeOverview:
    committee: Committee
    rows: list[FollowUpRow]
    page: Page
    active: int
    missing_follow_up: int
    today: datetime.date = field(default_factory=timezone.localdate)


def _last_done(kind: DeadlineKind) -> Subquery:
    return Subquery(
        Deadline.objects.filter(case=OuterRef("pk"), kind=kind, state=DeadlineState.DONE)
        .order_by()
        .values("case")
        .annotate(last=Max("done_on"))
        .values("last"),
        output_field=DateField(),
    )


def _last_earlier(kind: DeadlineKind) -> Subquery:
    return Subquery(
        EarlierFollowUp.objects.filter(case=OuterRef("pk"), kind=kind)
        .order_by()
        .values("case")
        .annotate(last=Max("done_on"))
        .values("last"),
        output_field=DateField(),
    )


def _latest(*dates: datetime.date | None) -> datetime.date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def followed_cases_with_follow_ups(
    queryset: QuerySet[Case], *, today: datetime.date
) -> QuerySet[Case]:
    """``queryset`` annotated with what the oversight shows of each case: the last done
    follow-up of each kind (in this system or before it), the next open deadline, and since
    when the committee's follow-up is overdue; the overdue deadlines prefetched. Most
    neglected first: a missing committee follow-up, then anything overdue, oldest first."""
    next_open = Deadline.objects.filter(
        case=OuterRef("pk"), state=DeadlineState.OPEN, due_on__gte=today
    ).order_by("due_on", "pk")
    overdue = Deadline.objects.filter(_open_overdue(today), case=OuterRef("pk"))
    far_future = Value(datetime.date.max, output_field=DateField())
    annotations: dict[str, Any] = {
        "next_deadline_id": Subquery(next_open.values("pk")[:1]),
        "follow_up_overdue_since": Subquery(
            overdue.filter(kind=DeadlineKind.COMMITTEE_FOLLOW_UP)
            .order_by()
            .values("case")
            .annotate(first=Min("due_on"))
            .values("first"),
            output_field=DateField(),
        ),
        "overdue_since": Subquery(
            overdue.order_by().values("case").annotate(first=Min("due_on")).values("first"),
            output_field=DateField(),
        ),
    }
    for kind in FOLLOW_UP_KINDS:
        annotations[f"done_{kind.value}"] = _last_done(kind)
        annotations[f"earlier_{kind.value}"] = _last_earlier(kind)
    return (
        queryset.annotate(**annotations)
        .select_related("committee", "officer", "substitute")
        .prefetch_related(
            "organisations",
            Prefetch(
                "deadlines",
                queryset=Deadline.objects.filter(_open_overdue(today)).order_by("due_on", "pk"),
                to_attr="overdue_deadlines",
            ),
        )
        .order_by(
            Coalesce("follow_up_overdue_since", far_future),
            Coalesce("overdue_since", far_future),
            "registry_number",
        )
    )


def committee_overview(
    *,
    user: Any,
    committee: Committee,
    page_number: Any = 1,
    today: datetime.date | None = None,
) -> CommitteeOverview:
    """Every IOP of ``committee`` being followed, page by page, with its last check-in,
    annual evaluation and committee follow-up, what is next and what is overdue. Five queries
    whatever the number of cases (totals, the page, its organisations, its overdue deadlines,
    its next deadlines)."""
    today = _today(today)
    cases = _followed(user).filter(committee=committee)
    totals = cases.aggregate(
        active=Count("pk"),
        missing=Count(
            "pk",
            filter=Q(
                Exists(
                    Deadline.objects.filter(
                        _open_overdue(today),
                        case=OuterRef("pk"),
                        kind=DeadlineKind.COMMITTEE_FOLLOW_UP,
                    )
                )
            ),
        ),
    )
    paginator = Paginator(
        followed_cases_with_follow_ups(cases, today=today),
        CASES_PER_PAGE,
        allow_empty_first_page=True,
    )
    paginator.count = totals["active"]  # known already: saves the paginator's COUNT query
    page = paginator.get_page(page_number)
    cases_on_page = list(page.object_list)
    next_ids = [c.next_deadline_id for c in cases_on_page if c.next_deadline_id]
    next_deadlines = Deadline.objects.in_bulk(next_ids) if next_ids else {}
    rows = []
    for case in cases_on_page:
        since = case.follow_up_overdue_since
        rows.append(
            FollowUpRow(
                case=case,
                last_check_in=_latest(case.done_check_in, case.earlier_check_in),
                last_evaluation=_latest(
                    case.done_annual_evaluation, case.earlier_annual_evaluation
                ),
                last_committee_follow_up=_latest(
                    case.done_committee_follow_up, case.earlier_committee_follow_up
                ),
                next_due=next_deadlines.get(case.next_deadline_id),
                overdue=[
                    OverdueItem(deadline=d, days=(today - d.due_on).days)
                    for d in case.overdue_deadlines
                ],
                committee_follow_up_overdue_days=(today - since).days if since else 0,
            )
        )
    return CommitteeOverview(
        committee=committee,
        rows=rows,
        page=page,
        active=totals["active"],
        missing_follow_up=totals["missing"],
        today=today,
    )


# --- The start page's panel -------------------------------------------------------------


def absent_today(today: datetime.date) -> Q:
    """A condition on ``Absence`` rows: the person is away on ``today`` (an absence ended
    early no longer counts from the day it was ended)."""
    return Q(starts_on__lte=today, ends_on__gte=today) & (
        Q(ended_early_at__isnull=True) | Q(ended_early_at__date__gt=today)
    )


def _handled_now(user: Any, today: datetime.date) -> Q:
    """Deadlines the user answers for today: as the case's officer, or as its substitute
    while the officer is away."""
    officer_away = Exists(
        Absence.objects.filter(absent_today(today), user=OuterRef("case__officer"))
    )
    return Q(case__officer=user) | (Q(case__substitute=user) & Q(officer_away))


@dataclass(frozen=True)
class PanelItem:
    deadline: Deadline
    days: int  # overdue: days past due; due soon: days left
    standing_in: bool  # the user stands in for the absent officer

    @property
    def case(self) -> Case:
        return self.deadline.case


@dataclass
class StartPanel:
    """The follow-up at the top of the start page: the user's overdue deadlines, then those
    due soon; for the IOP coordinator, everything overdue in the installation."""

    mine_overdue: list[PanelItem]
    mine_due_soon: list[PanelItem]
    mine_total: int
    due_soon_days: int
    show_mine: bool
    all_overdue: list[PanelItem] | None  # None: not a coordinator
    all_overdue_total: int
    all_overdue_cases: int

    @property
    def mine_shown(self) -> int:
        return len(self.mine_overdue) + len(self.mine_due_soon)


def _due_soon_days() -> int:
    """The reminders' lead time."""
    return ReminderSettings.current().due_soon_days


def _items(
    rows: list[Deadline], *, user: Any, today: datetime.date
) -> tuple[list[PanelItem], list[PanelItem]]:
    overdue, soon = [], []
    for d in rows:
        standing_in = d.case.officer_id != getattr(user, "pk", None)
        if d.due_on < today:
            overdue.append(PanelItem(d, (today - d.due_on).days, standing_in))
        else:
            soon.append(PanelItem(d, (d.due_on - today).days, standing_in))
    return overdue, soon


def start_panel(user: Any, *, today: datetime.date | None = None) -> StartPanel | None:
    """What the start page shows of the follow-up, or None when it shows nothing to this
    user (a role that neither handles cases nor coordinates them). Constant queries: the
    settings, the user's deadlines (first ``PANEL_SIZE`` and their count) and, for the
    coordinator, the installation's overdue ones (first ``PANEL_SIZE`` and the counts)."""
    if not permissions.can_view_cases(user):
        return None
    coordinator = permissions.is_coordinator(user)
    handles = user.has_perm(permissions.HANDLE_CASE)
    if not (coordinator or handles):
        return None
    today = _today(today)
    due_soon_days = _due_soon_days()
    followed = Deadline.objects.filter(
        case__status__in=FOLLOWED_STAGES,
        case__in=Case.objects.for_user(user),
        state=DeadlineState.OPEN,
    )
    mine = followed.filter(
        _handled_now(user, today), due_on__lte=today + datetime.timedelta(days=due_soon_days)
    ).select_related("case", "case__officer")
    mine_total = mine.count()
    mine_overdue, mine_soon = _items(
        list(mine.prefetch_related("case__organisations").order_by("due_on", "pk")[:PANEL_SIZE]),
        user=user,
        today=today,
    )
    panel = StartPanel(
        mine_overdue=mine_overdue,
        mine_due_soon=mine_soon,
        mine_total=mine_total,
        due_soon_days=due_soon_days,
        # The coordinator sees their own list only when they have something in it.
        show_mine=bool(mine_total) or not coordinator,
        all_overdue=None,
        all_overdue_total=0,
        all_overdue_cases=0,
    )
    if coordinator:
        everything = followed.filter(due_on__lt=today)
        totals = everything.aggregate(n=Count("pk"), cases=Count("case", distinct=True))
        rows = list(
            everything.select_related("case", "case__officer", "case__committee")
            .prefetch_related("case__organisations")
            .order_by("due_on", "pk")[:PANEL_SIZE]
        )
        panel.all_overdue = [PanelItem(d, (today - d.due_on).days, standing_in=False) for d in rows]
        panel.all_overdue_total = totals["n"]
        panel.all_overdue_cases = totals["cases"]
    return panel


# --- The calendar feed ------------------------------------------------------------------


def calendar_deadlines(user: Any) -> QuerySet[Deadline]:
    """The open deadlines of the cases the user is officer or substitute of (followed cases
    only), for their calendar."""
    return (
        Deadline.objects.filter(
            Q(case__officer=user) | Q(case__substitute=user),
            case__in=Case.objects.for_user(user),
            case__status__in=FOLLOWED_STAGES,
            state=DeadlineState.OPEN,
        )
        .select_related("case")
        .prefetch_related("case__organisations")
        .order_by("due_on", "pk")
    )


def calendar_check_ins(user: Any, *, since: datetime.datetime | None = None) -> QuerySet[CheckIn]:
    """The booked, not cancelled check-ins of the user's cases from ``since`` (a year ago by
    default) on, for their calendar."""
    since = since or timezone.now() - datetime.timedelta(days=365)
    return (
        CheckIn.objects.filter(
            Q(case__officer=user) | Q(case__substitute=user),
            case__in=Case.objects.for_user(user),
            starts_at__isnull=False,
            starts_at__gte=since,
            cancelled=False,
        )
        .select_related("case")
        .prefetch_related("case__organisations")
        .order_by("starts_at", "pk")
    )
