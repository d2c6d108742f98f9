from django.db import migrations

from iop.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0001_initial"),
        ("iop", "0011_case_event_payment_export"),
        ("agreements", "0004_authorising_event"),
        ("decisions", "0002_roles"),
        ("followups", "0004_reminder_settings_row"),
        ("partners", "0002_document_registration"),
        ("finance", "0002_roles"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
