"""The co-financing budget's arithmetic and checks (DOMAIN.md §6.2).

Pure functions over a version's lines: the pages, the jurist's assessment, the PDF and the
case's conditions all read the same summary, so they can never disagree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .constants import BudgetKind
from .models import ZERO, AgreementParty, AgreementVersion, BudgetLine

# Words that make a budget line a profit line: an IOP is run without profit motive.
PROFIT_PATTERN = re.compile(
    r"\b(vinst\w*|överskott\w*|vinstpåslag\w*|vinstmarginal\w*|profit\w*|utdelning\w*)",
    re.IGNORECASE,
)


def is_profit_line(description: str) -> bool:
    return bool(PROFIT_PATTERN.search(description or ""))


@dataclass
class KindTotal:
    kind: str
    label: str
    total: Decimal


def _kind_totals(by_kind: dict[str, Decimal]) -> list[KindTotal]:
    """``by_kind`` in the order of the budget kinds, with their labels."""
    return [
        KindTotal(kind=kind.value, label=str(kind.label), total=by_kind[kind.value])
        for kind in BudgetKind
        if kind.value in by_kind
    ]


@dataclass
class PartyTotal:
    party: AgreementParty
    total: Decimal = ZERO
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    share: Decimal | None = None  # percent of the whole budget, one decimal

    @property
    def contributes(self) -> bool:
        return self.total > 0

    @property
    def kinds(self) -> list[KindTotal]:
        return _kind_totals(self.by_kind)


@dataclass
class YearTotal:
    year: int
    total: Decimal


@dataclass
class BudgetSummary:
    parties: list[PartyTotal]
    years: list[int]
    # {year: {party pk: total}}
    by_year: dict[int, dict[int, Decimal]]
    total: Decimal
    public_total: Decimal
    public_share: Decimal | None  # percent, one decimal; None when the budget is empty
    problems: list[str]  # refusals: must be fixed before legal review
    flags: list[str]  # risks the jurist must weigh (and accept with a reason)

    @property
    def fully_public(self) -> bool:
        # On the share as shown: a token contribution (99,96 %, shown as 100,0 %) is, for the
        # procurement question, the public paying everything.
        return self.public_share is not None and self.public_share >= 100

    def year_total(self, year: int) -> Decimal:
        return sum(self.by_year.get(year, {}).values(), ZERO)

    @property
    def year_totals(self) -> list[YearTotal]:
        return [YearTotal(year=y, total=self.year_total(y)) for y in self.years]

    @property
    def kind_totals(self) -> list[KindTotal]:
        """The whole budget by kind of contribution, over all parties."""
        by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for party_total in self.parties:
            for kind, value in party_total.by_kind.items():
                by_kind[kind] += value
        return _kind_totals(by_kind)

    @property
    def private_total(self) -> Decimal:
        """What the organisations contribute: money, work and in kind."""
        return self.total - self.public_total


def public_share(public_total: Decimal, total: Decimal) -> Decimal | None:
    """The public parties' share of the total cost in percent, rounded to one decimal."""
    if total <= 0:
        return None
    return (public_total * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def budget_summary(
    version: AgreementVersion,
    *,
    parties: list[AgreementParty] | None = None,
    lines: list[BudgetLine] | None = None,
) -> BudgetSummary:
    """Totals per party and year, the public share and the checks. Pass ``parties`` and
    ``lines`` when they are already loaded; otherwise two queries fetch them."""
    if parties is None:
        parties = list(version.parties.select_related("public_body", "organisation"))
    if lines is None:
        lines = list(version.budget_lines.all())
    totals = {p.pk: PartyTotal(party=p) for p in parties}
    by_year: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    problems: list[str] = []
    for line in lines:
        value = line.value
        party_total = totals.get(line.party_id)
        if party_total is None:
            continue
        party_total.total += value
        party_total.by_kind[line.kind] = party_total.by_kind.get(line.kind, ZERO) + value
        by_year[line.year][line.party_id] += value
        if is_profit_line(line.description):
            problems.append(
                _(
                    "The budget line «%(line)s» is a profit: an IOP is run without profit motive, so profit cannot be budgeted."
                )
                % {"line": line.description}
            )
    total = sum((t.total for t in totals.values()), ZERO)
    public_total = sum((t.total for t in totals.values() if t.party.is_public), ZERO)
    share = public_share(public_total, total)
    for party_total in totals.values():
        party_total.share = public_share(party_total.total, total)

    if not lines:
        problems.append(_("The budget has no lines: every party's contribution must be shown."))
    else:
        for t in totals.values():
            if t.total <= 0:
                problems.append(
                    _("%(party)s contributes nothing in the budget: every party contributes.")
                    % {"party": t.party.name}
                )
    flags: list[str] = []
    if share is not None and share >= 100:
        flags.append(
            _(
                "The public parties pay %(share)s %% of the total cost. When public money covers the full cost, the agreement risks being a procurement or unlawful state aid (Commission v Ireland, C-532/03); the jurist must accept it with a reason."
            )
            % {"share": _format_percent(share)}
        )
    return BudgetSummary(
        parties=list(totals.values()),
        years=sorted(by_year),
        by_year={y: dict(v) for y, v in by_year.items()},
        total=total,
        public_total=public_total,
        public_share=share,
        problems=problems,
        flags=flags,
    )


def _format_percent(value: Decimal) -> str:
    return f"{value:.1f}".replace(".", ",")
