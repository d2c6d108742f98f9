"""The portfolio's reads (/portfolj/): every IOP by stage and committee, the money per year,
the follow-up's health and the initiatives over time, for the IOP coordinator and every staff
role that reads cases.

Each table is aggregated in SQL (``values`` + ``annotate``) or, for the public money, computed
from finance's timelines, which read every case in four queries: the page costs the same number
of queries with one case and with ten thousand (``oversight/tests/test_portfolio.py``,
``bench/oversight.py``).

A table is plain data (``Table``): the page renders it, the chart is drawn from it
(``oversight.charts``) and the xlsx export writes it, so the three can never disagree.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.constants import BudgetKind, PartyKind, VersionStatus
from agreements.models import BudgetLine
from finance.plan import Timeline, year_total
from finance.timelines import timelines
from followups.constants import FOLLOWED_STAGES, DeadlineState
from followups.models import Deadline, ReminderSettings
from followups.selectors import committee_summaries
from iop.constants import CaseStatus
from iop.models import Case, Committee

# The money table's years when no year is chosen: the last few years and the next one.
YEARS_BACK = 4
YEARS_AHEAD = 1

# The kinds of value a column holds: how the page, the chart's text and the xlsx format it.
COUNT = "count"
MONEY = "money"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT
    charted: bool = True  # drawn in the chart (a column may be in the table only)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: tuple[Any, ...]

    def value(self, index: int) -> Any:
        return self.values[index]


@dataclass(frozen=True)
class Table:
    """One of the portfolio's tables: its rows are the chart's x axis, its charted columns the
    chart's series."""

    slug: str  # the export's address: /portfolj/<slug>.xlsx
    title: str
    caption: str
    row_heading: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None = None
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(v for row in self.rows for v in row.values)

    @property
    def charted(self) -> list[tuple[int, Column]]:
        return [(i, c) for i, c in enumerate(self.columns) if c.charted]

    def series(self, index: int) -> list[Any]:
        return [row.values[index] for row in self.rows]


@dataclass(frozen=True)
class PortfolioFilter:
    committee: Committee | None = None
    year: int | None = None

    def describe(self) -> str:
        parts = [self.committee.name if self.committee else _("All committees")]
        parts.append(str(self.year) if self.year else _("all years"))
        return ", ".join(parts)


@dataclass
class Portfolio:
    filter: PortfolioFilter
    today: datetime.date
    tables: list[Table] = field(default_factory=list)

    def table(self, slug: str) -> Table:
        return next(t for t in self.tables if t.slug == slug)


# --- The cases the portfolio counts -----------------------------------------------------


def portfolio_cases(user: Any, filter_: PortfolioFilter) -> QuerySet[Case]:
    cases = Case.objects.for_user(user)
    if filter_.committee is not None:
        cases = cases.filter(committee=filter_.committee)
    return cases


def first_year(user: Any) -> int | None:
    """The year of the first initiative the user can see (the year filter's first choice)."""
    found = Case.objects.for_user(user).aggregate(first=Min("received_on"))["first"]
    return found.year if found else None


def _committees(ids: set[int], filter_: PortfolioFilter) -> list[Committee]:
    if filter_.committee is not None:
        return [filter_.committee]
    return list(Committee.objects.filter(pk__in=ids).select_related("public_body"))


# --- IOPs by stage and committee --------------------------------------------------------


