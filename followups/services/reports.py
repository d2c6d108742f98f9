"""The biennial in-depth follow-up to the committee (DOMAIN.md §7, §8): the report under the
five headings of the follow-up attachment, written here from the case and its agreement, and
the one click that prepares the committee's matter from it — the follow-up matter, or with an
amount the follow-up and renegotiation matter (one tjänsteskrivelse, two decision points).

The committee's matters belong to the decisions spoke; the report asks for one through the hub
(``iop.facts.prepare_matter``) and keeps the matter's id, title and link. Once the matter is
prepared the report is a record and is not edited again (the matter's draft is, on its page).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from iop import facts
from iop.constants import CaseEventKind
from iop.models import Case
from iop.permissions import ensure_can_change_case
from iop.services import lock_case, record_event

from ..models import AnnualEvaluation, CheckIn, FollowUpReport
from .deadlines import FollowUpRefused, active_since, ensure_followed

__all__ = [
    "REPORT_FIELDS",
    "report_prefill",
    "report_prepare_matter",
    "report_save",
]

# What the officer writes and edits (the form's fields).
REPORT_FIELDS = (*FollowUpReport.HEADINGS, "amount_change", "change_from")


# --- The texts the report starts from, in the committee's words ------------------------------


def kronor(amount: Decimal | int) -> str:
    """«50 000 kronor»: whole kronor, thousands grouped by a space, as the committee writes."""
    value = int(Decimal(amount).copy_abs().to_integral_value())
    return _("%(amount)s kronor") % {"amount": f"{value:,}".replace(",", " ")}


def _names(names: Iterable[str]) -> str:
    """«A», «A och B», «A, B och C»."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _parties(case: Case, agreement: facts.AgreementFacts | None) -> tuple[list[str], list[str]]:
    """(public parties, organisations) as the agreement names them, else as the case does."""
    if agreement is not None and agreement.parties:
        return (
            [p.name for p in agreement.public_parties],
            [p.name for p in agreement.organisations],
        )
    public = [case.public_body.name] + [
        b.name for b in case.public_bodies.all() if b.pk != case.public_body_id
    ]
    return public, [o.name for o in case.organisations.order_by("name")]


def _cooperation(case: Case, agreement: facts.AgreementFacts | None) -> str:
    public, organisations = _parties(case, agreement)
    since = active_since(case)
    values = {"public": _names(public), "organisations": _names(organisations)}
    if since is not None:
        values["date"] = formats.date_format(since, "j F Y")
        first = _(
            "%(public)s and %(organisations)s have cooperated through an idea-based public "
            "partnership (IOP) since %(date)s."
        )
    else:
        first = _(
            "%(public)s and %(organisations)s cooperate through an idea-based public "
            "partnership (IOP)."
        )
    parts = [first % values, case.idea_description]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _background(case: Case, agreement: facts.AgreementFacts | None) -> str:
    parts = []
    if agreement is not None:
        parts += [agreement.background, agreement.purpose, agreement.goals]
    if case.societal_challenge:
        parts.append(
            _("The societal challenge: %(challenge)s") % {"challenge": case.societal_challenge}
        )
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _contributions(agreement: facts.AgreementFacts | None) -> str:
    """Each party's contributions per year from the agreement's budget, in kronor; without a
    budget, each public party's money per full year."""
    if agreement is None:
        return ""
    lines = []
    for c in sorted(agreement.contributions, key=lambda c: (c.year, c.party)):
        line = _("%(year)s – %(party)s: %(money)s in money, %(in_kind)s in work and kind.") % {
            "year": c.year,
            "party": c.party,
            "money": kronor(c.money),
            "in_kind": kronor(c.in_kind),
        }
        described = "; ".join(d for d in c.descriptions if d)
        if described:
            line = f"{line.rstrip('.')} ({described})."
        lines.append(line)
    if not lines:
        lines = [
            _("%(body)s contributes %(amount)s per full year.")
            % {"body": p.name, "amount": kronor(p.annual_amount)}
            for p in agreement.public_parties
            if p.annual_amount is not None
        ]
    return "\n".join(lines)


def _period_start(case: Case) -> datetime.date | None:
    """Where this follow-up's period starts: the last approved follow-up decision, or the
    activation."""
    decided = [d.decided_on for d in facts.decision_facts(case) if d.approves and d.is_follow_up]
    return max(decided) if decided else active_since(case)


def _goal_fulfilment(case: Case) -> str:
    """What was recorded in the period, for the officer to build on: the check-ins held and
    each annual evaluation's text."""
    since = _period_start(case)
    if since is None:
        return ""
    held = CheckIn.objects.filter(
        case=case, held_on__gte=since, held_on__isnull=False, cancelled=False
    ).count()
    lines = [
        _("Check-in meetings held since %(date)s: %(count)s.")
        % {"date": formats.date_format(since, "j F Y"), "count": held}
    ]
    for evaluation in AnnualEvaluation.objects.filter(case=case, evaluated_on__gte=since).order_by(
        "year"
    ):
        lines.append(
            _("Annual evaluation %(year)s: %(text)s")
            % {"year": evaluation.year, "text": evaluation.evaluation.strip()}
        )
    return "\n\n".join(lines)


