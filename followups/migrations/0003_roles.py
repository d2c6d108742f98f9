from django.db import migrations

from iop.roles import sync_roles


class Migration(migrations.Migration):
    """The follow-up's permissions per role (``followups/roles.py``) into the role groups."""

    dependencies = [
        ("followups", "0002_periodic_tasks"),
        ("decisions", "0002_roles"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