def stages_table(cases: QuerySet[Case], filter_: PortfolioFilter) -> Table:
    """Every stage a row, every committee a column; with a year, the initiatives received that
    year by the stage they are in today. Two queries (the counts, the committees)."""
    if filter_.year:
        cases = cases.filter(received_on__year=filter_.year)
    counts: dict[tuple[str, int], int] = {
        (row["status"], row["committee"]): row["n"]
        for row in cases.order_by().values("status", "committee").annotate(n=Count("pk"))
    }
    committees = _committees({c for _s, c in counts}, filter_)
    columns = tuple(Column(key=str(c.pk), label=c.name) for c in committees)
    rows = tuple(
        Row(
            key=status.value,
            label=str(status.label),
            values=tuple(counts.get((status.value, c.pk), 0) for c in committees),
        )
        for status in CaseStatus
    )
    total = Row(
        key="total",
        label=_("Total"),
        values=tuple(sum(r.values[i] for r in rows) for i in range(len(committees))),
    )
    if len(committees) > 1:
        columns += (Column(key="all", label=_("All committees"), charted=False),)
        rows = tuple(Row(r.key, r.label, (*r.values, sum(r.values))) for r in rows)
        total = Row(total.key, total.label, (*total.values, sum(total.values)))
    return Table(
        slug="skeden",
        title=_("IOPs by stage and committee"),
        caption=(
            _("Initiatives received in %(year)s by their stage today, per committee")
            % {"year": filter_.year}
            if filter_.year
            else _("Every IOP case by its stage today, per committee")
        ),
        row_heading=_("Stage"),
        columns=columns,
        rows=rows,
        total=total,
    )


# --- Money per year -----------------------------------------------------------------------

# A budget line's value in kronor, as ``agreements.models.BudgetLine.value`` computes it for
# one line (volunteer work: hours × value per hour; everything else its amount), in SQL.
LINE_VALUE = CaseWhen(
    When(
        kind=BudgetKind.VOLUNTEER,
        then=Coalesce(F("hours"), Value(Decimal(0)))
        * Coalesce(F("hourly_value"), Value(Decimal(0))),
    ),
    default=Coalesce(F("amount"), Value(Decimal(0))),
    output_field=DecimalField(max_digits=20, decimal_places=3),
)


def money_years(filter_: PortfolioFilter, today: datetime.date) -> list[int]:
    if filter_.year:
        return [filter_.year]
    return list(range(today.year - YEARS_BACK, today.year + YEARS_AHEAD + 1))


def planned_in_year(timeline: Timeline, year: int) -> Decimal:
    """What the payment plan pays in ``year`` (``finance.plan.year_total``: a period the
    agreement covers whole with no change in it costs no month-by-month sum)."""
    if not timeline.covers_year(year):
        return Decimal(0)
    return year_total(timeline, year)


def public_money(case_ids: QuerySet | list[int], years: list[int]) -> dict[int, Decimal]:
    """{year: what the public parties pay by the payment plan}: finance's rule over every
    public party of every case with a signed agreement. Four queries whatever the number of
    cases."""
    per_year: dict[int, Decimal] = defaultdict(Decimal)
    for per_body in timelines(case_ids).values():
        for timeline in per_body.values():
            for year in years:
                per_year[year] += planned_in_year(timeline, year)
    return per_year


def partner_contributions(cases: QuerySet[Case], years: list[int]) -> dict[int, dict[str, Decimal]]:
    """{year: {"money": …, "in_kind": …}}: the organisations' contributions in the budget of
    the agreement in force (the signed version; a renegotiated agreement's new version once it
    is signed), so that both sides of the table count the same IOPs. One query."""
    rows = (
        BudgetLine.objects.filter(
            version__agreement__case__in=cases,
            version__status=VersionStatus.SIGNED,
            party__kind=PartyKind.ORGANISATION,
            year__in=years,
        )
        .annotate(
            is_money=CaseWhen(When(kind=BudgetKind.MONEY, then=Value(True)), default=Value(False))
        )
        .order_by()
        .values("year", "is_money")
        .annotate(total=Sum(LINE_VALUE))
    )
    result: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {"money": Decimal(0), "in_kind": Decimal(0)}
    )
    for row in rows:
        key = "money" if row["is_money"] else "in_kind"
        result[row["year"]][key] += Decimal(row["total"] or 0)
    return result


