"""Starting, copying and editing drafts, and what must be in a draft before legal review."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from simple_history.utils import bulk_create_with_history

from django.db import transaction
from django.utils.translation import gettext as _

from iop import permissions
from iop.constants import CaseStatus
from iop.models import Case
from iop.services import TransitionForbidden, TransitionRefused

from ..budget import budget_summary
from ..constants import (
    REQUIRED_SECTIONS,
    BudgetKind,
    PartyKind,
    SectionKey,
    TermKind,
    VersionStatus,
)
from ..models import (
    ActionPlanActivity,
    Agreement,
    AgreementParty,
    AgreementSection,
    AgreementVersion,
    BudgetLine,
)
from .common import (
    EDITABLE_CASE_STATUSES,
    EditConflict,
    _event,
    approved_version,
    draft_version,
    ensure_editable,
    existing_agreement,
    freeze,
    in_force_version,
    lock_case_of,
    submitted_version,
)

# --- Creating and copying ----------------------------------------------------------------


@transaction.atomic
def agreement_start(*, case: Case, actor: Any) -> Agreement:
    """The case's agreement with its first draft, prefilled from the case: the challenge as
    background, the idea as purpose, the planning sheets' goals, target group and results, the
    public bodies and organisations as parties (public first) with the organisations' primary
    contacts. Returns the existing agreement if there is one."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    existing = Agreement.objects.filter(case=case).first()
    if existing is not None:
        return existing
    if not permissions.can_change_case(case, actor):
        raise TransitionForbidden(
            [_("Only the case's officer, its substitute or the IOP coordinator may do this.")]
        )
    if case.status not in EDITABLE_CASE_STATUSES:
        raise TransitionRefused(
            [
                _("An agreement is drafted from the stage «%(stage)s».")
                % {"stage": CaseStatus.DRAFTING.label}
            ]
        )
    agreement = Agreement.objects.create(case=case, created_by=actor)
    version = AgreementVersion(
        agreement=agreement,
        number=1,
        created_by=actor,
        concrete_results=case.plan_concrete_results,
        intangible_results=case.plan_intangible_results,
    )
    version._history_user = actor
    version.save()
    prefill = {
        SectionKey.BACKGROUND: case.societal_challenge,
        SectionKey.PURPOSE: case.idea_description,
        SectionKey.GOALS: case.plan_direction,
        SectionKey.TARGET_GROUP: case.plan_target_group,
    }
    _create_with_history(
        AgreementSection,
        actor,
        [
            AgreementSection(version=version, key=key, text=prefill.get(key, ""), updated_by=actor)
            for key in SectionKey.values
        ],
    )
    order = 1
    bodies = list(case.public_bodies.order_by("name")) or [case.public_body]
    for body in bodies:
        AgreementParty.objects.create(
            version=version, order=order, kind=PartyKind.PUBLIC_BODY, public_body=body
        )
        order += 1
    for organisation in case.organisations.prefetch_related("contacts").order_by("name"):
        contact = _primary_contact(organisation)
        AgreementParty.objects.create(
            version=version,
            order=order,
            kind=PartyKind.ORGANISATION,
            organisation=organisation,
            contact_name=contact.name if contact else "",
            contact_email=contact.email if contact else "",
            contact_phone=contact.phone if contact else "",
        )
        order += 1
    if case.plan_activities:
        ActionPlanActivity.objects.create(
            version=version,
            order=1,
            description=case.plan_activities,
            owner="",
            timetable=case.plan_timetable[:200],
        )
    _event(case, actor, _("Agreement draft, version 1, started."))
    return agreement


def _create_with_history(model, actor: Any, rows) -> None:
    """Create ``rows`` in one query and record their creation by ``actor`` in their history."""
    bulk_create_with_history(list(rows), model, default_user=actor)


def _primary_contact(organisation):
    contacts = sorted(organisation.contacts.all(), key=lambda c: (not c.is_primary, c.pk))
    return contacts[0] if contacts else None


