"""The write use cases of the case: the only code that changes a case or what hangs on it.
Views, admin, commands, tasks and the other apps call these (one module per use case); each
locks the case first, checks who is asking, records who did it, and schedules side effects
after commit."""

from ..exceptions import TransitionForbidden, TransitionRefused
from ..workflow import case_transition_applied, case_transitioned
from .assignment import case_assign_officer, record_assignment
from .case_details import case_update
from .checklist import (
    checklist_answer,
    checklist_criterion_save,
    checklist_for_case,
    checklist_is_editable,
    checklist_questions_save,
    checklist_save,
)
from .common import lock_case, record_event
from .documents import case_document_register
from .registration import case_register, next_registry_number
from .transition import (
    TransitionInfo,
    available_transitions,
    case_transition,
    declared_transitions,
    role_allows,
    transition_info,
    transition_names,
    transition_refusals,
)

__all__ = [
    "TransitionForbidden",
    "TransitionInfo",
    "TransitionRefused",
    "available_transitions",
    "case_assign_officer",
    "case_document_register",
    "case_register",
    "case_transition",
    "case_update",
    "case_transition_applied",
    "case_transitioned",
    "checklist_answer",
    "checklist_criterion_save",
    "checklist_for_case",
    "checklist_is_editable",
    "checklist_questions_save",
    "checklist_save",
    "declared_transitions",
    "lock_case",
    "next_registry_number",
    "record_assignment",
    "record_event",
    "role_allows",
    "transition_info",
    "transition_names",
    "transition_refusals",
]
