"""Preparing a committee matter: drafted from the case, edited while a draft, made final
(frozen and registered), replaced by a new version."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.constants import CaseEventKind, CaseStatus, DocumentDirection
from iop.models import Case
from iop.permissions import can_change_case, ensure_can_change_case, refusal
from iop.services import lock_case, record_event
from iop.services.diarium import diarium_attach, diarium_register
from partners.users import display_name

from .. import wording
from ..constants import DocumentRole, MatterKind, MatterStatus
from ..models import DecisionPoint, Matter, MatterDocument, MatterPerspective, PerspectiveHeading
from .common import EditConflict, MatterRefused, diarium_kind, lock_matter, stamp

# The stages in which a matter of each kind may be prepared.
STAGES: dict[MatterKind, frozenset[str]] = {
    MatterKind.NEW_IOP: frozenset(
        {CaseStatus.DRAFTING, CaseStatus.LEGAL_REVIEW, CaseStatus.AWAITING_DECISION}
    ),
    MatterKind.FOLLOW_UP: frozenset({CaseStatus.ACTIVE, CaseStatus.RENEGOTIATION}),
    MatterKind.RENEGOTIATION: frozenset({CaseStatus.ACTIVE}),
    MatterKind.FOLLOW_UP_RENEGOTIATION: frozenset({CaseStatus.ACTIVE}),
    MatterKind.ENDING: frozenset({CaseStatus.NOTICE_GIVEN}),
}

# The fields of a draft the officer edits (the form's fields).
EDITABLE_FIELDS = (
    "title",
    "summary",
    "background",
    "economic_consequences",
    "send_to",
    "officer_name",
    "officer_title",
    "signing_official_name",
    "signing_official_title",
    "amount_public_body",
    "amount_change",
    "change_from",
    "end_date",
    "wind_down_plan",
    "follow_up_cooperation",
    "follow_up_background",
    "follow_up_contributions",
    "follow_up_goal_fulfilment",
    "follow_up_development",
    "renegotiation_needs",
    "renegotiation_consequences",
    "partner_request",
    "partner_request_file",
    "include_agreement",
)


def open_matters(case: Case) -> Any:
    """The case's matters not yet decided and not replaced."""
    return Matter.objects.filter(case=case, decision__isnull=True).exclude(
        status=MatterStatus.REPLACED
    )


def _job_title(user: Any) -> str:
    # A missing profile row raises RelatedObjectDoesNotExist, an AttributeError: getattr's
    # default covers it.
    profile = getattr(user, "staff_profile", None)
    return profile.job_title if profile else ""


def _send_to(case: Case, kind: MatterKind) -> str:
    recipients = [o.name for o in case.organisations.all()]
    recipients.append(_("The case officer, %(name)s") % {"name": display_name(case.officer)})
    if kind != MatterKind.FOLLOW_UP:
        recipients.append(_("Finance (administrative support)"))
    recipients.append(_("The IOP coordinator"))
    return "\n".join(recipients)


