"""The reminders' sweep, as rows for django_celery_beat's DatabaseScheduler.

Daily at 06:30 Europe/Stockholm, before the working day, so the reminders are in the inbox
when people arrive. And every hour as a catch-up: the sweep is idempotent (one reminder per
deadline, level and recipient) and selects deadlines by windows, so the hourly run adds nothing
once the day's reminders exist, but a first run after deployment, a beat that was down over a
holiday, or a morning run that failed catches up within the hour (and claimed e-mails whose
worker died are re-sent after their claim expires). The hourly run skips re-planning the
deadlines (``recompute=False``): the daily run extends the plan, which reaches months ahead. An admin can pause or re-time both in
Django admin.
"""

from django.db import migrations
from django.utils import timezone

DAILY = "Follow-up reminders (daily)"
CATCH_UP = "Follow-up reminders (hourly catch-up)"
TASK = "followups.tasks.sweep_reminders"


def create_periodic_tasks(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="6",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Stockholm",
    )
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.update_or_create(
        name=DAILY,
        defaults={
            "task": TASK,
            "crontab": morning,
            "interval": None,
            "enabled": True,
            "description": (
                "Records the reminders of the open follow-up deadlines (due soon, overdue, "
                "escalated) and e-mails one digest per person."
            ),
        },
    )
    PeriodicTask.objects.update_or_create(
        name=CATCH_UP,
        defaults={
            "task": TASK,
            "kwargs": '{"recompute": false}',
            "interval": hourly,
            "crontab": None,
            "enabled": True,
            "description": (
                "The same sweep every hour, without re-planning the deadlines (planned months "
                "ahead): adds nothing once the day's reminders exist, and catches up after a "
                "first run, a failed morning run or a beat that was down."
            ),
        },
    )
    # A running beat reloads its schedule when this timestamp changes.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_periodic_tasks(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[DAILY, CATCH_UP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_periodic_tasks, delete_periodic_tasks)]
