"""Starting, copying and editing drafts, and what must be in a draft before legal review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simple_history.utils import bulk_create_with_history

from django.db import transaction
from django.utils.translation import gettext as _

from iop import permissions
from iop.constants import CaseStatus
from iop.models import Case
from iop.services import TransitionRefused, lock_case

from ..constants import PartyKind, SectionKey, VersionStatus
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
    agreement_event,
    approved_version,
    draft_version,
    ensure_editable,
    existing_agreement,
    in_force_version,
    lock_case_of,
    lock_version,
    move,
    submitted_version,
)
from .readiness import renegotiation_events

# --- Creating and copying ----------------------------------------------------------------


@transaction.atomic
def agreement_start(*, case: Case, actor: Any) -> Agreement:
    """The case's agreement with its first draft, prefilled from the case: the challenge as
    background, the idea as purpose, the planning sheets' goals, target group and results, the
    public bodies and organisations as parties (public first) with the organisations' primary
    contacts. Returns the existing agreement if there is one."""
    case = lock_case(case)
    existing = Agreement.objects.filter(case=case).first()
    if existing is not None:
        return existing
    permissions.ensure_can_change_case(case, actor)
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
    agreement_event(case, actor, _("Agreement draft, version 1, started."))
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
    # A new version is a draft (the status field's default); "status" is not copied.
    version = AgreementVersion(**fields, number=number, based_on=source, created_by=actor)
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


def return_to_new_draft(step: Callable[..., None], *, actor: Any) -> AgreementVersion:
    """Send a version back for further drafting by one of its moves (the jurist's
    ``version.return_for_changes`` or the committee's ``version.refer_back``): it stays as it
    was, and a new draft continues from it. Returns the new draft."""
    return copy_version(move(step, actor=actor), actor=actor)


@transaction.atomic
def start_revision(*, case: Case, actor: Any) -> AgreementVersion:
    """In renegotiation: a new draft of the agreement in force (DOMAIN.md §3.8)."""
    case = lock_case(case)
    permissions.ensure_can_change_case(case, actor)
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
    # The new version cites the committee's decision to renegotiate that put the case here.
    version.authorising_event = renegotiation_events(case.pk).first()
    version._history_user = actor
    version.save(update_fields=["authorising_event", "updated_at"])
    agreement_event(
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
    locked = lock_version(version)
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
    locked = lock_version(version)
    ensure_editable(locked, actor)
    if locked.revision != revision:
        raise EditConflict(locked)
    locked.revision += 1
    locked._history_user = actor
    locked.save(update_fields=["revision", "updated_at"])
    return locked
