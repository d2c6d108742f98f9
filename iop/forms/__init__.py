"""The hub's forms, one module per screen: intake, the checklist, the case page."""

from .case import ReassignForm, TransitionForm
from .checklist import ChecklistQuestionsForm, CriterionForm, answer_to_choice
from .intake import PLANNING_SHEET_1, PLANNING_SHEET_2, InitiativeIntake

__all__ = [
    "PLANNING_SHEET_1",
    "PLANNING_SHEET_2",
    "ChecklistQuestionsForm",
    "CriterionForm",
    "InitiativeIntake",
    "ReassignForm",
    "TransitionForm",
    "answer_to_choice",
]
