#!/usr/bin/env python
"""Bench the oversight pages with 10 000 cases: the portfolio, the yearly statistics (page and
PDF) and one dossier export.

    .venv/bin/python bench/oversight.py [--cases 10000] [--runs 9]
    .venv/bin/python bench/oversight.py --only portfolio      # just the portfolio

Creates its own PostgreSQL database (as bench/register.py does: ``iop_bench_oversight`` on the
server of DATABASE_URL, or postgres://postgres@127.0.0.1:5432), fills it with register.py's
cases (committees, organisations, officers, case events), then with ``bulk_create``: an
agreement for every case past the jurist (a signed version for every case that reached
signing, a draft or submitted one before), its parties with an amount per full year, a budget
over the term (the organisations' money, volunteer work and premises; the public money), an
approved amount change for one active IOP in ten, and the follow-up deadlines of every followed
IOP (done, due soon, overdue). It prints, logged in as the IOP coordinator with the Django test
Client in-process, the SQL query count and the median and 95th percentile of the server time
of ``GET /portfolj/`` (also filtered by committee and year, and one xlsx export),
``GET /statistik/`` and ``/statistik/<year>.pdf``, and the time of one dossier export
(``build_now``) of the case with the longest history. A page that does not exist yet is
skipped with a note. The database is dropped at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
import warnings
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from register import bench_database_url, create_database, drop_database, fill  # noqa: E402

SIGNED_STAGES = {
    "signing",  # approved by the committee, not yet signed: an approved version
    "active",
    "renegotiation",
    "notice_given",
    "winding_down",
    "closed",
}
DRAFT_STAGES = {"drafting": "draft", "legal_review": "submitted", "awaiting_decision": "approved"}
FOLLOWED = ("active", "renegotiation", "notice_given", "winding_down")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="number of cases (default 10000)")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per page (default 9)")
    parser.add_argument("--db-name", default="iop_bench_oversight")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--only",
        choices=("portfolio", "statistics", "dossier"),
        action="append",
        help="bench only these parts (repeatable; default all)",
    )
    args = parser.parse_args()
    if args.cases < 501:
        parser.error("--cases must be at least 501 (register.py's fill)")
    return args


# --- Data on top of register.py's cases ----------------------------------------------------


def fill_oversight(seed: int) -> dict:
    """Agreements, budgets, amount changes and deadlines for the cases register.py made."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from agreements.constants import BudgetKind, PartyKind, TermKind
    from agreements.models import Agreement, AgreementParty, AgreementVersion, BudgetLine
    from decisions.constants import MatterKind, MatterStatus, Outcome
    from decisions.models import Decision, Matter, Meeting
    from followups.constants import DeadlineKind, DeadlineState
    from followups.models import Deadline
    from iop.constants import Role
    from iop.models import Case

    rng = random.Random(seed + 1)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    cases = list(
        Case.objects.filter(status__in=SIGNED_STAGES | set(DRAFT_STAGES)).values(
            "pk", "status", "received_on", "public_body_id", "committee_id"
        )
    )
    org_of = dict(
        Case.organisations.through.objects.filter(case_id__in=[c["pk"] for c in cases])
        .order_by("case_id", "organisation_id")
        .values_list("case_id", "organisation_id")
    )
    agreements = Agreement.objects.bulk_create(
        [Agreement(case_id=c["pk"]) for c in cases], batch_size=2000
    )
    versions = []
    for case, agreement in zip(cases, agreements, strict=True):
        start = case["received_on"] + datetime.timedelta(days=rng.randint(150, 300))
        start = start.replace(day=1)
        if case["status"] in DRAFT_STAGES:
            status, signed_at = DRAFT_STAGES[case["status"]], None
        elif case["status"] == "signing":
            status, signed_at = "approved", None
        else:
            status = "signed"
            signed_at = datetime.datetime.combine(start, datetime.time(12), tzinfo=tz)
        versions.append(
            AgreementVersion(
                agreement=agreement,
                number=1,
                status=status,
                start_date=start,
                term_kind=TermKind.FIXED if rng.random() < 0.6 else TermKind.UNTIL_FURTHER_NOTICE,
                term_years=rng.choice((3, 4, 5)),
                signed_at=signed_at,
            )
        )
    AgreementVersion.objects.bulk_create(versions, batch_size=2000)

    parties = []
    for case, version in zip(cases, versions, strict=True):
        amount = Decimal(rng.randrange(100_000, 900_000, 10_000))
        parties.append(
            AgreementParty(
                version=version,
                order=1,
                kind=PartyKind.PUBLIC_BODY,
                public_body_id=case["public_body_id"],
                annual_amount=amount,
            )
        )
        parties.append(
            AgreementParty(
                version=version,
                order=2,
                kind=PartyKind.ORGANISATION,
                organisation_id=org_of[case["pk"]],
                annual_amount=Decimal(0),
            )
        )
    AgreementParty.objects.bulk_create(parties, batch_size=4000)

    lines = []
    for i, version in enumerate(versions):
        public, organisation = parties[2 * i], parties[2 * i + 1]
        for year in range(version.start_date.year, version.start_date.year + version.term_years):
            lines += [
                BudgetLine(
                    version=version,
                    party=public,
                    year=year,
                    kind=BudgetKind.MONEY,
                    description="Medel från regionen",
                    amount=public.annual_amount,
                ),
                BudgetLine(
                    version=version,
                    party=organisation,
                    year=year,
                    kind=BudgetKind.MONEY,
                    description="Föreningens egna medel",
                    amount=Decimal(rng.randrange(0, 100_000, 5_000)),
                ),
                BudgetLine(
                    version=version,
                    party=organisation,
                    year=year,
                    kind=BudgetKind.VOLUNTEER,
                    description="Frivilligas arbete",
                    hours=Decimal(rng.randrange(200, 3000, 50)),
                    hourly_value=Decimal(300),
                ),
                BudgetLine(
                    version=version,
                    party=organisation,
                    year=year,
                    kind=BudgetKind.PREMISES,
                    description="Föreningens lokaler",
                    amount=Decimal(rng.randrange(20_000, 150_000, 10_000)),
                ),
            ]
    BudgetLine.objects.bulk_create(lines, batch_size=5000)

    # An approved amount change for one active IOP in ten, at one meeting per committee.
    secretary = get_user_model().objects.filter(groups__name=Role.CASE_OFFICER.value).first()
    meetings = {
        committee_id: Meeting.objects.create(
            committee_id=committee_id,
            date=today - datetime.timedelta(days=60),
            starts_at=datetime.time(13),
            place="Sessionssalen",
            matters_deadline=today - datetime.timedelta(days=80),
        )
        for committee_id in {c["committee_id"] for c in cases}
    }
    changed = [c for c in cases if c["status"] == "active" and rng.random() < 0.1]
    matters = Matter.objects.bulk_create(
        [
            Matter(
                case_id=c["pk"],
                committee_id=c["committee_id"],
                kind=MatterKind.RENEGOTIATION,
                status=MatterStatus.FINAL,
                title="Omförhandling",
                amount_change=Decimal(rng.randrange(-50_000, 100_000, 10_000) or 25_000),
                change_from=today.replace(month=1, day=1) + datetime.timedelta(days=150),
            )
            for c in changed
        ],
        batch_size=2000,
    )
    paragraphs: dict[int, int] = {}
    decisions = []
    for case, matter in zip(changed, matters, strict=True):
        meeting = meetings[case["committee_id"]]
        paragraphs[meeting.pk] = paragraphs.get(meeting.pk, 0) + 1
        decisions.append(
            Decision(
                matter=matter,
                meeting=meeting,
                paragraph=paragraphs[meeting.pk],
                outcome=Outcome.APPROVED,
                decision_text="Nämnden beslutar enligt förslaget.",
                recorded_by=secretary,
            )
        )
    Decision.objects.bulk_create(decisions, batch_size=2000)

    # Follow-up deadlines of the followed IOPs: done, and one open in the future, due soon or
    # overdue.
    followed = Case.objects.filter(status__in=FOLLOWED).values_list("pk", flat=True)
    deadlines = []
    for case_id in followed:
        for sequence in range(1, 4):
            on = today - datetime.timedelta(days=180 * (4 - sequence))
            deadlines.append(
                Deadline(
                    case_id=case_id,
                    kind=DeadlineKind.CHECK_IN,
                    sequence=sequence,
                    nominal_on=on,
                    due_on=on,
                    state=DeadlineState.DONE,
                    done_on=on,
                )
            )
        roll = rng.random()
        offset = -rng.randint(1, 400) if roll < 0.25 else rng.randint(0, 13) if roll < 0.4 else 60
        on = today + datetime.timedelta(days=offset)
        deadlines.append(
            Deadline(
                case_id=case_id,
                kind=DeadlineKind.COMMITTEE_FOLLOW_UP if roll < 0.1 else DeadlineKind.CHECK_IN,
                sequence=4,
                nominal_on=on,
                due_on=on,
                state=DeadlineState.OPEN,
            )
        )
    Deadline.objects.bulk_create(deadlines, batch_size=5000)

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "agreements": len(agreements),
        "signed": sum(1 for v in versions if v.signed_at),
        "lines": len(lines),
        "decisions": len(decisions),
        "deadlines": len(deadlines),
    }


