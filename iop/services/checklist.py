"""The eligibility checklist (DOMAIN.md §4). Each criterion is saved on its own as the case
officer answers it, so every function here changes only what it is given: two saves of the
same row that cross on the way to the server cannot undo each other."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simple_history.utils import bulk_create_with_history

from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions
from ..constants import CHECKLIST_QUESTIONS, CaseStatus, Criterion
from ..exceptions import TransitionForbidden
from ..models import Case, Checklist, ChecklistAnswer
from .common import lock_case

QUESTION_FIELDS = tuple(name for name, _question in CHECKLIST_QUESTIONS)

# The checklist is gone through at intake and in preparation; once the case has moved on,
# it is the record of why it could (or could not) become an IOP.
EDITABLE_STATUSES = frozenset({CaseStatus.RECEIVED, CaseStatus.PREPARATION})


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def checklist_is_editable(case: Case, user: Any) -> bool:
    """Whether ``user`` may change the checklist of ``case`` now."""
    return case.status in EDITABLE_STATUSES and permissions.can_change_case(case, user)


def _ensure_editable(case: Case, actor: Any) -> None:
    permissions.ensure_can_change_case(case, actor)
    if case.status not in EDITABLE_STATUSES:
        raise TransitionForbidden(
            [_("The checklist can only be changed while the case is received or in preparation.")]
        )


@transaction.atomic
def checklist_for_case(*, case: Case, actor: Any = None) -> Checklist:
    """The case's checklist, created with one unanswered row per criterion if missing (each
    row with its history record, so the audit trail starts at the empty answer)."""
    checklist, created = Checklist.objects.get_or_create(case=case)
    if created or checklist.answers.count() != len(Criterion):
        existing = set(checklist.answers.values_list("criterion", flat=True))
        bulk_create_with_history(
            [
                ChecklistAnswer(checklist=checklist, criterion=c)
                for c in Criterion
                if c.value not in existing
            ],
            ChecklistAnswer,
            default_user=actor if getattr(actor, "pk", None) else None,
        )
    return checklist


@transaction.atomic
def checklist_answer(
    *, case: Case, actor: Any, criterion: str, answer: bool | None, comment: str = ""
) -> ChecklistAnswer:
    """Record one criterion's answer (yes/no/unanswered) and comment, while the checklist may
    be changed (received or preparation) and by whoever may change the case."""
    case = lock_case(case)
    _ensure_editable(case, actor)
    checklist = checklist_for_case(case=case, actor=actor)
    row = ChecklistAnswer.objects.select_for_update().get(checklist=checklist, criterion=criterion)
    row.answer = answer
    row.comment = comment
    row._history_user = actor
    row.save()
    return row


@transaction.atomic
def checklist_criterion_save(
    *,
    case: Case,
    actor: Any,
    criterion: str,
    answer: bool | None = UNSET,
    comment: str = UNSET,
) -> ChecklistAnswer:
    """Save one criterion's answer, its comment, or both; what is not given is kept."""
    Criterion(criterion)  # ValueError for an unknown criterion
    case = lock_case(case)
    _ensure_editable(case, actor)
    checklist = checklist_for_case(case=case, actor=actor)
    current = ChecklistAnswer.objects.select_for_update().get(
        checklist=checklist, criterion=criterion
    )
    new_answer = current.answer if answer is UNSET else answer
    new_comment = current.comment if comment is UNSET else comment
    if (new_answer, new_comment) == (current.answer, current.comment):
        return current
    return checklist_answer(
        case=case, actor=actor, criterion=criterion, answer=new_answer, comment=new_comment
    )


@transaction.atomic
def checklist_questions_save(*, case: Case, actor: Any, **answers: str) -> Checklist:
    """Save the answers to some or all of the seven questions; the others are kept."""
    unknown = set(answers) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown checklist questions: {sorted(unknown)}")
    case = lock_case(case)
    _ensure_editable(case, actor)
    checklist = Checklist.objects.select_for_update().get(
        pk=checklist_for_case(case=case, actor=actor).pk
    )
    changed = [name for name, text in answers.items() if getattr(checklist, name) != text]
    if changed:
        for name in changed:
            setattr(checklist, name, answers[name])
        checklist._history_user = actor
        checklist.save()
    return checklist


@transaction.atomic
def checklist_save(
    *,
    case: Case,
    actor: Any,
    criteria: Mapping[str, Mapping[str, Any]],
    questions: Mapping[str, str],
) -> Checklist:
    """Save the whole checklist at once (the form sent without JavaScript): ``criteria``
    maps a criterion to its ``answer`` and/or ``comment``. Only the rows that changed are
    written, so the history shows what was actually changed."""
    case = lock_case(case)
    _ensure_editable(case, actor)
    for criterion, values in criteria.items():
        checklist_criterion_save(case=case, actor=actor, criterion=criterion, **values)
    return checklist_questions_save(case=case, actor=actor, **questions)