def draft_matter(
    *,
    case: Case,
    actor: Any,
    kind: MatterKind | str,
    amount_change: Decimal | None = None,
    change_from: datetime.date | None = None,
    amount_public_body: Any = None,
    end_date: datetime.date | None = None,
) -> Matter:
    """A new draft matter of ``kind`` for ``case``, every text prefilled from the case and
    its agreement. The caller holds the case's lock and has checked who asks."""
    kind = MatterKind(kind)
    facts = wording.facts_of(case)
    public_body = amount_public_body or case.public_body
    active = Case.objects.filter(committee=case.committee, status=CaseStatus.ACTIVE).count()
    matter = Matter(
        case=case,
        committee=case.committee,
        kind=kind,
        title=wording.matter_title(case=case, kind=kind, facts=facts),
        summary=case.idea_description,
        background=case.societal_challenge,
        economic_consequences=wording.economic_consequences(
            kind=kind,
            facts=facts,
            public_body_id=public_body.pk,
            amount_change=amount_change,
            change_from=change_from,
        ),
        send_to=_send_to(case, kind),
        officer_name=display_name(case.officer),
        officer_title=_job_title(case.officer),
        signing_official_name=case.committee.signing_official_name,
        signing_official_title=case.committee.signing_official_title,
        amount_public_body=public_body if kind.changes_amount else None,
        amount_change=amount_change if kind.changes_amount else None,
        change_from=change_from if kind.changes_amount else None,
        end_date=end_date if kind == MatterKind.ENDING else None,
        include_agreement=kind in (MatterKind.NEW_IOP, MatterKind.RENEGOTIATION)
        or kind == MatterKind.FOLLOW_UP_RENEGOTIATION,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if kind.has_follow_up:
        matter.follow_up_cooperation = wording.cooperation_text(case, active)
        matter.follow_up_background = wording.background_text(case, facts)
        matter.follow_up_contributions = wording.contributions_text(facts)
    stamp(matter, actor)
    matter.save()
    _write_points(matter, facts=facts, actor=actor)
    headings = PerspectiveHeading.objects.filter(public_body=case.public_body, is_active=True)
    for position, heading in enumerate(headings, start=1):
        perspective = MatterPerspective(matter=matter, position=position, heading=heading.heading)
        stamp(perspective, actor)
        perspective.save()
    record_event(
        case=case,
        kind=CaseEventKind.MATTER,
        actor=actor,
        note=_("Matter for %(committee)s drafted: %(title)s")
        % {"committee": case.committee.name, "title": matter.title},
    )
    return matter


def _write_points(matter: Matter, *, facts: Any, actor: Any) -> None:
    points = wording.decision_points(
        case=matter.case,
        kind=matter.matter_kind,
        facts=facts,
        amount_change=matter.amount_change,
        change_from=matter.change_from,
        end_date=matter.end_date,
    )
    for position, point in enumerate(points, start=1):
        row = DecisionPoint(matter=matter, position=position, key=point.key, text=point.text)
        stamp(row, actor)
        row.save()


def ensure_stage_fits(case: Case, kind: MatterKind) -> None:
    """A matter of ``kind`` is prepared only at the stages it fits (``STAGES``)."""
    if case.status not in STAGES[kind]:
        raise MatterRefused(
            [
                _("A matter of the kind «%(kind)s» cannot be prepared at the stage «%(stage)s».")
                % {"kind": kind.label, "stage": case.get_status_display()}
            ]
        )


@transaction.atomic
def matter_prepare(
    *,
    case: Case,
    actor: Any,
    kind: MatterKind | str,
    amount_change: Decimal | None = None,
    change_from: datetime.date | None = None,
    amount_public_body: Any = None,
    end_date: datetime.date | None = None,
) -> Matter:
    """The case officer prepares a matter for the committee. Refused for a stage the kind
    does not fit, and while the case has an open matter of the same kind."""
    kind = MatterKind(kind)
    case = lock_case(case)
    ensure_can_change_case(case, actor)
    ensure_stage_fits(case, kind)
    if open_matters(case).filter(kind=kind).exists():
        raise MatterRefused(
            [_("The case already has an open matter of this kind; edit that one instead.")]
        )
    if kind.changes_amount and (amount_change is None or change_from is None):
        raise MatterRefused(
            [_("A renegotiation needs the change per full year and the date it starts from.")]
        )
    if kind.changes_amount and amount_change == 0:
        raise MatterRefused([_("The change per full year must not be zero.")])
    if kind.changes_amount and amount_public_body is not None:
        body_id = amount_public_body.pk
        if body_id != case.public_body_id and not case.public_bodies.filter(pk=body_id).exists():
            raise MatterRefused(
                [_("The public party whose amount changes must be a party of the case.")]
            )
    return draft_matter(
        case=case,
        actor=actor,
        kind=kind,
        amount_change=amount_change,
        change_from=change_from,
        amount_public_body=amount_public_body,
        end_date=end_date,
    )


def ensure_draft(matter: Matter) -> None:
    if matter.status == MatterStatus.REPLACED:
        raise MatterRefused(
            [_("This version of the matter has been replaced by a newer one and cannot be edited.")]
        )
    if matter.status != MatterStatus.DRAFT:
        raise MatterRefused(
            [_("The matter is final and can no longer be edited; make a new version to change it.")]
        )


def ensure_revision(matter: Matter, revision: int | None) -> None:
    """``revision`` is the one the form was opened on: someone saved since → EditConflict."""
    if revision is not None and revision != matter.revision:
        raise EditConflict(matter)


def ensure_can_prepare(matter: Matter, actor: Any) -> None:
    ensure_can_change_case(matter.case, actor)


@transaction.atomic
def matter_update(
    *, matter: Matter, actor: Any, revision: int | None = None, **fields: Any
) -> Matter:
    """Save the officer's edits of a draft. ``revision`` is the one the form was opened on:
    if someone saved since, ``EditConflict`` carries what they saved and nothing changes."""
    case, locked = lock_matter(matter)
    ensure_can_change_case(case, actor)
    ensure_draft(locked)
    ensure_revision(locked, revision)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["case", "committee", "replaces", "created_by", "finalised_by"])
    locked.revision += 1
    stamp(locked, actor)
    locked.save()
    return locked


