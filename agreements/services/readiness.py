"""What must be in a draft before it goes to the jurist (DOMAIN.md §6): read by the case's
guard, the agreement's page and the submission."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from iop.constants import Transition
from iop.models import CaseEvent

from ..budget import budget_summary
from ..constants import REQUIRED_SECTIONS, BudgetKind, PartyKind, SectionKey, TermKind
from ..models import AgreementParty, AgreementVersion, BudgetLine
from ..templatetags.agreement_format import kr
from .common import in_force_version


def renegotiation_events(case_id: int):
    """The case's recorded decisions to renegotiate: its events of the start_renegotiation
    transition (made by recording the committee's decision), newest first."""
    return CaseEvent.objects.filter(
        case_id=case_id, transition=Transition.START_RENEGOTIATION.value
    ).order_by("-at", "-pk")


def amounts_changed(version: AgreementVersion, previous: AgreementVersion | None) -> bool:
    """Whether ``version`` changes an amount of ``previous``: a party's money per full year, or
    what a party contributes in the budget."""
    if previous is None:
        return False

    def amounts(v: AgreementVersion) -> dict:
        result: dict = {}
        for party in v.parties.all():
            who = (party.kind, party.public_body_id, party.organisation_id)
            result[(who, "annual")] = party.annual_amount
        for line in v.budget_lines.select_related("party"):
            who = (line.party.kind, line.party.public_body_id, line.party.organisation_id)
            key = (who, line.year, line.kind)
            result[key] = result.get(key, 0) + line.value
        return result

    return amounts(version) != amounts(previous)


def _annual_amount_problems(parties: list[AgreementParty], lines: list[BudgetLine]) -> list[str]:
    """A party's money per full year must be what the budget gives in money for a full year:
    the two figures are printed in the same agreement and must not disagree."""
    problems = []
    for party in parties:
        money: dict[int, Decimal] = {}
        for line in lines:
            if line.party_id == party.pk and line.kind == BudgetKind.MONEY:
                money[line.year] = money.get(line.year, Decimal(0)) + line.value
        if not money and not party.annual_amount:
            continue
        if party.annual_amount not in money.values():
            years = ", ".join(f"{year}: {kr(total)}" for year, total in sorted(money.items()))
            problems.append(
                _(
                    "%(party)s gives %(amount)s per full year, but the budget's money from %(party)s is %(years)s: the figures must agree for a full year."
                )
                % {"party": party.name, "amount": kr(party.annual_amount), "years": years or kr(0)}
            )
    return problems


def submission_problems(version: AgreementVersion) -> list[str]:
    """What must be fixed before ``version`` goes to the jurist, in Swedish; empty when ready."""
    problems: list[str] = []
    sections = {s.key: s for s in version.sections.all()}
    missing = [
        str(SectionKey(key).label)
        for key in REQUIRED_SECTIONS
        if key not in sections or not sections[key].text.strip()
    ]
    if missing:
        problems.append(
            _("Text is missing under the headings: %(headings)s.")
            % {"headings": ", ".join(missing)}
        )
    parties = list(version.parties.select_related("public_body", "organisation"))
    if not any(p.kind == PartyKind.PUBLIC_BODY for p in parties):
        problems.append(_("A public party is missing."))
    if not any(p.kind == PartyKind.ORGANISATION for p in parties):
        problems.append(_("A non-profit organisation as party is missing."))
    for party in parties:
        if not party.signatory_name.strip():
            problems.append(_("The signatory of %(party)s is missing.") % {"party": party.name})
    if version.start_date is None:
        problems.append(_("The start date is missing."))
    if version.term_kind == TermKind.FIXED and not version.term_years:
        problems.append(_("The length of the fixed term is missing."))
    if version.term_kind == TermKind.UNTIL_FURTHER_NOTICE and not version.revision_interval_years:
        problems.append(_("The revision interval of an agreement until further notice is missing."))
    lines = list(version.budget_lines.all())
    summary = budget_summary(version, parties=parties, lines=lines)
    problems.extend(summary.problems)
    problems.extend(_annual_amount_problems(parties, lines))
    if not version.activities.exists():
        problems.append(_("The action plan has no activities."))
    if version.checkins_per_year < 2:
        problems.append(_("The parties meet for follow-up at least twice a year."))
    if not version.annual_evaluation.strip():
        problems.append(_("The action plan must describe the annual evaluation."))
    previous = in_force_version(version.agreement)
    if (
        previous is not None
        and previous.pk != version.pk
        and not _cites_renegotiation_decision(version)
        and amounts_changed(version, previous)
    ):
        problems.append(
            _(
                "This version changes an amount of the agreement in force: it must cite the committee's recorded decision to renegotiate."
            )
        )
    return problems


def _cites_renegotiation_decision(version: AgreementVersion) -> bool:
    """The version cites one of its case's recorded decisions to renegotiate (an earlier
    typed note does not count)."""
    event_id = version.authorising_event_id
    if event_id is None:
        return False
    return renegotiation_events(version.agreement.case_id).filter(pk=event_id).exists()