# --- Measuring -----------------------------------------------------------------------------


def timed(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return elapsed, len(ctx.captured_queries)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def measure(client, url: str, runs: int) -> tuple[float, float, int]:
    """(median ms, p95 ms, queries) after two warm-up requests."""
    for _ in range(2):
        timed(client, url)
    results = [timed(client, url) for _ in range(runs)]
    times = [t * 1000 for t, _q in results]
    queries = {q for _t, q in results}
    return statistics.median(times), p95(times), max(queries)


def page_urls(parts: list[str]) -> list[tuple[str, str | None, str]]:
    """(label, url or None, note) of every page to time."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from iop.models import Committee

    year = timezone.localdate().year
    urls: list[tuple[str, str | None, str]] = []
    if "portfolio" in parts:
        committee = Committee.objects.order_by("pk").first()
        try:
            portfolio = reverse("oversight:portfolio")
            urls += [
                ("GET /portfolj/", portfolio, ""),
                (
                    "GET /portfolj/?committee=…&year=…",
                    f"{portfolio}?committee={committee.pk}&year={year}",
                    "",
                ),
                (
                    "GET /portfolj/pengar.xlsx",
                    reverse("oversight:portfolio_export", args=["pengar"]),
                    "",
                ),
            ]
        except NoReverseMatch:
            urls.append(("GET /portfolj/", None, "oversight:portfolio does not exist yet"))
    if "statistics" in parts:
        try:
            urls.append(("GET /statistik/", reverse("oversight:statistics"), ""))
        except NoReverseMatch:
            urls.append(("GET /statistik/", None, "oversight:statistics does not exist yet"))
        try:
            pdf = reverse("oversight:statistics_export", kwargs={"year": year - 1, "fmt": "pdf"})
            urls.append((f"GET /statistik/{year - 1}.pdf", pdf, ""))
        except NoReverseMatch:
            urls.append(
                (
                    "GET /statistik/<year>.pdf",
                    None,
                    "oversight:statistics_export does not exist yet",
                )
            )
    return urls


def build_now():
    """h4's dossier export in this process, wherever it lives; None when it is not there."""
    for module in ("oversight.dossier", "oversight.services.exports"):
        try:
            found = __import__(module, fromlist=["build_now"])
        except ImportError:
            continue
        if hasattr(found, "build_now"):
            return found.build_now
    return None


def dossier_bench(coordinator, runs: int) -> str:
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from iop.models import Case

    build = build_now()
    if build is None:
        return "  dossier export: skipped (oversight build_now does not exist yet)"
    case = (
        Case.objects.filter(status="active")
        .annotate(n=Count("events"))
        .order_by("-n", "pk")
        .first()
    )
    times, queries, sizes = [], [], []
    try:
        for _ in range(max(1, min(runs, 3))):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                export = build(case, coordinator)
                times.append((time.perf_counter() - start) * 1000)
            queries.append(len(ctx.captured_queries))
            sizes.append(export.size or 0)
            if export.status != "done":
                return f"  dossier export: the export ended {export.status}: {export.error[:200]}"
    except Exception as error:  # noqa: BLE001 — the bench reports, it does not stop
        return f"  dossier export: failed ({type(error).__name__}: {error})"
    return (
        f"  {'dossier export (build_now), ' + case.registry_number:44} "
        f"{statistics.median(times):>9.1f} ms {max(times):>9.1f} ms {max(queries):>8}"
        f"   ({len(times)} runs, {max(sizes) // 1024} KiB)"
    )


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.db_name)
    media = tempfile.mkdtemp(prefix="iop-bench-oversight-")
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings.base"
    os.environ["DEBUG"] = "false"
    os.environ["MEDIA_ROOT"] = media
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at")
    print(f"Creating database {args.db_name!r} on {urlsplit(url).hostname} …", flush=True)
    create_database(url, args.db_name)
    try:
        run(args)
    finally:
        if args.keep:
            print(f"Kept database {args.db_name!r} (DATABASE_URL={url}).")
        else:
            drop_database(url, args.db_name)
            import shutil

            shutil.rmtree(media, ignore_errors=True)
            print(f"Dropped database {args.db_name!r}.")


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from iop.constants import Role
    from iop.tests.factories import UserFactory

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    parts = args.only or ["portfolio", "statistics", "dossier"]

    t0 = time.perf_counter()
    data = fill(args.cases, args.seed)
    extra = fill_oversight(args.seed)
    fill_seconds = time.perf_counter() - t0
    coordinator = UserFactory(role=Role.COORDINATOR, username="bench_karin")
    client = Client()
    client.force_login(coordinator)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print()
    print(
        f"IOP-stöd oversight bench: {args.cases} cases, {data['organisations']} organisations, "
        f"{data['events']} case events, {extra['agreements']} agreements "
        f"({extra['signed']} signed), {extra['lines']} budget lines, {extra['decisions']} "
        f"amount changes, {extra['deadlines']} deadlines; PostgreSQL {pg_version}; data "
        f"created in {fill_seconds:.1f} s."
    )
    print()
    print(
        f"Server time over {args.runs} runs (Django test Client in-process, logged in as the "
        "IOP coordinator), and SQL queries per request:"
    )
    print(f"  {'request':44} {'median':>12} {'p95':>12} {'queries':>8}")
    for label, url, note in page_urls(parts):
        if url is None:
            print(f"  {label:44} skipped: {note}")
            continue
        try:
            median, high, queries = measure(client, url, args.runs)
        except Exception as error:  # noqa: BLE001 — report the page, bench the others
            print(f"  {label:44} failed: {type(error).__name__}: {error}")
            continue
        print(f"  {label:44} {median:>9.1f} ms {high:>9.1f} ms {queries:>8}")
    if "dossier" in parts:
        print(dossier_bench(coordinator, args.runs))


if __name__ == "__main__":
    main()
