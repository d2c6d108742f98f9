"""Finance's permissions per role, merged into the groups by ``iop.roles.sync_roles``.

Every role reads the payment plan and the payments (the auditors ask «was it paid?»); only
finance records payments and holds, through the services."""

from iop.constants import Role

VIEW_ALL = [
    "finance.view_paymentdefaults",
    "finance.view_paymentterms",
    "finance.view_payment",
    "finance.view_paymenthold",
]

ROLE_PERMISSIONS = {
    Role.CASE_OFFICER: VIEW_ALL,
    Role.COORDINATOR: VIEW_ALL,
    Role.JURIST: VIEW_ALL,
    Role.SECRETARY: VIEW_ALL,
    Role.FINANCE: VIEW_ALL
    + [
        "finance.add_payment",
        "finance.add_paymenthold",
        "finance.change_paymenthold",
        "finance.change_paymentterms",
        "finance.add_paymentterms",
    ],
    Role.AUDITOR: VIEW_ALL,
}
