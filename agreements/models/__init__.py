"""The IOP agreement (DOMAIN.md §6): one per case, written as numbered versions.

A version holds everything the parties sign: the text under each heading, the parties with
their signatories, the term, the co-financing budget and the action plan. Only the newest
version may be a draft; submitting it to the jurist freezes it, and every later edit makes a
new draft, so each version the jurist, the committee or a signatory saw stays as it was.
"""

from .agreement import PLAN_FIELDS, TERMS_FIELDS, Agreement, AgreementVersion
from .review import ReviewComment, RiskAssessment, RiskFactorAnswer
from .rows import (
    PARTY_FIELDS,
    ZERO,
    ActionPlanActivity,
    AgreementParty,
    AgreementSection,
    BudgetLine,
)

__all__ = [
    "ZERO",
    "TERMS_FIELDS",
    "PLAN_FIELDS",
    "PARTY_FIELDS",
    "Agreement",
    "AgreementVersion",
    "AgreementSection",
    "AgreementParty",
    "BudgetLine",
    "ActionPlanActivity",
    "ReviewComment",
    "RiskAssessment",
    "RiskFactorAnswer",
]
