"""The agreement's permissions per role, merged into the groups by ``iop.roles.sync_roles``."""

from iop.constants import Role

VIEW_ALL = [
    "agreements.view_agreement",
    "agreements.view_agreementversion",
    "agreements.view_agreementsection",
    "agreements.view_agreementparty",
    "agreements.view_budgetline",
    "agreements.view_actionplanactivity",
    "agreements.view_reviewcomment",
    "agreements.view_riskassessment",
    "agreements.view_riskfactoranswer",
]

DRAFTING = [
    "agreements.add_agreement",
    "agreements.add_agreementversion",
    "agreements.change_agreementversion",
    "agreements.change_agreementsection",
    "agreements.add_agreementparty",
    "agreements.change_agreementparty",
    "agreements.add_budgetline",
    "agreements.change_budgetline",
    "agreements.delete_budgetline",
    "agreements.add_actionplanactivity",
    "agreements.change_actionplanactivity",
    "agreements.delete_actionplanactivity",
]

LEGAL_REVIEW = [
    "agreements.add_reviewcomment",
    "agreements.add_riskassessment",
    "agreements.change_riskassessment",
    "agreements.add_riskfactoranswer",
    "agreements.change_riskfactoranswer",
]

ROLE_PERMISSIONS = {
    Role.CASE_OFFICER: VIEW_ALL + DRAFTING,
    Role.COORDINATOR: VIEW_ALL + DRAFTING,
    Role.JURIST: VIEW_ALL + LEGAL_REVIEW,
    Role.SECRETARY: VIEW_ALL,
    Role.FINANCE: VIEW_ALL,
    Role.AUDITOR: VIEW_ALL,
}
