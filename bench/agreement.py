#!/usr/bin/env python
"""Bench the agreement's pages and its PDF, for a small and a large agreement.

    .venv/bin/python bench/agreement.py [--lines 300] [--activities 60] [--runs 7]

Creates its own PostgreSQL database (as bench/register.py does: ``iop_bench_agreement`` on the
server of DATABASE_URL, or on postgres://postgres@127.0.0.1:5432), builds two cases through the
agreement services — the example agreement of DOMAIN.md (3 budget lines, 1 activity) and a large
one (every heading ~4 000 characters, ``--lines`` budget lines, ``--activities`` activities) —
each with version 1 returned by the jurist and version 2 in legal review, and prints the
server time (median, Django test Client in-process) and SQL query count of the agreement page,
the jurist's review page, the versions list, the diff of version 1 and 2, and the PDF of
version 2. The database is dropped at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from register import bench_database_url, create_database, drop_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lines", type=int, default=300, help="budget lines of the large agreement"
    )
    parser.add_argument("--activities", type=int, default=60, help="activities of the large one")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per page (default 7)")
    parser.add_argument("--db-name", default="iop_bench_agreement")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def build(*, large: bool, lines: int, activities: int):
    """A case with version 1 returned and version 2 in legal review; returns (case, jurist)."""
    from agreements import services
    from agreements.constants import BudgetKind, SectionKey
    from agreements.models import ActionPlanActivity, AgreementSection, BudgetLine
    from agreements.tests.factories import complete_draft, drafting_case
    from iop.constants import Role
    from iop.tests.factories import UserFactory

    case = drafting_case()
    draft = complete_draft(case)
    jurist = UserFactory(role=Role.JURIST)
    if large:
        paragraph = "Parterna samverkar i ett långsiktigt partnerskap för fler mötesplatser. " * 55
        for section in draft.sections.all():
            section.text = f"{paragraph}\n\n{paragraph}"
            section.save()
        parties = list(draft.parties.all())
        BudgetLine.objects.bulk_create(
            BudgetLine(
                version=draft,
                party=parties[i % len(parties)],
                year=2027 + i % 5,
                kind=BudgetKind.PREMISES if i % 2 else BudgetKind.EQUIPMENT,
                description=f"Post {i}",
                amount=Decimal(1000 + i),
            )
            for i in range(lines)
        )
        ActionPlanActivity.objects.bulk_create(
            ActionPlanActivity(
                version=draft,
                order=i + 2,
                description=f"Aktivitet {i}",
                owner="Föreningen",
                timetable="2027",
            )
            for i in range(activities)
        )
    services.submit_draft(case=case, actor=case.officer)
    services.return_version(
        case=case, actor=jurist, comments=[(SectionKey.GOALS, "Förtydliga målen.")]
    )
    second = services.draft_version(services.agreement_of(case))
    goals = AgreementSection.objects.get(version=second, key=SectionKey.GOALS)
    goals.text += "\n\nMinst 40 deltagare varje vecka."
    goals.save()
    services.submit_draft(case=case, actor=case.officer)
    return case, jurist


def timed(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}; cannot bench it.")
    return elapsed * 1000, len(ctx.captured_queries)


def measure(client, url: str, runs: int) -> tuple[float, int]:
    timed(client, url)
    results = [timed(client, url) for _ in range(runs)]
    return statistics.median(ms for ms, _ in results), results[-1][1]


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.db_name)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings.base"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at")
    print(f"Creating database {args.db_name!r} on {urlsplit(url).hostname} …", flush=True)
    create_database(url, args.db_name)
    try:
        run(args)
    finally:
        if args.keep:
            print(f"Kept database {args.db_name!r}.")
        else:
            drop_database(url, args.db_name)
            print(f"Dropped database {args.db_name!r}.")


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    sizes = {
        "small (3 lines, 1 activity)": build(large=False, lines=0, activities=0),
        f"large ({args.lines + 3} lines, {args.activities + 1} activities, 15 × 8 000 chars)": build(
            large=True, lines=args.lines, activities=args.activities
        ),
    }
    print()
    print(f"Server time, median of {args.runs} runs, and SQL queries per request:")
    for label, (case, jurist) in sizes.items():
        officer = Client()
        officer.force_login(case.officer)
        reviewer = Client()
        reviewer.force_login(jurist)
        pages = [
            ("agreement page", officer, reverse("agreements:detail", args=[case.pk])),
            ("review page (jurist)", reviewer, reverse("agreements:review", args=[case.pk])),
            ("versions list", officer, reverse("agreements:versions", args=[case.pk])),
            (
                "diff v1 → v2",
                officer,
                reverse("agreements:diff", args=[case.pk]) + "?fran=1&till=2",
            ),
            ("PDF of v2", officer, reverse("agreements:pdf", args=[case.pk, 2])),
        ]
        print(f"  {label}")
        for name, client, page_url in pages:
            ms, queries = measure(client, page_url, args.runs)
            print(f"    {name:24} {ms:>8.1f} ms {queries:>4} queries")


if __name__ == "__main__":
    main()
