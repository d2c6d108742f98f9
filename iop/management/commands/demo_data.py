"""``manage.py demo_data``: Region Värmland's IOPs told as a story dated relative to today.

Each app's part of the story (``workflow.register_demo``: ``iop.demo``, ``agreements.demo``, …)
adds to one ``iop.demo.Story`` in order, and the story is played in one transaction. Idempotent:
a second run changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from iop import workflow
from iop.demo import DEMO_PASSWORD, DEMO_USERS, Story, logins_table

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "Command"]  # .ci/run and the tests import these


class Command(BaseCommand):
    help = (
        "Create Region Värmland's demo data: two committees, thirteen organisations and their "
        "IOP cases dated relative to today, one user per role. Idempotent: only what is missing "
        "is created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off. The demo users share a published password.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off, so this may be production, and the demo users share a published "
                "password. Pass --allow-production if you really mean it."
            )
        story = Story()
        with transaction.atomic():
            for part in workflow.demo_parts():
                part.load()(story)
            story.play()

        if story.created:
            summary = ", ".join(f"{what}: {n}" for what, n in story.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {summary}."))
        else:
            self.stdout.write("Demo data already present: nothing changed.")
        self.stdout.write(logins_table())
