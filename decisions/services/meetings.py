"""The committee's meetings and their agendas, kept by the secretary."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.constants import CaseEventKind
from iop.exceptions import TransitionForbidden
from iop.permissions import RECORD_DECISION
from iop.services import lock_case, record_event

from ..constants import MatterStatus
from ..models import AgendaItem, Matter, Meeting
from .common import MatterRefused, stamp


@transaction.atomic
def remove_from_agenda(*, item: AgendaItem, actor: Any, reason: str = "") -> None:
    """Take a matter off its meeting's agenda (the history keeps that it was there); the
    items after it move up one place."""
    case = lock_case(item.matter.case_id)
    item = (
        AgendaItem.objects.select_for_update().select_related("meeting", "matter").get(pk=item.pk)
    )
    meeting = item.meeting
    note = _("Taken off the agenda of %(meeting)s") % {"meeting": meeting}
    if reason:
        note = f"{note}: {reason}"
    stamp(item, actor)
    item.delete()
    _close_gaps(meeting, actor)
    record_event(case=case, kind=CaseEventKind.MATTER, actor=actor, note=note)


def may_keep_meetings(user: Any) -> bool:
    """The committee secretary (and the administrator) keeps the meetings and their agendas."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm(RECORD_DECISION))
    )


def ensure_secretary(actor: Any) -> None:
    if not may_keep_meetings(actor):
        raise TransitionForbidden([_("Only a committee secretary may do this.")])


def agenda_refusals(matter: Matter, meeting: Meeting) -> list[str]:
    reasons = []
    if matter.status != MatterStatus.FINAL:
        reasons.append(_("Only a final matter can be put on an agenda."))
    if hasattr(matter, "decision"):
        reasons.append(_("The committee has already decided this matter."))
    if matter.committee_id != meeting.committee_id:
        reasons.append(_("The matter belongs to another committee."))
    if meeting.date < timezone.localdate():
        reasons.append(_("The meeting has already been held."))
    return reasons


@transaction.atomic
def create_meeting(
    *,
    actor: Any,
    committee: Any,
    date: datetime.date,
    starts_at: datetime.time,
    place: str,
    matters_deadline: datetime.date,
) -> Meeting:
    """The secretary adds a meeting of ``committee``. A new agenda is for a meeting to come:
    a date before today is refused, and the last day for matters is on or before it."""
    ensure_secretary(actor)
    errors: dict[str, list[str]] = {}
    if date < timezone.localdate():
        errors["date"] = [_("A new meeting cannot be before today.")]
    if matters_deadline > date:
        errors["matters_deadline"] = [
            _("The last day for matters must be on or before the meeting.")
        ]
    if Meeting.objects.filter(committee=committee, date=date, starts_at=starts_at).exists():
        errors["date"] = [_("The committee already has a meeting at that time.")]
    if errors:
        raise ValidationError(errors)
    meeting = Meeting(
        committee=committee,
        date=date,
        starts_at=starts_at,
        place=place.strip(),
        matters_deadline=matters_deadline,
        created_by=actor,
    )
    meeting.full_clean()
    stamp(meeting, actor)
    meeting.save()
    return meeting


@transaction.atomic
def add_to_agenda(*, matter: Matter, meeting: Meeting, actor: Any) -> AgendaItem:
    """Put a final, undecided matter last on the meeting's agenda (or move it there from the
    agenda of another meeting)."""
    ensure_secretary(actor)
    case = lock_case(matter.case_id)
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    reasons = agenda_refusals(matter, meeting)
    if reasons:
        raise MatterRefused(reasons)
    last = meeting.items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.filter(matter=matter).select_for_update().first()
    if item is not None and item.meeting_id == meeting.pk:
        return item
    moved_from = item.meeting if item is not None else None
    if item is None:
        item = AgendaItem(matter=matter, meeting=meeting, position=last + 1, added_by=actor)
    else:
        item.meeting, item.position = meeting, last + 1
    stamp(item, actor)
    item.save()
    if moved_from is not None:
        _close_gaps(moved_from, actor)
        note = _("Moved from the agenda of %(old)s to %(new)s") % {
            "old": moved_from,
            "new": meeting,
        }
    else:
        note = _("Put on the agenda of %(meeting)s") % {"meeting": meeting}
    record_event(case=case, kind=CaseEventKind.MATTER, actor=actor, note=note)
    return item


def _close_gaps(meeting: Meeting, actor: Any) -> None:
    """Number the meeting's agenda 1, 2, 3 … again after an item left it."""
    for position, item in enumerate(
        AgendaItem.objects.select_for_update().filter(meeting=meeting).order_by("position", "pk"),
        start=1,
    ):
        if item.position != position:
            item.position = position
            stamp(item, actor)
            item.save(update_fields=["position"])


