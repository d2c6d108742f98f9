"""Giving a case its case officer and substitute."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from partners.users import display_name

from .. import permissions
from ..constants import CaseEventKind
from ..exceptions import TransitionRefused
from ..models import Case, CaseEvent
from .common import lock_case, record_event


def record_assignment(
    *, case: Case, actor: Any, officer: AbstractBaseUser, note: str = ""
) -> CaseEvent:
    """The timeline's entry for a new case officer; the officer is told after commit."""
    from ..tasks import notify_officer_assigned
    from .outbox import publish_on_commit

    event = record_event(
        case=case, kind=CaseEventKind.ASSIGNMENT, actor=actor, assignee=officer, note=note
    )
    if officer.pk != getattr(actor, "pk", None):
        publish_on_commit(notify_officer_assigned, event.pk)
    return event


@transaction.atomic
def case_assign_officer(
    *, case: Case, actor: Any, officer: AbstractBaseUser, substitute: Any = ..., note: str = ""
) -> Case:
    """Give the case a new case officer (and optionally substitute); the new officer is
    e-mailed after commit. Only the IOP coordinator (or the officers themselves) may do this."""
    locked = lock_case(case)
    permissions.ensure_can_change_case(locked, actor)
    if not officer.has_perm(permissions.HANDLE_CASE):
        raise TransitionRefused(
            [_("%(name)s is not a case officer.") % {"name": display_name(officer)}]
        )
    changed = locked.officer_id != officer.pk
    substitute_changed = substitute is not ... and locked.substitute_id != getattr(
        substitute, "pk", None
    )
    locked.officer = officer
    if substitute is not ...:
        locked.substitute = substitute
    locked._history_user = actor
    locked.save()
    if changed:
        record_assignment(case=locked, actor=actor, officer=officer, note=note)
    elif substitute_changed:
        # A new (or no) substitute alone: the timeline keeps who changed it and why.
        record_event(
            case=locked, kind=CaseEventKind.SUBSTITUTE, actor=actor, assignee=substitute, note=note
        )
    return locked
