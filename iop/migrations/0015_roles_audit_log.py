from django.db import migrations

from iop.roles import sync_roles


class Migration(migrations.Migration):
    """The auditor reads the audit log (``iop.view_auditevent``, ``iop/roles.py``)."""

    dependencies = [("iop", "0014_audit_event")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
