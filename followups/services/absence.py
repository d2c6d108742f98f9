"""Absences: while a member of staff is away, the reminders of the cases they own go to each
case's substitute (or, without one, to the IOP coordinators) — see ``services.reminders``.

A member of staff registers their own absence; the IOP coordinator registers anyone's (the
sick leave someone could not register themselves). Absences of one person never overlap.
Ending one early (back sooner) keeps the row, with when it ended, for the history.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from iop import permissions
from iop.services.notifications import notify
from partners.users import display_name

from ..models import Absence
from .deadlines import FollowUpRefused

__all__ = [
    "absence_end",
    "absence_register",
    "absences_overlapping",
    "may_register_absences",
    "may_register_for_others",
]


def may_register_absences(user: Any) -> bool:
    """Those who get reminders: the case officers and the IOP coordinators."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.has_perm(permissions.HANDLE_CASE) or permissions.is_coordinator(user))
    )


def may_register_for_others(user: Any) -> bool:
    return permissions.is_coordinator(user)


def _last_day(absence: Absence) -> datetime.date:
    """The last day the absence covers: ``ends_on``, or the day before it was ended early."""
    if absence.ended_early_at is None:
        return absence.ends_on
    ended = timezone.localdate(absence.ended_early_at) - datetime.timedelta(days=1)
    return min(absence.ends_on, ended)


def absences_overlapping(
    user: Any, starts_on: datetime.date, ends_on: datetime.date
) -> list[Absence]:
    """The user's absences that cover a day from ``starts_on`` to ``ends_on``."""
    candidates: QuerySet = Absence.objects.filter(
        user=user, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    return [a for a in candidates if a.starts_on <= _last_day(a) and _last_day(a) >= starts_on]


def _period(starts_on: datetime.date, ends_on: datetime.date) -> str:
    return f"{formats.date_format(starts_on, 'j F Y')}–{formats.date_format(ends_on, 'j F Y')}"


@transaction.atomic
def absence_register(
    *,
    actor: Any,
    user: Any,
    starts_on: datetime.date,
    ends_on: datetime.date,
    note: str = "",
) -> Absence:
    """Register that ``user`` is away from ``starts_on`` to and including ``ends_on``.

    Oneself, or the IOP coordinator for anyone (PermissionDenied otherwise). Refused
    (``FollowUpRefused``) when the period ends before it starts or has already ended, or it
    overlaps another absence of the user. When someone else registers it, the user is told."""
    if not may_register_absences(actor):
        raise PermissionDenied
    if user is None:
        raise FollowUpRefused({"user": [_("Choose who is away.")]})
    if user.pk != actor.pk and not may_register_for_others(actor):
        raise PermissionDenied
    # One writer at a time per person: two overlapping registrations cannot both pass.
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    errors: dict[str, list[str]] = {}
    if ends_on < starts_on:
        errors["ends_on"] = [_("The last day cannot be before the first day.")]
    elif ends_on < timezone.localdate():
        errors["ends_on"] = [
            _("The absence has already ended; only current and future absences are registered.")
        ]
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = [_("The note can be at most 200 characters long.")]
    if not errors:
        overlapping = absences_overlapping(user, starts_on, ends_on)
        if overlapping:
            other = overlapping[0]
            errors[""] = [
                _("%(name)s is already registered as away %(period)s.")
                % {
                    "name": display_name(user),
                    "period": _period(other.starts_on, _last_day(other)),
                }
            ]
    if errors:
        raise FollowUpRefused(errors)
    absence = Absence(user=user, starts_on=starts_on, ends_on=ends_on, note=note, created_by=actor)
    absence._history_user = actor
    absence.save()
    if user.pk != actor.pk:
        notify(
            recipients=[user],
            kind="absence",
            text=_(
                "%(actor)s registered you as away %(period)s: your reminders go to the "
                "substitute of each case meanwhile."
            )
            % {"actor": display_name(actor), "period": _period(starts_on, ends_on)},
            url=reverse("followups:absences"),
            key=f"absence:{absence.pk}",
        )
    return absence


@transaction.atomic
def absence_end(*, actor: Any, absence: Absence) -> Absence:
    """End an absence now (back sooner, or a planned one called off): from today the user
    gets their reminders again. Oneself or the IOP coordinator; refused when it is over."""
    absence = Absence.objects.select_for_update().select_related("user").get(pk=absence.pk)
    if not may_register_absences(actor) or (
        absence.user_id != actor.pk and not may_register_for_others(actor)
    ):
        raise PermissionDenied
    today = timezone.localdate()
    if absence.ended_early_at is not None or absence.ends_on < today:
        raise FollowUpRefused([_("The absence is already over.")])
    absence.ended_early_at = timezone.now()
    absence._history_user = actor
    absence.save(update_fields=["ended_early_at"])
    return absence
