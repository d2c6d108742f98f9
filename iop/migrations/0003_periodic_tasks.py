"""The periodic jobs, as rows for django_celery_beat's DatabaseScheduler.

The schedule lives in the database rather than in CELERY_BEAT_SCHEDULE so that an admin can
see, pause and re-time the jobs in Django admin, and every beat (embedded or separate) runs the
same schedule.
"""

from django.db import migrations
from django.utils import timezone

CLEAN_BROKER_FOLDER = "Clean the filesystem broker's processed messages"


def create_periodic_tasks(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.update_or_create(
        name=CLEAN_BROKER_FOLDER,
        defaults={
            "task": "iop.tasks.clean_broker_folder",
            "interval": hourly,
            "enabled": True,
            "description": (
                "Removes the message files kombu's filesystem transport leaves behind when the "
                "application runs without Redis (make run). Does nothing on Redis."
            ),
        },
    )
    # A running beat reloads its schedule when this timestamp changes (the model signals that
    # normally bump it do not fire for the historical models a migration uses).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_periodic_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=CLEAN_BROKER_FOLDER).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("iop", "0002_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_periodic_tasks, delete_periodic_tasks)]
