"""Agreements in any state, built through the real services so they obey the same rules.

draft = complete_draft(case)                  # case in drafting, draft ready to submit
version = agreement_at(case, "submitted")     # … "returned", "approved", "signed"
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from iop.constants import CaseStatus, Role
from iop.models import Case
from iop.tests.factories import CaseFactory, UserFactory

from .. import services
from ..constants import BudgetKind, RiskDirection, RiskFactor, SectionKey, VersionStatus
from ..models import ActionPlanActivity, AgreementVersion, BudgetLine

SECTION_TEXT = {
    SectionKey.BACKGROUND: "Ensamheten bland äldre på landsbygden växer.",
    SectionKey.PURPOSE: "Partnerskapet ger mötesplatser som varken regionen eller föreningen kan skapa ensam.",
    SectionKey.PARTIES: "Region Värmland och föreningen är parter i denna överenskommelse.",
    SectionKey.GOALS: "Fler äldre deltar i en gemenskap varje vecka.",
    SectionKey.VALUES: "Parterna möts med respekt och tillit.",
    SectionKey.TARGET_GROUP: "Äldre som bor på landsbygden.",
    SectionKey.COMMITMENTS: "Regionen bidrar med medel och handledning; föreningen med frivilliga och lokaler.",
    SectionKey.GOVERNANCE: "En gemensam styrgrupp fattar beslut i samförstånd.",
    SectionKey.FOLLOW_UP: "Parterna stämmer av två gånger om året och utvärderar årligen.",
    SectionKey.LEARNING: "Erfarenheterna delas i en årlig lärträff.",
    SectionKey.ORGANISATION: "Varje part utser en kontaktperson.",
    SectionKey.DOCUMENTATION: "Föreningen lämnar verksamhetsberättelse årligen.",
    SectionKey.ECONOMY: "Utbetalning sker halvårsvis. Fakturaadress: Region Värmland, Box 1022, 651 15 Karlstad.",
    SectionKey.TERM: "Överenskommelsen gäller i fem år.",
    SectionKey.TERMINATION: "Part har rätt att lämna projektet med sex månaders uppsägning.",
}


def drafting_case(**kwargs) -> Case:
    kwargs.setdefault("status", CaseStatus.DRAFTING)
    return CaseFactory(**kwargs)


def complete_draft(case: Case | None = None, *, actor=None, year: int = 2027) -> AgreementVersion:
    """The case's draft, complete and ready for legal review: every heading written, the
    parties with signatories, the term, the budget of DOMAIN.md's example (the region's
    600 000 kr; the organisation's 2 000 volunteer hours × 300 kr and premises worth 120 000 kr)
    and an action plan."""
    case = case or drafting_case()
    actor = actor or case.officer
    agreement = services.agreement_start(case=case, actor=actor)
    draft = services.draft_version(agreement)
    for section in draft.sections.all():
        section.text = SECTION_TEXT[section.key]
        section.save()
    draft.start_date = datetime.date(year, 1, 1)
    draft.annual_evaluation = "Varje vår, med föreningens verksamhetsberättelse."
    draft.save()
    public, *organisations = list(draft.parties.order_by("order"))
    for i, party in enumerate([public, *organisations]):
        party.signatory_name = f"Firmatecknare {i + 1}"
        party.signatory_title = "Ordförande" if not party.is_public else "Regiondirektör"
        party.save()
    public.annual_amount = Decimal("600000")
    public.save()
    BudgetLine.objects.create(
        version=draft,
        party=public,
        year=year,
        kind=BudgetKind.MONEY,
        description="Medel från regionen",
        amount=Decimal("600000"),
    )
    for organisation in organisations:
        BudgetLine.objects.create(
            version=draft,
            party=organisation,
            year=year,
            kind=BudgetKind.VOLUNTEER,
            description="Frivilligas arbete",
            hours=Decimal("2000"),
            hourly_value=Decimal("300"),
        )
        BudgetLine.objects.create(
            version=draft,
            party=organisation,
            year=year,
            kind=BudgetKind.PREMISES,
            description="Föreningens lokaler",
            amount=Decimal("120000"),
        )
    if not draft.activities.exists():
        ActionPlanActivity.objects.create(
            version=draft,
            order=1,
            description="Veckoträffar i bygdegården",
            owner="Föreningen",
            timetable="Från januari 2027",
        )
    draft.refresh_from_db()
    return draft


def record_assessment(
    version: AgreementVersion,
    jurist,
    *,
    overall: str = "Samlad bedömning: ett partnerskap, ingen upphandling.",
    full_funding: str = "",
) -> None:
    services.assessment_save(
        version=version,
        actor=jurist,
        answers=dict.fromkeys(RiskFactor.values, (RiskDirection.PARTNERSHIP, "")),
        overall_assessment=overall,
        full_funding_accepted=full_funding,
    )


def agreement_at(case: Case | None, state: str, *, jurist=None, secretary=None) -> AgreementVersion:
    """A case whose agreement has reached ``state``: "submitted" (case in legal review),
    "returned" (back in drafting with a comment), "approved" (awaiting decision), "signing"
    (committee approved; nobody signed), "signed" (case active)."""

    case = case or drafting_case()
    draft = complete_draft(case)
    services.submit_draft(case=case, actor=case.officer)
    if state == "submitted":
        return AgreementVersion.objects.get(pk=draft.pk)
    jurist = jurist or UserFactory(role=Role.JURIST)
    if state == "returned":
        services.return_version(
            case=case, actor=jurist, comments=[(SectionKey.GOALS, "Förtydliga målen.")]
        )
        return AgreementVersion.objects.get(pk=draft.pk)
    record_assessment(AgreementVersion.objects.get(pk=draft.pk), jurist)
    services.approve_version(case=case, actor=jurist)
    if state == "approved":
        return AgreementVersion.objects.get(pk=draft.pk)
    # The committee approves: the secretary records the decision, which moves the case.
    from decisions.tests.factories import decide

    decide(case, secretary=secretary)
    if state == "signing":
        return AgreementVersion.objects.get(pk=draft.pk)
    for party in AgreementVersion.objects.get(pk=draft.pk).parties.order_by("order", "pk"):
        services.record_signature(
            party=party, actor=case.officer, signed_on=datetime.date(2026, 11, 1), method="paper"
        )
    version = AgreementVersion.objects.get(pk=draft.pk)
    assert version.status == VersionStatus.SIGNED
    return version