def _ensure_to_come(meeting: Meeting) -> None:
    if meeting.date < timezone.localdate():
        raise MatterRefused([_("The meeting has already been held.")])


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, actor: Any, item_ids: list[int]) -> list[AgendaItem]:
    """Put the meeting's agenda in the order of ``item_ids`` (every item of the agenda, once).
    Each matter whose place changed gets an entry in its case's timeline."""
    ensure_secretary(actor)
    case_ids = sorted(
        AgendaItem.objects.filter(meeting=meeting).values_list("matter__case_id", flat=True)
    )
    cases = {case_id: lock_case(case_id) for case_id in dict.fromkeys(case_ids)}
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _ensure_to_come(meeting)
    items = {
        item.pk: item
        for item in AgendaItem.objects.select_for_update()
        .filter(meeting=meeting)
        .select_related("matter")
    }
    wanted = [int(pk) for pk in item_ids]
    if sorted(wanted) != sorted(items) or len(set(wanted)) != len(wanted):
        raise MatterRefused(
            [_("The agenda has changed since the page was opened. Reload it and try again.")]
        )
    ordered = []
    for position, pk in enumerate(wanted, start=1):
        item = items[pk]
        if item.position != position:
            item.position = position
            stamp(item, actor)
            item.save(update_fields=["position"])
            record_event(
                case=cases[item.matter.case_id],
                kind=CaseEventKind.MATTER,
                actor=actor,
                note=_("Now item %(n)s on the agenda of %(meeting)s")
                % {"n": position, "meeting": meeting},
            )
        ordered.append(item)
    return ordered


UP, DOWN = "up", "down"


def agenda_move(*, item: AgendaItem, actor: Any, direction: str) -> list[AgendaItem]:
    """Move an agenda item one place up or down (the first cannot go up, nor the last down:
    then nothing changes)."""
    ids = list(
        AgendaItem.objects.filter(meeting_id=item.meeting_id)
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )
    index = ids.index(item.pk)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return agenda_reorder(meeting=item.meeting, actor=actor, item_ids=ids)


def later_meetings(meeting: Meeting) -> Any:
    """The meetings of the same committee after ``meeting`` that have not been held."""
    return Meeting.objects.filter(
        Q(date__gt=meeting.date) | Q(date=meeting.date, starts_at__gt=meeting.starts_at),
        committee_id=meeting.committee_id,
        date__gte=timezone.localdate(),
    ).order_by("date", "starts_at", "pk")


@transaction.atomic
def agenda_move_to_later(*, item: AgendaItem, meeting: Meeting, actor: Any) -> AgendaItem:
    """Move a matter from its meeting's agenda to a later meeting of the same committee (last
    on that agenda). An earlier meeting, one already held, or another committee's is refused."""
    ensure_secretary(actor)
    current = Meeting.objects.get(pk=item.meeting_id)
    target = Meeting.objects.get(pk=meeting.pk)
    if target.committee_id != current.committee_id:
        raise MatterRefused([_("The matter can only move to a meeting of the same committee.")])
    if (target.date, target.starts_at) <= (current.date, current.starts_at):
        raise MatterRefused([_("The matter can only move to a later meeting.")])
    _ensure_to_come(target)
    return add_to_agenda(matter=item.matter, meeting=target, actor=actor)


@transaction.atomic
def update_meeting(
    *,
    meeting: Meeting,
    actor: Any,
    date: datetime.date,
    starts_at: datetime.time,
    place: str,
    matters_deadline: datetime.date,
) -> Meeting:
    """Change a meeting still to come (its date, time, place or last day for matters); a
    meeting already held is kept as it was. Refusals per field, as ``create_meeting``."""
    ensure_secretary(actor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    today = timezone.localdate()
    if meeting.date < today:
        raise MatterRefused([_("The meeting has already been held and cannot be changed.")])
    errors: dict[str, list[str]] = {}
    if date < today:
        errors["date"] = [_("A meeting cannot be moved to a day before today.")]
    if matters_deadline > date:
        errors["matters_deadline"] = [
            _("The last day for matters must be on or before the meeting.")
        ]
    if (
        Meeting.objects.filter(committee_id=meeting.committee_id, date=date, starts_at=starts_at)
        .exclude(pk=meeting.pk)
        .exists()
    ):
        errors["date"] = [_("The committee already has a meeting at that time.")]
    if errors:
        raise ValidationError(errors)
    meeting.date, meeting.starts_at = date, starts_at
    meeting.place, meeting.matters_deadline = place.strip(), matters_deadline
    meeting.full_clean()
    stamp(meeting, actor)
    meeting.save()
    return meeting


def ready_matters(committee: Any = None) -> Any:
    """The final matters the committee has not decided that are on no agenda (what the
    secretary puts on one), of ``committee`` or of every committee."""
    matters = Matter.objects.filter(
        status=MatterStatus.FINAL, decision__isnull=True, agenda_item__isnull=True
    )
    if committee is not None:
        matters = matters.filter(committee=committee)
    return matters
