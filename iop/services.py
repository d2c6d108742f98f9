"""Write use cases for IOP cases. Views, admin, commands and tasks call these; every one
locks what it changes, records who did it, and schedules side effects after commit."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django_fsm import Transition

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from .constants import CaseEventKind, CaseStatus, Criterion
from .models import (
    Case,
    CaseEvent,
    Checklist,
    ChecklistAnswer,
    Committee,
    PublicBody,
    RegistrySequence,
)

User = get_user_model()

# Sent after the transaction that moved a case has committed: later apps hook their side
# effects (deadlines, documents, notifications) here instead of into this module.
case_transitioned = Signal()  # kwargs: case_id, event_id, transition, from_status, to_status

# Sent inside the transaction that moves a case, after the stage and event are saved: the
# receivers' writes (freezing an agreement version, say) commit or roll back with the move.
# A receiver raising TransitionRefused refuses the whole transition.
case_transition_applied = Signal()  # kwargs: case, event, transition, from_status, actor, note


class TransitionRefused(Exception):
    """A transition was refused; ``reasons`` holds the rules that stopped it, in Swedish."""

    def __init__(self, reasons: Iterable[str]):
        self.reasons = [str(r) for r in reasons]
        super().__init__(" ".join(self.reasons))


class TransitionForbidden(TransitionRefused, PermissionDenied):
    """Refused because of who is asking (views answer 403)."""


@dataclass(frozen=True)
class TransitionInfo:
    name: str
    label: str
    source: str
    target: str
    style: str
    fields: tuple[str, ...]
    note_required: bool


def _transitions_by_name() -> dict[str, dict[str, Transition]]:
    """{method name: {source state: Transition}} for every declared transition of Case."""
    result: dict[str, dict[str, Transition]] = {}
    for t in Case._meta.get_field("status").get_all_transitions(Case):
        result.setdefault(t.name, {})[t.source] = t
    return result


def transition_names() -> list[str]:
    return list(_transitions_by_name())


def transition_info(name: str, source: str | None = None) -> TransitionInfo:
    transitions = _transitions_by_name()
    if name not in transitions:
        raise ValueError(f"Unknown transition {name!r}")
    by_source = transitions[name]
    t = by_source.get(source) if source is not None else None
    t = t or next(iter(by_source.values()))
    return TransitionInfo(
        name=name,
        label=str(t.custom.get("label", name)),
        source=t.source,
        target=t.target,
        style=t.custom.get("style", "secondary"),
        fields=tuple(t.custom.get("fields", ())),
        note_required=bool(t.custom.get("note_required", False)),
    )


def _rule(condition) -> str:
    return (condition.__doc__ or condition.__name__).strip()


def transition_refusals(case: Case, name: str, actor: Any, *, note: str = "") -> list[str]:
    """Why ``actor`` may not take transition ``name`` on ``case`` now; empty when allowed.
    Checks the stage, then the role, then the conditions, so the first reason is the
    most fundamental one."""
    transitions = _transitions_by_name()
    if name not in transitions:
        raise ValueError(f"Unknown transition {name!r}")
    by_source = transitions[name]
    t = by_source.get(case.status)
    info = transition_info(name)
    if t is None:
        sources = ", ".join(str(CaseStatus(s).label) for s in by_source)
        return [
            _(
                "«%(action)s» cannot be done while the case is at the stage «%(stage)s»; only from: %(sources)s."
            )
            % {"action": info.label, "stage": CaseStatus(case.status).label, "sources": sources}
        ]
    if not t.has_perm(case, actor):
        raise TransitionForbidden([_role_refusal(t)])
    reasons = [_rule(c) for c in t.conditions if not c(case)]
    if t.custom.get("note_required") and not note.strip():
        reasons.append(_("A comment is required for «%(action)s».") % {"action": info.label})
    return reasons


def _role_refusal(t: Transition) -> str:
    from . import permissions

    who = {
        permissions.can_change_case: _(
            "Only the case's officer, its substitute or the IOP coordinator may do this."
        ),
        permissions.can_review_legal: _("Only a jurist may do this."),
        permissions.can_record_decision: _("Only a committee secretary may do this."),
    }.get(t.permission, _("You do not have permission to do this."))
    return str(who)


def available_transitions(case: Case, actor: Any) -> list[TransitionInfo]:
    """The transitions this user may be offered now: right stage and right role. Conditions
    are not checked here, so a refused attempt shows the user the rule that stopped it."""
    result = []
    for name, by_source in _transitions_by_name().items():
        t = by_source.get(case.status)
        if t is not None and t.has_perm(case, actor):
            result.append(transition_info(name, case.status))
    return result


@transaction.atomic
def case_transition(
    *, case: Case, name: str, actor: Any, note: str = "", data: dict[str, Any] | None = None
) -> Case:
    """Take transition ``name`` on ``case`` as ``actor``.

    Locks the case row, checks stage, role and conditions, changes the stage, writes one
    case event in the same transaction, and announces the change after commit. A refused
    transition raises ``TransitionRefused`` (or ``TransitionForbidden``) with the rules that
    stopped it, and changes nothing.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    allowed_fields = set(transition_info(name).fields)
    for field, value in (data or {}).items():
        if field not in allowed_fields:
            raise ValueError(f"{name} does not take {field!r}")
        setattr(locked, field, value)
    reasons = transition_refusals(locked, name, actor, note=note)
    if reasons:
        raise TransitionRefused(reasons)

    before = locked.status
    getattr(locked, name)()
    locked.status_changed_at = timezone.now()
    locked._history_user = actor
    locked.save()
    event = CaseEvent.objects.create(
        case=locked,
        kind=CaseEventKind.TRANSITION,
        actor=actor,
        transition=name,
        from_status=before,
        to_status=locked.status,
        note=note.strip(),
    )
    case_transition_applied.send(
        sender=Case,
        case=locked,
        event=event,
        transition=name,
        from_status=before,
        actor=actor,
        note=note.strip(),
    )
    transaction.on_commit(
        lambda: case_transitioned.send(
            sender=Case,
            case_id=locked.pk,
            event_id=event.pk,
            transition=name,
            from_status=before,
            to_status=locked.status,
        )
    )
    return locked


