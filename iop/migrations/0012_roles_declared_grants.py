from django.db import migrations

from iop.roles import sync_roles


class Migration(migrations.Migration):
    """The declared grants' permissions (``iop/roles.py``: every role reads them, case
    officers and the coordinator record and withdraw them) into the role groups."""

    dependencies = [
        ("iop", "0011_case_event_payment_export"),
        ("partners", "0003_declared_grants"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
