from iop.constants import Role

ROLE_PERMISSIONS = {Role.AUDITOR: ["spoke.see_holds"]}
