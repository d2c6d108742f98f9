"""What the committee's spoke tells and does for the other spokes, through the hub
(``iop.facts``): the case's recorded decisions, and preparing a matter on request (the
follow-up report's one click, the notice's ending matter)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from iop.facts import DecisionFacts, MatterNotPrepared, MatterRequest, PreparedMatter
from iop.models import Case
from iop.permissions import ensure_can_change_case
from iop.services import lock_case

from .constants import MatterKind, MatterStatus, Outcome
from .models import Decision, Matter
from .services import matter_prepare, matter_update, open_matters
from .services.common import MatterRefused
from .services.matters import ensure_stage_fits, matter_points_regenerate
from .services.recording import decision_reference


def decision_facts(case: Case) -> tuple[DecisionFacts, ...]:
    decisions = (
        Decision.objects.filter(matter__case=case)
        .select_related("matter", "meeting", "meeting__committee")
        .order_by("meeting__date", "pk")
    )
    return tuple(
        DecisionFacts(
            decision_id=d.pk,
            kind=d.matter.kind,
            approves=Outcome(d.outcome).approves,
            decided_on=d.meeting.date,
            reference=decision_reference(d.meeting, d.paragraph),
            url=d.matter.get_absolute_url(),
        )
        for d in decisions
    )


FOLLOW_UP_FIELDS = {
    "cooperation": "follow_up_cooperation",
    "background": "follow_up_background",
    "contributions": "follow_up_contributions",
    "goal_fulfilment": "follow_up_goal_fulfilment",
    "development": "follow_up_development",
}


# The two kinds a follow-up report asks for; a case has at most one of them open.
FOLLOW_UP_KINDS = (MatterKind.FOLLOW_UP, MatterKind.FOLLOW_UP_RENEGOTIATION)


def _kind_of(request: MatterRequest) -> MatterKind:
    kind = MatterKind(request.kind)
    if request.amount_change is not None and kind == MatterKind.FOLLOW_UP:
        return MatterKind.FOLLOW_UP_RENEGOTIATION
    return kind


def _refuse_other_follow_up(case: Case, kind: MatterKind) -> None:
    """A follow-up report asks for one matter: not a second follow-up matter beside an open
    one of the other follow-up kind (with or without renegotiation)."""
    if kind not in FOLLOW_UP_KINDS:
        return
    other = open_matters(case).filter(kind__in=FOLLOW_UP_KINDS).exclude(kind=kind).first()
    if other is not None:
        raise MatterRefused(
            [
                _(
                    "The case already has an open matter «%(title)s» (%(kind)s); finish or replace it before another follow-up matter is prepared."
                )
                % {"title": other.title, "kind": other.matter_kind.label}
            ]
        )


def _fill_in(matter: Matter, *, case: Case, actor: Any, request: MatterRequest) -> Matter:
    """The open draft of the kind asked for, filled in: the amounts and the end date the
    request gives (then the decision points are generated afresh from them), and the
    follow-up attachment's five texts."""
    if matter.status != MatterStatus.DRAFT:
        raise MatterRefused(
            [
                _(
                    "The committee matter of this kind is already final; make a new version of it to change its texts."
                )
            ]
        )
    ensure_stage_fits(case, matter.matter_kind)
    changes: dict[str, Any] = {}
    if matter.matter_kind.changes_amount:
        if request.amount_change is not None and request.amount_change != matter.amount_change:
            changes["amount_change"] = request.amount_change
        if request.change_from is not None and request.change_from != matter.change_from:
            changes["change_from"] = request.change_from
    ending = matter.matter_kind == MatterKind.ENDING
    if ending and request.end_date is not None and request.end_date != matter.end_date:
        changes["end_date"] = request.end_date
    if request.follow_up is not None and matter.matter_kind.has_follow_up:
        for attribute, field in FOLLOW_UP_FIELDS.items():
            changes[field] = getattr(request.follow_up, attribute)
    if changes:
        matter = matter_update(matter=matter, actor=actor, **changes)
    if {"amount_change", "change_from", "end_date"} & set(changes):
        matter_points_regenerate(matter=matter, actor=actor)
        matter = Matter.objects.get(pk=matter.pk)
    return matter


@transaction.atomic
def prepare_requested_matter(*, case: Case, actor: Any, request: MatterRequest) -> PreparedMatter:
    """Prepare the matter ``request`` asks for — a follow-up with an amount change is the
    follow-up and renegotiation matter — or fill in the open draft of that kind. Its
    follow-up attachment gets the report's five texts, its decision points the amount or the
    end date. Only someone who may change the case asks (``TransitionForbidden``); the
    committee's refusals (the stage, a final or conflicting open matter, a missing amount)
    come as ``MatterNotPrepared`` and change nothing."""
    case = lock_case(case)
    ensure_can_change_case(case, actor)
    kind = _kind_of(request)
    try:
        _refuse_other_follow_up(case, kind)
        existing = open_matters(case).filter(kind=kind).first()
        if existing is None:
            matter = matter_prepare(
                case=case,
                actor=actor,
                kind=kind,
                amount_change=request.amount_change,
                change_from=request.change_from,
                end_date=request.end_date,
            )
            if request.follow_up is not None and kind.has_follow_up:
                matter = matter_update(
                    matter=matter,
                    actor=actor,
                    **{
                        field: getattr(request.follow_up, attribute)
                        for attribute, field in FOLLOW_UP_FIELDS.items()
                    },
                )
        else:
            matter = _fill_in(existing, case=case, actor=actor, request=request)
    except MatterRefused as refused:
        raise MatterNotPrepared(refused.reasons) from refused
    return PreparedMatter(
        matter_id=matter.pk,
        title=matter.title,
        url=matter.get_absolute_url(),
        created=existing is None,
    )
