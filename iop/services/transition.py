"""Taking a transition of the case: the one service every screen, the admin, the commands and
the other apps call to move a case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_fsm import Transition as FSMTransition

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions, workflow
from ..constants import CaseEventKind, CaseStatus, Transition
from ..exceptions import TransitionForbidden, TransitionRefused
from ..models import Case
from .common import lock_case, record_event


@dataclass(frozen=True)
class TransitionInfo:
    name: Transition
    label: str
    source: str
    target: str
    style: str
    fields: tuple[str, ...]
    note_required: bool

    @property
    def action_page(self) -> str | None:
        """The URL name of the screen another app has for this step, if any."""
        return workflow.action_page(self.name)


def declared_transitions() -> dict[Transition, dict[str, FSMTransition]]:
    """{transition: {source stage: django-fsm Transition}} for every declared transition."""
    result: dict[Transition, dict[str, FSMTransition]] = {}
    for t in Case._meta.get_field("status").get_all_transitions(Case):
        result.setdefault(Transition(t.name), {})[t.source] = t
    return result


def transition_names() -> list[Transition]:
    return list(declared_transitions())


def _known(name: Transition | str) -> Transition:
    try:
        return Transition(name)
    except ValueError:
        raise ValueError(f"Unknown transition {name!r}") from None


def transition_info(name: Transition | str, source: str | None = None) -> TransitionInfo:
    name = _known(name)
    by_source = declared_transitions()[name]
    t = by_source.get(source) if source is not None else None
    t = t or next(iter(by_source.values()))
    return TransitionInfo(
        name=name,
        label=str(name.label),
        source=t.source,
        target=t.target,
        style=t.custom.get("style", "secondary"),
        fields=tuple(t.custom.get("fields", ())),
        note_required=bool(t.custom.get("note_required", False)),
    )


def role_allows(case: Case, name: Transition | str, user: Any) -> bool:
    """Whether the user's role lets them take ``name`` on this case at all, from any stage."""
    return any(t.has_perm(case, user) for t in declared_transitions()[_known(name)].values())


def transition_refusals(
    case: Case, name: Transition | str, actor: Any, *, note: str = ""
) -> list[str]:
    """Why ``actor`` may not take transition ``name`` on ``case`` now; empty when allowed.
    Checks the stage, then the role, then the conditions (the case's own and every guard other
    apps registered), so the first reason is the most fundamental one."""
    name = _known(name)
    by_source = declared_transitions()[name]
    t = by_source.get(case.status)
    if t is None:
        sources = ", ".join(str(CaseStatus(s).label) for s in by_source)
        return [
            _(
                "«%(action)s» cannot be done while the case is at the stage «%(stage)s»; only from: %(sources)s."
            )
            % {"action": name.label, "stage": CaseStatus(case.status).label, "sources": sources}
        ]
    if not t.has_perm(case, actor):
        raise TransitionForbidden([permissions.refusal(t.permission)])
    reasons = workflow.unmet_rules(case, t)
    if t.custom.get("note_required") and not note.strip():
        reasons.append(_("A comment is required for «%(action)s».") % {"action": name.label})
    return reasons


def available_transitions(case: Case, actor: Any) -> list[TransitionInfo]:
    """The transitions this user may be offered now: right stage and right role. Conditions
    are not checked here, so a refused attempt shows the user the rule that stopped it."""
    result = []
    for name, by_source in declared_transitions().items():
        t = by_source.get(case.status)
        if t is not None and t.has_perm(case, actor):
            result.append(transition_info(name, case.status))
    return result


@transaction.atomic
def case_transition(
    *,
    case: Case,
    name: Transition | str,
    actor: Any,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Case:
    """Take transition ``name`` on ``case`` as ``actor``.

    Locks the case row, checks stage, role and conditions, changes the stage, writes one
    case event in the same transaction, and announces the change after commit. A refused
    transition raises ``TransitionRefused`` (or ``TransitionForbidden``) with the rules that
    stopped it, and changes nothing.
    """
    name = _known(name)
    locked = lock_case(case)
    allowed_fields = set(transition_info(name).fields)
    for field, value in (data or {}).items():
        if field not in allowed_fields:
            raise ValueError(f"{name} does not take {field!r}")
        setattr(locked, field, value)
    reasons = transition_refusals(locked, name, actor, note=note)
    if reasons:
        raise TransitionRefused(reasons)

    before = locked.status
    getattr(locked, name.value)()
    locked.status_changed_at = timezone.now()
    locked._history_user = actor
    locked.save()
    event = record_event(
        case=locked,
        kind=CaseEventKind.TRANSITION,
        actor=actor,
        transition=name.value,
        from_status=before,
        note=note,
    )
    workflow.case_transition_applied.send(
        sender=Case,
        case=locked,
        event=event,
        transition=name,
        from_status=before,
        actor=actor,
        note=note.strip(),
    )
    transaction.on_commit(
        lambda: workflow.case_transitioned.send(
            sender=Case,
            case_id=locked.pk,
            event_id=event.pk,
            transition=name,
            from_status=before,
            to_status=locked.status,
        )
    )
    return locked
