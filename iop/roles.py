"""The permissions each role (group) carries.

Every app declares its own in a ``roles.py`` beside its models: ``ROLE_PERMISSIONS``, a
{role: [permission, …]} table of that app's permissions. ``sync_roles`` merges every app's
table (found like admin modules are, with ``autodiscover_modules``) and gives each group
exactly the merged permissions. A migration that adds permissions calls ``sync_roles``; so
does the demo command. Changing a table needs a new migration of that app that calls it.
"""

from django.utils.module_loading import autodiscover_modules

from .constants import Role

VIEW_ALL = [
    "iop.view_case",
    "iop.view_caseevent",
    "iop.view_checklist",
    "iop.view_checklistanswer",
    "iop.view_casedocument",
    "iop.view_registryentry",
    "iop.view_committee",
    "iop.view_publicbody",
    "partners.view_organisation",
    "partners.view_contactperson",
    "partners.view_organisationdocument",
    "partners.view_valuedeclaration",
    "partners.view_declaredgrant",
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
    "partners.add_declaredgrant",
    "partners.change_declaredgrant",
]

LEGAL_REVIEW = [
    "iop.review_legal",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CASE_OFFICER: VIEW_ALL + CASE_WORK,
    Role.COORDINATOR: VIEW_ALL + CASE_WORK + ["iop.coordinate_cases"],
    Role.JURIST: VIEW_ALL + LEGAL_REVIEW,
    Role.SECRETARY: VIEW_ALL + ["iop.record_decision"],
    Role.FINANCE: VIEW_ALL,
    # The audit log of access decisions (iop.services.audit), in the admin.
    Role.AUDITOR: VIEW_ALL + ["iop.view_auditevent"],
}


def merged_role_permissions() -> dict[str, list[str]]:
    """Every installed app's role table merged: {role: permissions}, in app order."""
    import sys

    autodiscover_modules("roles")
    from django.apps import apps as installed

    merged: dict[str, list[str]] = {role: [] for role in Role}
    for app_config in installed.get_app_configs():
        module = sys.modules.get(f"{app_config.name}.roles")
        for role, codes in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged.setdefault(role, []).extend(c for c in codes if c not in merged[role])
    return merged


def sync_roles(apps, schema_editor=None) -> None:
    """Create the role groups and give each exactly the permissions of every app's table."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in merged_role_permissions().items():
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