def money_table(cases: QuerySet[Case], filter_: PortfolioFilter, today: datetime.date) -> Table:
    """Every year a row: the public money of the payment plan against the organisations' money
    and their contributions in kind (volunteer work, premises, equipment, competence). Five
    queries (finance's four, with the cases as a subquery, and the budget lines)."""
    years = money_years(filter_, today)
    public = public_money(cases.order_by().values("pk"), years)
    partners = partner_contributions(cases, years)
    rows = []
    for year in years:
        money = partners[year]["money"] if year in partners else Decimal(0)
        in_kind = partners[year]["in_kind"] if year in partners else Decimal(0)
        rows.append(
            Row(
                key=str(year),
                label=str(year),
                values=(public.get(year, Decimal(0)), money, in_kind, money + in_kind),
            )
        )
    total = Row(
        key="total",
        label=_("Total"),
        values=tuple(sum((r.values[i] for r in rows), Decimal(0)) for i in range(4)),
    )
    return Table(
        slug="pengar",
        title=_("Money per year"),
        caption=_("Public money against the partners' contributions per year, in kronor"),
        row_heading=_("Year"),
        columns=(
            Column("public", _("Public money"), MONEY),
            Column("partner_money", _("Partners' money"), MONEY),
            Column("partner_in_kind", _("Partners' contributions in kind"), MONEY),
            Column("partner_total", _("Partners in total"), MONEY, charted=False),
        ),
        rows=tuple(rows),
        total=total if len(rows) > 1 else None,
        note=_(
            "Public money: the payment plan of every IOP with a signed agreement, changed by "
            "the committee's approved decisions. The partners' contributions: the "
            "organisations' lines in the budget of the agreement in force; work and in-kind "
            "contributions valued in kronor."
        ),
    )


# --- Follow-up health -------------------------------------------------------------------


def health_table(
    user: Any, cases: QuerySet[Case], filter_: PortfolioFilter, today: datetime.date
) -> Table:
    """Every committee with IOPs being followed a row: how many are on time, have a deadline
    due soon (within the reminders' lead time) or something overdue, and how many miss their
    in-depth follow-up to the committee. The overdue and missing counts are the follow-up
    oversight's own (``followups.selectors.committee_summaries``). Four queries."""
    summaries = [
        s
        for s in committee_summaries(user=user, today=today)
        if s.active and (filter_.committee is None or s.committee.pk == filter_.committee.pk)
    ]
    lead = ReminderSettings.current().due_soon_days
    open_deadlines = Deadline.objects.filter(case=OuterRef("pk"), state=DeadlineState.OPEN)
    due_soon = {
        row["committee"]: row["n"]
        for row in cases.filter(status__in=FOLLOWED_STAGES)
        .annotate(
            overdue=Exists(open_deadlines.filter(due_on__lt=today)),
            due=Exists(
                open_deadlines.filter(
                    due_on__gte=today, due_on__lte=today + datetime.timedelta(days=lead)
                )
            ),
        )
        .filter(overdue=False, due=True)
        .order_by()
        .values("committee")
        .annotate(n=Count("pk"))
    }
    rows = []
    for s in summaries:
        due = due_soon.get(s.committee.pk, 0)
        rows.append(
            Row(
                key=str(s.committee.pk),
                label=s.committee.name,
                values=(s.active - s.overdue - due, due, s.overdue, s.missing_follow_up, s.active),
            )
        )
    total = Row(
        key="total",
        label=_("Total"),
        values=tuple(sum(r.values[i] for r in rows) for i in range(5)),
    )
    return Table(
        slug="uppfoljning",
        title=_("Follow-up health"),
        caption=_("IOPs being followed up today, per committee"),
        row_heading=_("Committee"),
        columns=(
            Column("on_time", _("On time")),
            Column("due", _("Due soon")),
            Column("overdue", _("Overdue")),
            Column("missing", _("Missing committee follow-up"), charted=False),
            Column("followed", _("Followed up in total"), charted=False),
        ),
        rows=tuple(rows),
        total=total if len(rows) > 1 else None,
        note=_(
            "As of today, whatever the year chosen. Due soon: a deadline within %(days)s days; "
            "overdue: a deadline passed without a record. Missing committee follow-up: the "
            "in-depth follow-up to the committee is overdue."
        )
        % {"days": lead},
    )


# --- Initiatives over time ---------------------------------------------------------------