def next_registry_number(*, public_body: PublicBody, year: int) -> tuple[int, str]:
    """Reserve the next serial number for ``public_body`` and ``year``.

    Must run inside the transaction that creates the case: the sequence row stays locked
    until it commits, so concurrent registrations queue up and a rolled-back registration
    gives its number back. No gaps, no duplicates.
    """
    # Create the year's row if it is missing, without racing another connection doing the same.
    RegistrySequence.objects.bulk_create(
        [RegistrySequence(public_body=public_body, year=year, last_serial=0)], ignore_conflicts=True
    )
    sequence = RegistrySequence.objects.select_for_update().get(public_body=public_body, year=year)
    sequence.last_serial += 1
    sequence.save(update_fields=["last_serial"])
    return sequence.last_serial, f"{public_body.short_code} {year}/{sequence.last_serial:05d}"


@transaction.atomic
def case_register(
    *,
    actor: Any,
    title: str,
    committee: Committee,
    societal_challenge: str,
    idea_description: str,
    organisations: Iterable[Any],
    officer: AbstractBaseUser | None = None,
    substitute: AbstractBaseUser | None = None,
    public_bodies: Iterable[PublicBody] = (),
    received_on: datetime.date | None = None,
    **extra: Any,
) -> Case:
    """Register an initiative: a new case with its registry number, in stage «received»."""
    received_on = received_on or timezone.localdate()
    officer = officer or actor
    public_body = committee.public_body
    serial, number = next_registry_number(public_body=public_body, year=received_on.year)
    case = Case(
        registry_number=number,
        registry_year=received_on.year,
        registry_serial=serial,
        public_body=public_body,
        committee=committee,
        title=title,
        societal_challenge=societal_challenge,
        idea_description=idea_description,
        received_on=received_on,
        officer=officer,
        substitute=substitute,
        created_by=actor,
        **extra,
    )
    case._history_user = actor
    # The stage is protected (FSMField): full_clean must not assign it back.
    case.full_clean(exclude=["registry_number", "registry_year", "registry_serial", "status"])
    case.save()
    case.organisations.set(organisations)
    case.public_bodies.set({public_body, *public_bodies})
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.CREATED, actor=actor, to_status=case.status
    )
    _record_assignment(case=case, actor=actor, officer=officer)
    return case


def _record_assignment(*, case: Case, actor: Any, officer: AbstractBaseUser) -> CaseEvent:
    from .tasks import notify_officer_assigned

    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.ASSIGNMENT,
        actor=actor,
        assignee=officer,
        from_status=case.status,
        to_status=case.status,
    )
    if officer.pk != getattr(actor, "pk", None):
        transaction.on_commit(lambda: notify_officer_assigned.delay(event.pk))
    return event


@transaction.atomic
def case_assign_officer(
    *, case: Case, actor: Any, officer: AbstractBaseUser, substitute: Any = ..., note: str = ""
) -> Case:
    """Give the case a new case officer (and optionally substitute); the new officer is
    e-mailed after commit. Only the IOP coordinator (or the officers themselves) may do this."""
    from . import permissions

    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not permissions.can_change_case(locked, actor):
        raise TransitionForbidden(
            [_("Only the case's officer, its substitute or the IOP coordinator may do this.")]
        )
    if not officer.has_perm(permissions.HANDLE_CASE):
        raise TransitionRefused(
            [_("%(name)s is not a case officer.") % {"name": officer.get_full_name() or officer}]
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
        event = _record_assignment(case=locked, actor=actor, officer=officer)
        if note:
            event.note = note
            event.save(update_fields=["note"])
    elif substitute_changed:
        # A new (or no) substitute alone: the timeline keeps who changed it and why.
        CaseEvent.objects.create(
            case=locked,
            kind=CaseEventKind.SUBSTITUTE,
            actor=actor,
            assignee=substitute,
            from_status=locked.status,
            to_status=locked.status,
            note=note.strip(),
        )
    return locked


@transaction.atomic
def checklist_for_case(*, case: Case) -> Checklist:
    """The case's checklist, created with one unanswered row per criterion if missing."""
    checklist, created = Checklist.objects.get_or_create(case=case)
    if created or checklist.answers.count() != len(Criterion):
        existing = set(checklist.answers.values_list("criterion", flat=True))
        ChecklistAnswer.objects.bulk_create(
            [
                ChecklistAnswer(checklist=checklist, criterion=c)
                for c in Criterion
                if c.value not in existing
            ]
        )
    return checklist


@transaction.atomic
def checklist_answer(
    *, case: Case, actor: Any, criterion: str, answer: bool | None, comment: str = ""
) -> ChecklistAnswer:
    """Record one criterion's answer (yes/no/unanswered) and comment."""
    from . import permissions

    if not permissions.can_change_case(case, actor):
        raise TransitionForbidden(
            [_("Only the case's officer, its substitute or the IOP coordinator may do this.")]
        )
    checklist = checklist_for_case(case=case)
    row = ChecklistAnswer.objects.select_for_update().get(checklist=checklist, criterion=criterion)
    row.answer = answer
    row.comment = comment
    row._history_user = actor
    row.save()
    return row
