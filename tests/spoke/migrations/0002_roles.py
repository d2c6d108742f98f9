from django.db import migrations

from iop.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("spoke", "0001_initial"), ("iop", "0002_roles")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
