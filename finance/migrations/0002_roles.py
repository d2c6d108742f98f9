from django.db import migrations

from iop.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_initial"),
        ("followups", "0003_roles"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
