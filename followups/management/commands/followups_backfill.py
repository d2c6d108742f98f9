"""``manage.py followups_backfill``: plan the deadlines of every followed partnership — those
imported from before the system (from their activation date and their earlier follow-ups) and
any whose plan has fallen behind. The daily task does the same; running it again changes
nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from followups.services.deadlines import recompute_followed_cases


class Command(BaseCommand):
    help = (
        "Plan the follow-up deadlines of every active partnership (stages active, renegotiation, "
        "notice given, winding down), e.g. those imported from before the system. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=200,
            help="How many cases are read at a time (default 200).",
        )

    def handle(self, *args, **options):
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        count = recompute_followed_cases(batch_size=batch_size)
        self.stdout.write(f"Planned the follow-up deadlines of {count} followed cases.")
