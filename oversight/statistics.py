"""The yearly statistics the IOP coordinator gives the municipal board (DOMAIN.md §8): per
year and committee, the initiatives received, those not pursued, the agreements the
committees decided (approved, rejected, referred back), the partnerships ended, and the
public money planned and paid.

Each number has one definition, written once in ``COLUMNS`` and printed under the table of the
page and of the PDF, so what the board reads is what was counted:

* **received** — cases whose initiative was received in the year (``Case.received_on``);
* **not pursued** — cases closed as not pursued in the year (the case event of the move to
  «Not pursued»);
* **decided** — the committee's decisions on matters entering a new IOP, at meetings held in
  the year, whatever the outcome; **approved** (as proposed or with changes), **rejected** and
  **referred back** divide them;
* **ended** — partnerships whose case was closed in the year (the move to «Closed», which
  follows the committee's decision to end and the winding down);
* **planned** — the year's planned payments of every public party (the payment plan's rule,
  ``finance.plan``), from the signed agreement and the approved decisions that change it;
* **paid** — the payments recorded for the year's periods, a corrected payment replaced by its
  correction.

Case counts are by the case's responsible committee, decisions by the committee that met.
Everything is read in a fixed number of queries, whatever the number of cases: each source is
one aggregate grouped by committee and year, and the planned money is the finance layer's
``timelines`` (four queries) over the cases with a signed agreement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.constants import MatterKind, Outcome
from decisions.models import Decision
from finance.constants import Frequency
from finance.models import Payment
from finance.plan import year_total
from finance.timelines import timelines
from iop.constants import CaseEventKind, CaseStatus
from iop.models import Case, CaseEvent, Committee

SERIES_YEARS = 5
KRONA = Decimal(1)

APPROVING = [Outcome.APPROVED, Outcome.APPROVED_WITH_CHANGES]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    definition: str
    is_money: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "received",
        _("Initiatives received"),
        _("Cases whose initiative was received during the year (the date the initiative came in)."),
    ),
    Column(
        "not_pursued",
        _("Initiatives not pursued"),
        _(
            "Cases closed during the year because a continued process towards an IOP was not "
            "relevant (the day the case moved to «Not pursued»)."
        ),
    ),
    Column(
        "decided",
        _("Agreements decided"),
        _(
            "The committee's decisions on entering a new IOP, at meetings held during the year, "
            "whatever the outcome; the three following columns divide them."
        ),
    ),
    Column(
        "approved",
        _("Of which approved"),
        _("Of those, approved as proposed or with changes."),
    ),
    Column("rejected", _("Of which rejected"), _("Of those, rejected.")),
    Column(
        "referred_back",
        _("Of which referred back"),
        _("Of those, referred back to the case officer for further drafting."),
    ),
    Column(
        "ended",
        _("Partnerships ended"),
        _(
            "Partnerships whose case was closed during the year, after the committee's "
            "decision to end and the winding down."
        ),
    ),
    Column(
        "planned",
        _("Public money planned"),
        _(
            "The year's planned payments of every public party, from the signed agreement and "
            "every approved decision that changes the amount (the payment plan's rule: a month "
            "is a twelfth of the amount per full year, part months by their days)."
        ),
        is_money=True,
    ),
    Column(
        "paid",
        _("Public money paid"),
        _(
            "The payments recorded for the year's periods; a corrected payment counts with the "
            "amount of its correction."
        ),
        is_money=True,
    ),
)

COUNT_KEYS = tuple(c.key for c in COLUMNS if not c.is_money)


@dataclass(frozen=True)
class StatisticsRow:
    """One committee's numbers for one year (``committee`` None: the total row)."""

    year: int
    committee: Committee | None = None
    received: int = 0
    not_pursued: int = 0
    decided: int = 0
    approved: int = 0
    rejected: int = 0
    referred_back: int = 0
    ended: int = 0
    planned: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)

    @property
    def is_total(self) -> bool:
        return self.committee is None

    @property
    def is_empty(self) -> bool:
        return not any(self.values())

    def values(self) -> list[int | Decimal]:
        """The numbers in the order of ``COLUMNS``."""
        return [getattr(self, c.key) for c in COLUMNS]

    def cells(self) -> list[tuple[Column, int | Decimal]]:
        """(column, number) pairs, money in whole kronor: what the page and the PDF print
        (the xlsx and CSV files keep the öre)."""
        return [
            (c, v.quantize(KRONA, rounding=ROUND_HALF_UP) if c.is_money else v)
            for c, v in zip(COLUMNS, self.values(), strict=True)
        ]


def _total(year: int, rows: Iterable[StatisticsRow]) -> StatisticsRow:
    rows = list(rows)
    sums = {
        c.key: sum((getattr(r, c.key) for r in rows), Decimal(0) if c.is_money else 0)
        for c in COLUMNS
    }
    return StatisticsRow(year=year, committee=None, **sums)


@dataclass(frozen=True)
class YearlyStatistics:
    """The statistics of ``year``: one row per committee and the total; ``series`` is the
    total of each of the last five years up to ``year`` (oldest first)."""

    year: int
    committee: Committee | None
    rows: list[StatisticsRow]
    total: StatisticsRow
    series: list[StatisticsRow] = field(default_factory=list)
    is_partial: bool = False  # the year is not over yet: the numbers so far
    public_bodies: tuple[str, ...] = ()

    columns = COLUMNS


