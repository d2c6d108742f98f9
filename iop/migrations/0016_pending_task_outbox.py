"""The outbox of tasks the broker could not take (issue 12, faults), and its resend as a row
for django_celery_beat's DatabaseScheduler (as 0003_periodic_tasks does for the others)."""

from django.db import migrations, models
from django.utils import timezone

RESEND = "Re-send the background tasks the broker could not take"


def create_periodic_task(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=RESEND,
        defaults={
            "task": "iop.tasks.resend_pending_tasks",
            "interval": every_minute,
            "enabled": True,
            "description": (
                "Sends again the tasks (e-mails, prints, packages) that were saved while Redis "
                "was down; does nothing while the outbox is empty."
            ),
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_periodic_task(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=RESEND).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('iop', '0015_roles_audit_log'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='PendingTask',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('task', models.CharField(max_length=200, verbose_name='task')),
                ('args', models.JSONField(blank=True, default=list, verbose_name='arguments')),
                ('kwargs', models.JSONField(blank=True, default=dict, verbose_name='keyword arguments')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
            ],
            options={
                'verbose_name': 'pending background task',
                'verbose_name_plural': 'pending background tasks',
                'ordering': ['pk'],
            },
        ),
        migrations.RunPython(create_periodic_task, delete_periodic_task),
    ]
