"""Check-in meetings (avstämningsmöten, DOMAIN.md §8): booked ahead (the booking is in the
calendar feed, by the meeting's stable ``uid``), recorded after they were held — who took
part from both sides, the notes and the agreed actions — or cancelled.

Each service locks the case first, checks who is asking, refuses what the parties cannot have
done (a meeting recorded before it was held, a follow-up on a closed case) with the sentence
users read (``FollowUpRefused``), writes the case's timeline and recomputes the deadlines,
so that recording the meeting closes the check-in deadline it answers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.constants import CaseEventKind
from iop.models import Case
from iop.permissions import ensure_can_change_case
from iop.services import lock_case, record_event

from ..constants import FOLLOWED_STAGES
from ..models import CheckIn, CheckInAction
from .deadlines import FollowUpRefused, active_since, closed_case_refusal, deadlines_recompute

__all__ = [
    "ActionInput",
    "MAX_DURATION_MINUTES",
    "check_in_book",
    "check_in_cancel",
    "check_in_record",
    "closed_case_refusal",
]

MAX_DURATION_MINUTES = 8 * 60


@dataclass(frozen=True)
class ActionInput:
    """An action agreed at the meeting, as typed: what, who, by when."""

    text: str
    owner: str
    due_on: datetime.date | None = None


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _locked(case: Case | int, actor: Any) -> Case:
    case = lock_case(case)
    ensure_can_change_case(case, actor)
    return case


def _check_in_of(case: Case, check_in: CheckIn | int) -> CheckIn:
    pk = check_in if isinstance(check_in, int) else check_in.pk
    return CheckIn.objects.select_for_update().get(pk=pk, case=case)


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def check_in_book(
    *,
    case: Case | int,
    actor: Any,
    starts_at: datetime.datetime | None,
    duration_minutes: int | None = 60,
    location: str = "",
    check_in: CheckIn | int | None = None,
) -> CheckIn:
    """Book a check-in meeting (or move the booking ``check_in``): when, how long, where.
    It shows in the calendar feeds of the case's officer and substitute. Refused on a case
    not in follow-up, for a time already past, and for a meeting recorded or cancelled."""
    case = _locked(case, actor)
    row = _check_in_of(case, check_in) if check_in is not None else None
    errors: dict[str, list[str]] = {}
    if case.status not in FOLLOWED_STAGES:
        _add(errors, "", closed_case_refusal())
    if row is not None and not row.is_booked:
        _add(errors, "", _("Only a booked meeting that is not recorded or cancelled can be moved."))
    if starts_at is None:
        _add(errors, "starts_at", _("Give the day and time of the meeting."))
    elif starts_at < timezone.now() - datetime.timedelta(minutes=5):
        _add(
            errors,
            "starts_at",
            _("The time has passed. Book a coming meeting, or record one that was held."),
        )
    if duration_minutes is None or not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        _add(
            errors,
            "duration_minutes",
            _("Give the length in minutes, between 1 and %(max)s.") % {"max": MAX_DURATION_MINUTES},
        )
    location = (location or "").strip()
    if len(location) > 200:
        _add(errors, "location", _("Keep the place within 200 characters."))
    if errors:
        raise FollowUpRefused(errors)
    moved = row is not None
    if row is None:
        row = CheckIn(case=case, created_by=actor)
    before = row.starts_at
    row.starts_at = starts_at
    row.duration_minutes = duration_minutes
    row.location = location
    row._history_user = actor
    row.full_clean()
    row.save()
    if moved:
        note = _("Check-in meeting moved from %(before)s to %(when)s%(where)s.") % {
            "before": _local(before) if before else "–",
            "when": _local(starts_at),
            "where": f", {location}" if location else "",
        }
    else:
        note = _("Check-in meeting booked for %(when)s%(where)s.") % {
            "when": _local(starts_at),
            "where": f", {location}" if location else "",
        }
    record_event(case=case, kind=CaseEventKind.FOLLOW_UP, actor=actor, note=note)
    return row


def _check_actions(
    actions: Sequence[ActionInput], held_on: datetime.date | None, errors: dict[str, list[str]]
) -> list[ActionInput]:
    """The actions that were typed (blank rows dropped), with the refusals per row under
    ``actions-<n>-<field>`` (the formset's prefix)."""
    kept: list[ActionInput] = []
    for n, action in enumerate(actions):
        text = (action.text or "").strip()
        owner = (action.owner or "").strip()
        if not text and not owner and action.due_on is None:
            continue
        if not text:
            _add(errors, f"actions-{n}-text", _("Say what was agreed."))
        elif len(text) > 500:
            _add(errors, f"actions-{n}-text", _("Keep the action within 500 characters."))
        if not owner:
            _add(errors, f"actions-{n}-owner", _("Say who does it."))
        elif len(owner) > 200:
            _add(errors, f"actions-{n}-owner", _("Keep the name within 200 characters."))
        if action.due_on is not None and held_on is not None and action.due_on < held_on:
            _add(errors, f"actions-{n}-due_on", _("The date is before the meeting."))
        kept.append(ActionInput(text=text, owner=owner, due_on=action.due_on))
    return kept


@transaction.atomic
def check_in_record(
    *,
    case: Case | int,
    actor: Any,
    held_on: datetime.date | None,
    participants_public: str,
    participants_organisation: str,
    notes: str,
    actions: Sequence[ActionInput] = (),
    check_in: CheckIn | int | None = None,
) -> CheckIn:
    """Record a check-in meeting that was held: the booked one (``check_in``), or one that was
    not booked; recording a recorded one again corrects it (its history keeps each version).
    The agreed actions replace the meeting's actions, in the order given. Closes the check-in
    deadline the meeting answers. Refused on a case not in follow-up, for a date after today
    or before the partnership became active, without participants from both sides or notes,
    and for a cancelled meeting."""
    case = _locked(case, actor)
    row = _check_in_of(case, check_in) if check_in is not None else None
    errors: dict[str, list[str]] = {}
    if case.status not in FOLLOWED_STAGES:
        _add(errors, "", closed_case_refusal())
    if row is not None and row.cancelled:
        _add(errors, "", _("The meeting was cancelled; record the meeting that was held instead."))
    today = timezone.localdate()
    since = active_since(case)
    if held_on is None:
        _add(errors, "held_on", _("Give the day the meeting was held."))
    elif held_on > today:
        _add(
            errors,
            "held_on",
            _("The meeting cannot be recorded before it is held: the date is after today."),
        )
    elif since is not None and held_on < since:
        _add(
            errors,
            "held_on",
            _(
                "The date is before the partnership became active (%(date)s). Record an "
                "earlier follow-up instead."
            )
            % {"date": since.isoformat()},
        )
    participants_public = (participants_public or "").strip()
    participants_organisation = (participants_organisation or "").strip()
    notes = (notes or "").strip()
    if not participants_public:
        _add(errors, "participants_public", _("Name who took part for the public body."))
    if not participants_organisation:
        _add(errors, "participants_organisation", _("Name who took part for the organisation."))
    if not notes:
        _add(errors, "notes", _("Write what was discussed at the meeting."))
    kept = _check_actions(actions, held_on, errors)
    if errors:
        raise FollowUpRefused(errors)
    correction = row is not None and row.is_held
    if row is None:
        row = CheckIn(case=case, created_by=actor)
    row.held_on = held_on
    row.participants_public = participants_public
    row.participants_organisation = participants_organisation
    row.notes = notes
    row._history_user = actor
    row.full_clean()
    row.save()
    _replace_actions(row, kept, actor)
    if correction:
        note = _("Check-in meeting of %(date)s corrected.") % {"date": held_on.isoformat()}
    else:
        note = _("Check-in meeting held %(date)s recorded, with %(count)s agreed actions.") % {
            "date": held_on.isoformat(),
            "count": len(kept),
        }
    record_event(case=case, kind=CaseEventKind.FOLLOW_UP, actor=actor, note=note)
    deadlines_recompute(case, actor=actor)
    return row


def _replace_actions(row: CheckIn, actions: list[ActionInput], actor: Any) -> None:
    """Bring the meeting's actions in line with ``actions``: a row per position is updated
    when it changed, new ones added and the rest deleted — each change in the history."""
    existing = list(CheckInAction.objects.select_for_update().filter(check_in=row))
    by_position = {a.position: a for a in existing}
    for position, action in enumerate(actions, start=1):
        current = by_position.pop(position, None)
        if current is None:
            current = CheckInAction(check_in=row, position=position)
        elif (current.text, current.owner, current.due_on) == (
            action.text,
            action.owner,
            action.due_on,
        ):
            continue
        current.text, current.owner, current.due_on = action.text, action.owner, action.due_on
        current._history_user = actor
        current.save()
    for extra in by_position.values():
        extra._history_user = actor
        extra.delete()


@transaction.atomic
def check_in_cancel(
    *, check_in: CheckIn | int, actor: Any, reason: str = "", case: Case | int | None = None
) -> CheckIn:
    """Cancel a booked meeting (it leaves the calendar feed); the check-in deadline stays open.
    Refused for a meeting already recorded or cancelled, and on a case not in follow-up."""
    if case is None:
        pk = check_in if isinstance(check_in, int) else check_in.pk
        case = CheckIn.objects.values_list("case_id", flat=True).get(pk=pk)
    case = _locked(case, actor)
    row = _check_in_of(case, check_in)
    errors: dict[str, list[str]] = {}
    if case.status not in FOLLOWED_STAGES:
        _add(errors, "", closed_case_refusal())
    if row.is_held:
        _add(errors, "", _("The meeting is recorded as held and cannot be cancelled."))
    elif row.cancelled:
        _add(errors, "", _("The meeting is already cancelled."))
    reason = (reason or "").strip()
    if len(reason) > 300:
        _add(errors, "reason", _("Keep the reason within 300 characters."))
    if errors:
        raise FollowUpRefused(errors)
    row.cancelled = True
    row.cancelled_reason = reason
    row._history_user = actor
    row.save()
    when = _local(row.starts_at) if row.starts_at else "–"
    note = _("Check-in meeting of %(when)s cancelled.") % {"when": when}
    if reason:
        note = f"{note} {_('Reason: %(reason)s') % {'reason': reason}}"
    record_event(case=case, kind=CaseEventKind.FOLLOW_UP, actor=actor, note=note)
    return row