def yearly_statistics(year: int, *, committee: Committee | None = None) -> YearlyStatistics:
    """The statistics of ``year`` (every committee, or only ``committee``) with the series of
    the last five years; eleven queries at most, whatever the number of cases."""
    first = year - SERIES_YEARS + 1
    numbers = _numbers(first, year, committee)

    committees = Committee.objects.select_related("public_body").order_by(
        "public_body__name", "name"
    )
    if committee is not None:
        committees = committees.filter(pk=committee.pk)
    rows = []
    for each in committees:
        row = StatisticsRow(year=year, committee=each, **numbers.get((each.pk, year), {}))
        # A committee no longer in use is shown only for a year in which it has numbers.
        if each.is_active or not row.is_empty or committee is not None:
            rows.append(row)

    series = [
        _total(y, (StatisticsRow(year=y, **v) for (_c, yy), v in numbers.items() if yy == y))
        for y in range(first, year + 1)
    ]
    return YearlyStatistics(
        year=year,
        committee=committee,
        rows=rows,
        total=_total(year, rows),
        series=series,
        is_partial=year >= timezone.localdate().year,
        public_bodies=tuple(dict.fromkeys(r.committee.public_body.name for r in rows)),
    )


def first_year() -> int:
    """The first year anything was received (this year when nothing was): one query."""
    earliest = Case.objects.aggregate(first=Min("received_on"))["first"]
    return earliest.year if earliest else timezone.localdate().year


def _numbers(
    first: int, last: int, committee: Committee | None
) -> dict[tuple[int, int], dict[str, int | Decimal]]:
    """{(committee id, year): {column key: number}} for the years ``first``–``last``; only the
    pairs with something to count are present."""
    numbers: dict[tuple[int, int], dict[str, int | Decimal]] = defaultdict(dict)

    def only(prefix: str) -> Q:
        return Q(**{prefix: committee.pk}) if committee is not None else Q()

    received = (
        Case.objects.filter(
            only("committee_id"), received_on__year__gte=first, received_on__year__lte=last
        )
        .annotate(y=ExtractYear("received_on"))
        .values("committee_id", "y")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in received:
        numbers[(r["committee_id"], r["y"])]["received"] = r["n"]

    moves = (
        CaseEvent.objects.filter(
            only("case__committee_id"),
            kind=CaseEventKind.TRANSITION,
            to_status__in=[CaseStatus.NOT_PURSUED, CaseStatus.CLOSED],
            at__year__gte=first,
            at__year__lte=last,
        )
        .annotate(y=ExtractYear("at"))
        .values("case__committee_id", "y")
        .annotate(
            not_pursued=Count("case", distinct=True, filter=Q(to_status=CaseStatus.NOT_PURSUED)),
            ended=Count("case", distinct=True, filter=Q(to_status=CaseStatus.CLOSED)),
        )
        .order_by()
    )
    for r in moves:
        key = (r["case__committee_id"], r["y"])
        numbers[key]["not_pursued"] = r["not_pursued"]
        numbers[key]["ended"] = r["ended"]

    decided = (
        Decision.objects.filter(
            only("meeting__committee_id"),
            matter__kind=MatterKind.NEW_IOP,
            meeting__date__year__gte=first,
            meeting__date__year__lte=last,
        )
        .annotate(y=ExtractYear("meeting__date"))
        .values("meeting__committee_id", "y")
        .annotate(
            decided=Count("pk"),
            approved=Count("pk", filter=Q(outcome__in=APPROVING)),
            rejected=Count("pk", filter=Q(outcome=Outcome.REJECTED)),
            referred_back=Count("pk", filter=Q(outcome=Outcome.REFERRED_BACK)),
        )
        .order_by()
    )
    for r in decided:
        key = (r["meeting__committee_id"], r["y"])
        for name in ("decided", "approved", "rejected", "referred_back"):
            numbers[key][name] = r[name]

    paid = (
        Payment.objects.filter(
            only("case__committee_id"),
            correction__isnull=True,
            year__gte=first,
            year__lte=last,
        )
        .values("case__committee_id", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for r in paid:
        numbers[(r["case__committee_id"], r["year"])]["paid"] = Decimal(r["total"] or 0)

    for key, amount in _planned(first, last, committee).items():
        numbers[key]["planned"] = amount
    return numbers


def _planned(first: int, last: int, committee: Committee | None) -> dict[tuple[int, int], Decimal]:
    """{(committee id, year): planned public money}, summed over the cases and their public
    parties, each party's year as one yearly period (rounded once, as the plan rounds)."""
    signed = Case.objects.filter(agreement__versions__signed_at__isnull=False)
    if committee is not None:
        signed = signed.filter(committee_id=committee.pk)
    committee_of = dict(signed.values_list("pk", "committee_id").distinct().order_by())
    planned: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for case_id, per_body in timelines(committee_of).items():
        for timeline in per_body.values():
            for year in range(first, last + 1):
                if timeline.covers_year(year):
                    amount = year_total(timeline, year, Frequency.YEARLY)
                    if amount:
                        planned[(committee_of[case_id], year)] += amount
    return planned
