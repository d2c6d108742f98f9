from django.db import migrations

from iop.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0001_initial"),
        ("iop", "0008_people_registry_notifications"),
        ("agreements", "0003_version_status_state_machine"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
