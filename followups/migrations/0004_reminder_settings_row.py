from django.db import migrations


def create_settings_row(apps, schema_editor):
    """The one reminder-settings row, with the defaults, so reading it never writes."""
    apps.get_model("followups", "ReminderSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("followups", "0003_roles")]

    operations = [migrations.RunPython(create_settings_row, migrations.RunPython.noop)]
