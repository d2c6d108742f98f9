"""Oversight's permissions per role, merged into the groups by ``iop.roles.sync_roles``.

Every staff role reads a case's dossier (``iop.view_case``); the auditor and the IOP
coordinator export it as a ZIP and download the exports (superusers have every permission)."""

from iop.constants import Role

EXPORT_DOSSIER = ["oversight.add_dossierexport", "oversight.view_dossierexport"]

ROLE_PERMISSIONS = {
    Role.COORDINATOR: EXPORT_DOSSIER,
    Role.AUDITOR: EXPORT_DOSSIER,
}