@transaction.atomic
def matter_points_save(
    *, matter: Matter, actor: Any, texts: list[str], revision: int | None = None
) -> list[DecisionPoint]:
    """Replace the draft's decision points by ``texts`` (empty ones dropped), numbered in
    order. A point whose text is unchanged keeps its row (and its history). ``revision`` as
    in ``matter_update``."""
    case, locked = lock_matter(matter)
    ensure_can_change_case(case, actor)
    ensure_draft(locked)
    ensure_revision(locked, revision)
    texts = [t.strip() for t in texts if t and t.strip()]
    existing = list(locked.points.order_by("position", "pk"))
    kept: list[DecisionPoint] = []
    for position, text in enumerate(texts, start=1):
        row = existing[position - 1] if position <= len(existing) else None
        if row is None:
            row = DecisionPoint(matter=locked, position=position, text=text)
        elif row.text == text and row.position == position:
            kept.append(row)
            continue
        else:
            row.position, row.text = position, text
        stamp(row, actor)
        row.save()
        kept.append(row)
    for row in existing[len(texts) :]:
        stamp(row, actor)
        row.delete()
    locked.revision += 1
    stamp(locked, actor)
    locked.save(update_fields=["revision", "updated_at"])
    return kept


@transaction.atomic
def matter_points_regenerate(
    *, matter: Matter, actor: Any, revision: int | None = None
) -> list[DecisionPoint]:
    """Generate the points afresh from the case and the matter's amounts and dates (as saved
    now, read under the lock: the caller's copy may be older)."""
    case, locked = lock_matter(matter)
    ensure_can_change_case(case, actor)
    ensure_draft(locked)
    ensure_revision(locked, revision)
    points = wording.decision_points(
        case=case,
        kind=locked.matter_kind,
        facts=wording.facts_of(case),
        amount_change=locked.amount_change,
        change_from=locked.change_from,
        end_date=locked.end_date,
    )
    return matter_points_save(matter=locked, actor=actor, texts=[p.text for p in points])


@transaction.atomic
def matter_perspective_save(*, perspective: MatterPerspective, actor: Any, text: str) -> None:
    """Save the text under one perspective heading of a draft; an unchanged text writes
    nothing (no empty history row)."""
    case, locked = lock_matter(perspective.matter_id)
    ensure_can_change_case(case, actor)
    ensure_draft(locked)
    perspective = MatterPerspective.objects.get(pk=perspective.pk, matter=locked)
    text = text.strip()
    if perspective.text == text:
        return
    perspective.text = text
    stamp(perspective, actor)
    perspective.save()


def finalise_refusals(matter: Matter) -> list[str]:
    """Why the draft cannot be made final yet (empty when it can)."""
    reasons = []
    if not matter.points.exists():
        reasons.append(_("The matter must have at least one decision point."))
    if not matter.title.strip():
        reasons.append(_("The matter must have a title."))
    kind = matter.matter_kind
    if kind.changes_amount and (matter.amount_change is None or matter.change_from is None):
        reasons.append(
            _("A renegotiation needs the change per full year and the date it starts from.")
        )
    if kind.changes_amount and not matter.renegotiation_needs.strip():
        reasons.append(_("The renegotiation attachment must state the needs and reasons."))
    if kind.has_follow_up and not matter.follow_up_goal_fulfilment.strip():
        reasons.append(_("The follow-up attachment must describe the goal fulfilment and effects."))
    if kind == MatterKind.ENDING and matter.end_date is None:
        reasons.append(_("Ending the partnership needs the day it ends."))
    return reasons


def document_plan(matter: Matter) -> list[tuple[DocumentRole, str]]:
    """The documents a final matter prints, in order: the tjänsteskrivelse, then the
    attachments numbered Bilaga 1, 2 …"""
    kind = matter.matter_kind
    plan = [(DocumentRole.REPORT, _("Tjänsteskrivelse: %(title)s") % {"title": matter.title})]
    if kind.has_follow_up:
        plan.append((DocumentRole.FOLLOW_UP, _("Follow-up of the IOP")))
    if kind.changes_amount:
        plan.append((DocumentRole.RENEGOTIATION, _("Renegotiation of the IOP")))
        if matter.partner_request_file:
            plan.append((DocumentRole.PARTNER_REQUEST, _("The partner's request")))
    if matter.include_agreement and wording.facts_of(matter.case) is not None:
        plan.append((DocumentRole.AGREEMENT, _("The agreement")))
    if kind == MatterKind.ENDING:
        plan.append((DocumentRole.WIND_DOWN, _("Wind-down plan")))
    return plan