def report_prefill(case: Case) -> dict[str, str]:
    """The five headings as the report starts: the cooperation, the background, purpose and
    goals, and the contributions from the case and its agreement (``iop.facts``), and what the
    period's check-ins and evaluations recorded. Written in the installation's language, as
    the committee's documents are, whatever the language of the user."""
    agreement = facts.agreement_facts(case)
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "cooperation": _cooperation(case, agreement),
            "background": _background(case, agreement),
            "contributions": _contributions(agreement),
            "goal_fulfilment": _goal_fulfilment(case),
            "development": "",
        }


# --- Writing the report -------------------------------------------------------------------


def _amount_errors(amount_change: Decimal | None, change_from: datetime.date | None) -> dict:
    errors: dict[str, list[str]] = {}
    if amount_change is not None and amount_change == 0:
        errors["amount_change"] = [_("Enter a change other than zero, or leave it empty.")]
    if amount_change is not None and change_from is None:
        errors["change_from"] = [_("Give the date the change starts from.")]
    if amount_change is None and change_from is not None:
        errors["amount_change"] = [_("Give the change per full year, or leave the date empty.")]
    return errors


@transaction.atomic
def report_save(
    *,
    case: Case,
    actor: Any,
    report: FollowUpReport | None = None,
    **fields: Any,
) -> FollowUpReport:
    """Write a new follow-up report (``report`` None) or save the edits of one whose matter
    is not yet prepared. Refused (``FollowUpRefused``) on a case no longer followed up, for a
    prepared report, and for an amount without its date (or the reverse)."""
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of the report: {sorted(unknown)}")
    case = lock_case(case)
    ensure_can_change_case(case, actor)
    ensure_followed(case)
    if report is not None:
        report = FollowUpReport.objects.select_for_update().get(pk=report.pk, case=case)
        if report.is_prepared:
            raise FollowUpRefused(
                [
                    _(
                        "The committee matter has been prepared from this report; change the texts on the matter instead."
                    )
                ]
            )
    else:
        report = FollowUpReport(case=case, created_by=actor)
    for name, value in fields.items():
        setattr(report, name, value.strip() if isinstance(value, str) else value)
    errors = _amount_errors(report.amount_change, report.change_from)
    if errors:
        raise FollowUpRefused(errors)
    created = report.pk is None
    report.full_clean(exclude=["case", "created_by"])
    report._history_user = actor
    report.save()
    if created:
        record_event(
            case=case,
            kind=CaseEventKind.FOLLOW_UP,
            actor=actor,
            note=_("Follow-up report to the committee written."),
        )
    return report


@transaction.atomic
def report_prepare_matter(*, report: FollowUpReport, actor: Any) -> FollowUpReport:
    """Prepare the committee's matter from the report: its follow-up attachment gets the five
    texts; with an amount it is the follow-up and renegotiation matter, whose decision points
    include the change. The matter's id, title and link are kept on the report. Refused
    (``FollowUpRefused``) when a heading is empty, when the matter is already prepared, on a
    closed case, and with the committee spoke's own reasons (``MatterNotPrepared``): then
    nothing is saved."""
    case = lock_case(report.case_id)
    ensure_can_change_case(case, actor)
    ensure_followed(case)
    report = FollowUpReport.objects.select_for_update().get(pk=report.pk)
    if report.is_prepared:
        raise FollowUpRefused(
            [_("The committee matter has already been prepared from this report.")]
        )
    empty = [
        str(FollowUpReport._meta.get_field(name).verbose_name)
        for name in FollowUpReport.HEADINGS
        if not getattr(report, name).strip()
    ]
    if empty:
        raise FollowUpRefused(
            {
                "": [
                    _("Write every heading before the matter is prepared; empty: %(headings)s.")
                    % {"headings": ", ".join(empty)}
                ]
            }
        )
    errors = _amount_errors(report.amount_change, report.change_from)
    if errors:
        raise FollowUpRefused(errors)
    request = facts.MatterRequest(
        kind="follow_up",
        follow_up=facts.FollowUpTexts(
            cooperation=report.cooperation,
            background=report.background,
            contributions=report.contributions,
            goal_fulfilment=report.goal_fulfilment,
            development=report.development,
        ),
        amount_change=report.amount_change,
        change_from=report.change_from,
    )
    try:
        matter = facts.prepare_matter(case=case, actor=actor, request=request)
    except facts.MatterNotPrepared as refused:
        raise FollowUpRefused(refused.messages) from refused
    report.matter_id = matter.matter_id
    report.matter_title = matter.title[:300]
    report.matter_url = matter.url[:300]
    report.prepared_at = timezone.now()
    report._history_user = actor
    report.save()
    record_event(
        case=case,
        kind=CaseEventKind.FOLLOW_UP,
        actor=actor,
        note=_("Committee matter prepared from the follow-up report: %(title)s")
        % {"title": matter.title},
    )
    return report
