"""The permissions each role (group) carries. Used by the migration that creates the groups
and by the demo data; changing this table needs a new migration (depending on the apps it names) that calls
sync_roles."""

from .constants import Role

VIEW_ALL = [
    "iop.view_case",
    "iop.view_caseevent",
    "iop.view_checklist",
    "iop.view_checklistanswer",
    "iop.view_casedocument",
    "iop.view_committee",
    "iop.view_publicbody",
    "partners.view_organisation",
    "partners.view_contactperson",
    "partners.view_organisationdocument",
    "partners.view_valuedeclaration",
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

CASE_WORK = [
    "iop.add_case",
    "iop.change_case",
    "iop.handle_case",
    "iop.add_checklist",
    "iop.change_checklist",
    "iop.change_checklistanswer",
    "iop.add_casedocument",
    "partners.add_organisation",
    "partners.change_organisation",
    "partners.add_contactperson",
    "partners.change_contactperson",
    "partners.add_organisationdocument",
    "partners.add_valuedeclaration",
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
    "iop.review_legal",
    "agreements.add_reviewcomment",
    "agreements.add_riskassessment",
    "agreements.change_riskassessment",
    "agreements.add_riskfactoranswer",
    "agreements.change_riskfactoranswer",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CASE_OFFICER: VIEW_ALL + CASE_WORK,
    Role.COORDINATOR: VIEW_ALL + CASE_WORK + ["iop.coordinate_cases"],
    Role.JURIST: VIEW_ALL + LEGAL_REVIEW,
    Role.SECRETARY: VIEW_ALL + ["iop.record_decision"],
    Role.FINANCE: VIEW_ALL,
    Role.AUDITOR: VIEW_ALL,
}


def sync_roles(apps, schema_editor=None) -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role.value))
        perms = []
        for code in codes:
            app_label, codename = code.split(".")
            # A permission of an app migrated later is given by that app's own migration,
            # which calls sync_roles again.
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