@transaction.atomic
def matter_finalise(*, matter: Matter, actor: Any) -> Matter:
    """Make the draft final: its text is frozen, and the tjänsteskrivelse and each attachment
    are registered in the diarium in this transaction; their PDFs are printed in the
    background (``decisions.tasks.render_matter_documents``)."""
    case, locked = lock_matter(matter)
    ensure_can_change_case(case, actor)
    ensure_draft(locked)
    reasons = finalise_refusals(locked)
    if reasons:
        raise MatterRefused(reasons)
    locked.status = MatterStatus.FINAL
    locked.finalised_at = timezone.now()
    locked.finalised_by = actor if getattr(actor, "pk", None) else None
    locked.revision += 1
    stamp(locked, actor)
    locked.save()
    attachment = 0
    for role, title in document_plan(locked):
        number = None
        if role != DocumentRole.REPORT:
            attachment += 1
            number = attachment
        direction = (
            DocumentDirection.INCOMING
            if role == DocumentRole.PARTNER_REQUEST
            else DocumentDirection.DRAWN_UP
        )
        label = (
            title
            if number is None
            else _("Attachment %(n)s: %(title)s")
            % {
                "n": number,
                "title": title,
            }
        )
        entry = diarium_register(
            case=case,
            actor=actor,
            kind=diarium_kind(role),
            description=label,
            direction=direction,
            counterpart=", ".join(o.name for o in case.organisations.all())
            if direction == DocumentDirection.INCOMING
            else "",
            event=False,
        )
        document = MatterDocument(
            matter=locked,
            role=role,
            attachment_number=number,
            title=title,
            registry_entry=entry,
        )
        stamp(document, actor)
        document.save()
        diarium_attach(entry=entry, document=document)
    record_event(
        case=case,
        kind=CaseEventKind.MATTER,
        actor=actor,
        note=_("Matter made final and registered: %(title)s") % {"title": locked.title},
    )
    from ..tasks import schedule_matter_documents

    schedule_matter_documents(locked.pk)
    return locked


COPIED = (*EDITABLE_FIELDS, "kind", "committee_id", "case_id")


@transaction.atomic
def matter_new_version(*, matter: Matter, actor: Any) -> Matter:
    """Replace a final, undecided matter by a new draft version with the same text: the final
    one is kept as it was (and its documents), marked replaced, and leaves the agenda."""
    case, locked = lock_matter(matter)
    ensure_can_change_case(case, actor)
    if locked.status != MatterStatus.FINAL:
        raise MatterRefused([_("Only a final matter is replaced by a new version.")])
    if hasattr(locked, "decision"):
        raise MatterRefused([_("The committee has decided this matter; it cannot be replaced.")])
    new = Matter(
        **{name: getattr(locked, name) for name in COPIED},
        version=locked.version + 1,
        replaces=locked,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    stamp(new, actor)
    new.save()
    for point in locked.points.order_by("position", "pk"):
        row = DecisionPoint(matter=new, position=point.position, key=point.key, text=point.text)
        stamp(row, actor)
        row.save()
    for perspective in locked.perspectives.order_by("position", "pk"):
        row = MatterPerspective(
            matter=new,
            position=perspective.position,
            heading=perspective.heading,
            text=perspective.text,
        )
        stamp(row, actor)
        row.save()
    locked.status = MatterStatus.REPLACED
    stamp(locked, actor)
    locked.save()
    item = getattr(locked, "agenda_item", None)
    if item is not None:
        from .meetings import remove_from_agenda

        remove_from_agenda(
            item=item, actor=actor, reason=_("replaced by version %(n)s") % {"n": new.version}
        )
    record_event(
        case=case,
        kind=CaseEventKind.MATTER,
        actor=actor,
        note=_("New version %(n)s of the matter drafted: %(title)s")
        % {"n": new.version, "title": new.title},
    )
    return new


def may_prepare(case: Case, user: Any) -> bool:
    return can_change_case(case, user)


PREPARE_REFUSAL = refusal(can_change_case)