def copy_version(source: AgreementVersion, *, actor: Any) -> AgreementVersion:
    """A new draft with everything of ``source`` (text, parties, budget, plan) but no
    signatures. Call inside a transaction holding the case's lock."""
    number = (
        source.agreement.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    fields = {
        f.name: getattr(source, f.name)
        for f in AgreementVersion._meta.concrete_fields
        if f.name
        not in {
            "id",
            "number",
            "status",
            "based_on",
            "revision",
            "created_at",
            "created_by",
            "updated_at",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "signed_at",
            "authorising_decision",
        }
    }
    version = AgreementVersion(
        **fields, number=number, status=VersionStatus.DRAFT, based_on=source, created_by=actor
    )
    version._history_user = actor
    version.save()
    _create_with_history(
        AgreementSection,
        actor,
        [
            AgreementSection(version=version, key=s.key, text=s.text, updated_by=actor)
            for s in source.sections.all()
        ],
    )
    party_map: dict[int, AgreementParty] = {}
    for party in source.parties.all():
        party_map[party.pk] = AgreementParty.objects.create(
            version=version,
            order=party.order,
            kind=party.kind,
            public_body_id=party.public_body_id,
            organisation_id=party.organisation_id,
            signatory_name=party.signatory_name,
            signatory_title=party.signatory_title,
            contact_name=party.contact_name,
            contact_email=party.contact_email,
            contact_phone=party.contact_phone,
            annual_amount=party.annual_amount,
        )
    _create_with_history(
        BudgetLine,
        actor,
        [
            BudgetLine(
                version=version,
                party=party_map[line.party_id],
                year=line.year,
                kind=line.kind,
                description=line.description,
                amount=line.amount,
                hours=line.hours,
                hourly_value=line.hourly_value,
            )
            for line in source.budget_lines.all()
        ],
    )
    _create_with_history(
        ActionPlanActivity,
        actor,
        [
            ActionPlanActivity(
                version=version,
                order=a.order,
                description=a.description,
                owner=a.owner,
                timetable=a.timetable,
                expected_result=a.expected_result,
            )
            for a in source.activities.all()
        ],
    )
    return version


def return_to_new_draft(version: AgreementVersion, *, actor: Any) -> AgreementVersion:
    """Send ``version`` back for further drafting: it stays as it was, and a new draft
    continues from it. Returns the new draft."""
    freeze(version, status=VersionStatus.RETURNED, actor=actor)
    return copy_version(version, actor=actor)


@transaction.atomic
def start_revision(*, case: Case, actor: Any) -> AgreementVersion:
    """In renegotiation: a new draft of the agreement in force (DOMAIN.md §3.8)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not permissions.can_change_case(case, actor):
        raise TransitionForbidden(
            [_("Only the case's officer, its substitute or the IOP coordinator may do this.")]
        )
    if case.status != CaseStatus.RENEGOTIATION:
        raise TransitionRefused(
            [
                _(
                    "A new version of a signed agreement is written when the committee has decided on renegotiation."
                )
            ]
        )
    agreement = existing_agreement(case)
    existing = draft_version(agreement)
    if existing is not None:
        return existing
    source = (
        submitted_version(agreement) or approved_version(agreement) or in_force_version(agreement)
    )
    if source is None or source.status != VersionStatus.SIGNED:
        raise TransitionRefused(
            [_("A version is already in legal review or waiting for signatures.")]
        )
    version = copy_version(source, actor=actor)
    _event(
        case,
        actor,
        _("Renegotiation: version %(number)s drafted from the agreement in force.")
        % {"number": version.number},
    )
    return version


# --- Editing drafts -------------------------------------------------------------------------


@transaction.atomic
def section_save(
    *, section: AgreementSection, text: str, revision: int, actor: Any
) -> AgreementSection:
    """Save the text of one heading, unless someone saved it since ``revision``."""
    lock_case_of(section)
    locked = (
        AgreementSection.objects.select_for_update(of=("self",))
        .select_related("version__agreement__case")
        .get(pk=section.pk)
    )
    ensure_editable(locked.version, actor)
    if locked.revision != revision:
        raise EditConflict(locked)
    if locked.text != text:
        locked.text = text
        locked.revision += 1
        locked.updated_by = actor
        locked._history_user = actor
        locked.save()
    return locked


@transaction.atomic
def version_update(
    *, version: AgreementVersion, data: dict[str, Any], revision: int, actor: Any
) -> AgreementVersion:
    """Save the version's own fields (term, notice, invoice address, plan fields)."""
    lock_case_of(version)
    locked = (
        AgreementVersion.objects.select_for_update(of=("self",))
        .select_related("agreement__case")
        .get(pk=version.pk)
    )
    ensure_editable(locked, actor)
    if locked.revision != revision:
        raise EditConflict(locked)
    for field, value in data.items():
        setattr(locked, field, value)
    locked.revision += 1
    locked._history_user = actor
    locked.save()
    return locked


def lock_draft(version: AgreementVersion, *, revision: int, actor: Any) -> AgreementVersion:
    """For edits of a draft's rows (parties, budget lines, activities): lock the version,
    check the revision the user edited from and bump it. Call inside a transaction."""
    lock_case_of(version)
    locked = (
        AgreementVersion.objects.select_for_update(of=("self",))
        .select_related("agreement__case")
        .get(pk=version.pk)
    )
    ensure_editable(locked, actor)
    if locked.revision != revision:
        raise EditConflict(locked)
    locked.revision += 1
    locked._history_user = actor
    locked.save(update_fields=["revision", "updated_at"])
    return locked


# --- Checks before review ---------------------------------------------------------------


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
    from ..templatetags.agreement_format import kr

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
        and not version.authorising_decision.strip()
        and amounts_changed(version, previous)
    ):
        problems.append(
            _(
                "This version changes an amount of the agreement in force: name the committee decision that allows it."
            )
        )
    return problems