def initiatives_table(
    cases: QuerySet[Case], filter_: PortfolioFilter, today: datetime.date
) -> Table:
    """Initiatives received per year (from the first to this one), or per quarter of the year
    chosen. One query."""
    if filter_.year:
        counts = {
            row["quarter"]: row["n"]
            for row in cases.filter(received_on__year=filter_.year)
            .annotate(quarter=ExtractQuarter("received_on"))
            .order_by()
            .values("quarter")
            .annotate(n=Count("pk"))
        }
        rows = tuple(
            Row(
                key=f"{filter_.year}-q{q}",
                label=_("Q%(quarter)s %(year)s") % {"quarter": q, "year": filter_.year},
                values=(counts.get(q, 0),),
            )
            for q in range(1, 5)
        )
        caption = _("Initiatives received in %(year)s per quarter") % {"year": filter_.year}
        heading = _("Quarter")
    else:
        counts = {
            row["year"]: row["n"]
            for row in cases.annotate(year=ExtractYear("received_on"))
            .order_by()
            .values("year")
            .annotate(n=Count("pk"))
        }
        years = range(min(counts, default=today.year), max([today.year, *counts]) + 1)
        rows = tuple(Row(key=str(y), label=str(y), values=(counts.get(y, 0),)) for y in years)
        caption = _("Initiatives received per year")
        heading = _("Year")
    return Table(
        slug="initiativ",
        title=_("Initiatives over time"),
        caption=caption,
        row_heading=heading,
        columns=(Column("received", _("Initiatives received")),),
        rows=rows,
        total=Row("total", _("Total"), (sum(r.values[0] for r in rows),)),
    )


# --- The page ------------------------------------------------------------------------------

TABLE_SLUGS = ("skeden", "pengar", "uppfoljning", "initiativ")


def portfolio(
    *, user: Any, filter_: PortfolioFilter, today: datetime.date | None = None
) -> Portfolio:
    """Every table of the portfolio, in a fixed number of queries (13 with cases to count)."""
    today = today or timezone.localdate()
    cases = portfolio_cases(user, filter_)
    builders: list[Callable[[], Table]] = [
        lambda: stages_table(cases, filter_),
        lambda: money_table(cases, filter_, today),
        lambda: health_table(user, cases, filter_, today),
        lambda: initiatives_table(cases, filter_, today),
    ]
    return Portfolio(filter=filter_, today=today, tables=[build() for build in builders])


def portfolio_table(
    *, user: Any, filter_: PortfolioFilter, slug: str, today: datetime.date | None = None
) -> Table:
    """One table (the xlsx export's), without computing the others."""
    today = today or timezone.localdate()
    cases = portfolio_cases(user, filter_)
    if slug == "skeden":
        return stages_table(cases, filter_)
    if slug == "pengar":
        return money_table(cases, filter_, today)
    if slug == "uppfoljning":
        return health_table(user, cases, filter_, today)
    if slug == "initiativ":
        return initiatives_table(cases, filter_, today)
    raise KeyError(slug)


# --- The xlsx export ------------------------------------------------------------------------

XLSX_FORMATS = {COUNT: "0", MONEY: "#,##0.00"}


def table_xlsx(table: Table, filter_: PortfolioFilter) -> bytes:
    """The table as an xlsx workbook: its caption and filters, then the heading row and one row
    per row of the page (numbers as numbers, kronor with two decimals), and the total."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    bold = Font(bold=True)
    sheet.append([table.caption])
    sheet["A1"].font = bold
    sheet.append([_("Filters: %(filters)s") % {"filters": filter_.describe()}])
    sheet.append([])
    sheet.append([table.row_heading, *(c.label for c in table.columns)])
    for cell in sheet[4]:
        cell.font = bold
    rows = list(table.rows) + ([table.total] if table.total else [])
    for row in rows:
        sheet.append([row.label, *row.values])
        for index, column in enumerate(table.columns, start=2):
            sheet.cell(row=sheet.max_row, column=index).number_format = XLSX_FORMATS[column.kind]
    if table.total:
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    sheet.freeze_panes = "B5"
    sheet.column_dimensions["A"].width = 32
    for index in range(2, len(table.columns) + 2):
        sheet.column_dimensions[get_column_letter(index)].width = 22
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
