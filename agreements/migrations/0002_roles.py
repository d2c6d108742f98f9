from django.db import migrations

from iop.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0001_initial"),
        ("iop", "0006_caseevent_agreement_kind"),
        ("partners", "0002_document_registration"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
