"""The amount timelines of many cases at once, read from the agreements and the committee's
decisions in a fixed number of queries (finance is a layer above both spokes; ARCHITECTURE.md).

The base is the **first signed version** of the agreement: its start date, its amount per full
year for each public party and its term. Every approved decision with an amount change (for
its public party, or the case's registering body when none is named) changes it from its date.
The plan ends on the last day of a fixed term, on the day an approved ending decision names,
or at the end of the notice period when notice has been given, whichever is first.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from django.db.models import Q, QuerySet

from agreements.constants import PartyKind, TermKind
from agreements.models import AgreementParty, AgreementVersion
from decisions.constants import MatterKind, Outcome
from decisions.models import Decision
from decisions.services.recording import decision_reference
from iop.models import Case

from .plan import AmountChange, Timeline

APPROVING = [Outcome.APPROVED, Outcome.APPROVED_WITH_CHANGES]


def timelines(
    case_ids: Iterable[int] | QuerySet,
    *,
    case_rows: Iterable[tuple[int, int, datetime.date | None]] | None = None,
) -> dict[int, dict[int, Timeline]]:
    """{case id: {public body id: Timeline}} for the cases with a signed agreement; four
    queries whatever the number of cases (versions, their public parties, decisions, cases),
    three when the caller passes the cases' ``case_rows`` (pk, public_body_id, notice_date).

    ``case_ids`` is a list of ids or a queryset of cases (or of their ids), which the queries
    use as a subquery. Rows are read as tuples, not model objects: the portfolio reads the
    timelines of 10 000 cases (bench/oversight.py)."""
    if isinstance(case_ids, QuerySet):
        if case_ids.model is Case and not case_ids.query.values_select:
            case_ids = case_ids.values("pk")
    else:
        case_ids = list(case_ids)
        if not case_ids:
            return {}
    first_signed: dict[int, tuple] = {}
    for row in (
        AgreementVersion.objects.filter(
            agreement__case_id__in=case_ids, signed_at__isnull=False, start_date__isnull=False
        )
        .order_by("agreement__case_id", "number")
        .values_list(
            "agreement__case_id", "pk", "start_date", "term_kind", "term_years", "notice_months"
        )
    ):
        first_signed.setdefault(row[0], row)
    if not first_signed:
        return {}
    version_ids = [row[1] for row in first_signed.values()]
    parties: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for version_id, body_id, amount in AgreementParty.objects.filter(
        version_id__in=version_ids, kind=PartyKind.PUBLIC_BODY, annual_amount__isnull=False
    ).values_list("version_id", "public_body_id", "annual_amount"):
        parties[version_id].append((body_id, Decimal(amount)))

    changes: dict[tuple[int, int | None], list[AmountChange]] = defaultdict(list)
    ends: dict[int, datetime.date] = {}
    decisions = (
        Decision.objects.filter(matter__case_id__in=case_ids, outcome__in=APPROVING)
        .filter(Q(matter__amount_change__isnull=False) | Q(matter__kind=MatterKind.ENDING))
        .select_related("matter", "meeting__committee")
        .order_by("meeting__date", "pk")
    )
    for decision in decisions:
        matter = decision.matter
        if matter.case_id not in first_signed:
            continue
        if matter.amount_change and matter.change_from:
            changes[(matter.case_id, matter.amount_public_body_id)].append(
                AmountChange(
                    change_from=matter.change_from,
                    delta=Decimal(matter.amount_change),
                    reference=decision_reference(decision.meeting, decision.paragraph),
                )
            )
        if matter.kind == MatterKind.ENDING and matter.end_date:
            ends[matter.case_id] = min(matter.end_date, ends.get(matter.case_id, matter.end_date))

    cases = (
        case_rows
        if case_rows is not None
        else Case.objects.filter(pk__in=case_ids).values_list("pk", "public_body_id", "notice_date")
    )
    result: dict[int, dict[int, Timeline]] = {}
    for case_id, registering_body_id, notice_date in cases:
        if case_id not in first_signed:
            continue
        _, version_id, start, term_kind, term_years, notice_months = first_signed[case_id]
        end = _end_of(start, term_kind, term_years, notice_months, ends.get(case_id), notice_date)
        per_body = {}
        for body_id, amount in parties.get(version_id, ()):
            own = changes.get((case_id, body_id), [])
            unnamed = changes.get((case_id, None), []) if body_id == registering_body_id else []
            per_body[body_id] = Timeline(
                start=start,
                base=amount,
                changes=tuple(sorted(own + unnamed, key=lambda c: c.change_from)),
                end=end,
            )
        result[case_id] = per_body
    return result


def _end_of(
    start: datetime.date,
    term_kind: str,
    term_years: int | None,
    notice_months: int | None,
    ending_on: datetime.date | None,
    notice_date: datetime.date | None,
) -> datetime.date | None:
    candidates = []
    if term_kind == TermKind.FIXED and term_years:
        candidates.append(start + relativedelta(years=term_years) - datetime.timedelta(1))
    if ending_on:
        candidates.append(ending_on)
    if notice_date:
        candidates.append(
            notice_date + relativedelta(months=notice_months or 0) - datetime.timedelta(1)
        )
    return min(candidates) if candidates else None
