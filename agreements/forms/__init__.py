"""The agreement's forms, one module per screen. They validate what was typed; the services
write it (``agreements.services``), never the forms themselves."""

from .budget import (
    ActivityForm,
    BudgetLineForm,
    PlanForm,
    SwedishDecimalField,
    activity_formset,
    budget_formset,
)
from .drafting import (
    PartyForm,
    PartyFormSet,
    RevisionForm,
    SectionForm,
    TermsForm,
)
from .review import AssessmentForm, ReturnForm, comment_field_name, direction_field_name
from .signing import SignatureForm
from .versions import CompareForm

__all__ = [
    "ActivityForm",
    "AssessmentForm",
    "BudgetLineForm",
    "CompareForm",
    "PartyForm",
    "PartyFormSet",
    "PlanForm",
    "ReturnForm",
    "RevisionForm",
    "SectionForm",
    "SignatureForm",
    "SwedishDecimalField",
    "TermsForm",
    "activity_formset",
    "budget_formset",
    "comment_field_name",
    "direction_field_name",
]
