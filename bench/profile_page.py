#!/usr/bin/env python
"""The CPU time of the hot pages on the demo data, with DEBUG off.

    .venv/bin/python bench/profile_page.py [--runs 15]
    .venv/bin/python bench/profile_page.py --profile case       # cProfile one page, top 40
    .venv/bin/python bench/profile_page.py --database postgres://localhost/iop_load_demo

Loads the demo data into a fresh database of its own (a temporary SQLite file by default;
``--database`` names a PostgreSQL database, which is created and dropped: only a name starting
with ``iop_load`` is accepted), then opens each page with Django's test client in-process as
the user the page is for and prints the median process CPU time (``time.process_time``, so the
database server's own time on PostgreSQL is left out) and wall time of ``--runs`` requests,
after two warm-up requests, and the SQL query count. The cached template loader is on (as in
production: DEBUG is off).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (label, user, url name, kwargs: "case" is filled in with the demo case of most events)
PAGES = [
    ("case", "anna", "cases:detail", {"pk": "case"}),
    ("register", "anna", "cases:list", {}),
    ("jurist queue", "erik", "agreements:review_queue", {}),
    ("finance plan", "omar", "finance:year_plan", {}),
    ("start (officer)", "anna", "home", {}),
    ("start (jurist)", "erik", "home", {}),
    # The fixed cost of a logged-in page: the accessibility statement in the full layout.
    ("statement", "anna", "accessibility", {}),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
    parser.add_argument("--database", help="a PostgreSQL URL (database name iop_load*)")
    parser.add_argument(
        "--sqlite", help="keep the SQLite database in this file; reuse it when it exists"
    )
    parser.add_argument("--profile", help="cProfile the page with this label (or a prefix)")
    parser.add_argument(
        "--pyinstrument",
        action="store_true",
        help="profile with pyinstrument (pip install pyinstrument) instead of cProfile",
    )
    parser.add_argument("--top", type=int, default=40, help="lines of the profile to print")
    parser.add_argument("--filter", help="print only functions whose path matches this regex")
    parser.add_argument("--callers", help="also print the callers of functions matching this")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    return parser.parse_args()


def admin_sql(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(
        dbname="postgres",
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
        user=parts.username or None,
        password=parts.password,
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def main() -> None:
    args = parse_args()
    pg_name = None
    if args.database:
        parts = urlsplit(args.database)
        pg_name = parts.path.lstrip("/")
        if not parts.scheme.startswith("postgres") or not pg_name.startswith("iop_load"):
            sys.exit("--database must be a postgres:// URL of a database named iop_load…")
        if not pg_name.replace("_", "").isalnum():
            sys.exit("the database name may only hold letters, digits and _")
        admin_sql(args.database, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        admin_sql(args.database, f'CREATE DATABASE "{pg_name}"')
        os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{pg_name}", "", ""))
    elif args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.sqlite).resolve()}"
    else:
        workdir = Path(tempfile.mkdtemp(prefix="iop-bench-profile-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'profile.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings.dev"
    os.environ["DEBUG"] = "false"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ.setdefault("CACHE_URL", "locmemcache://")
    try:
        run(args)
    finally:
        if pg_name:
            from django.db import connections

            connections.close_all()
            admin_sql(args.database, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command

    assert not settings.DEBUG
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    settings.ALLOWED_HOSTS = ["*"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    for name in ("celery", "axes", "iop", "decisions", "followups"):
        logging.getLogger(name).setLevel(logging.WARNING)
    reuse = bool(args.sqlite) and Path(args.sqlite).exists()
    call_command("migrate", verbosity=0)
    if not reuse:
        with open(os.devnull, "w") as devnull:
            call_command("demo_data", allow_production=True, verbosity=0, stdout=devnull)
    measure(args)


def demo_case_pk() -> int:
    """The demo case with the most timeline events (the heaviest case page)."""
    from django.db.models import Count

    from iop.models import Case

    return (
        Case.objects.annotate(n=Count("events")).order_by("-n", "pk").values_list("pk", flat=True)
    )[0]


def reference_ms() -> float:
    """The median CPU time of a fixed loop: divide the pages' times by it to compare runs on
    a busy machine."""
    times = []
    for _ in range(7):
        started = time.process_time()
        sum(i * i for i in range(300_000))
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def measure(args: argparse.Namespace) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    print(f"reference: {reference_ms():.1f} CPU ms for a fixed pure-Python loop (machine speed)")
    users = get_user_model().objects
    case_pk = demo_case_pk()
    clients: dict[str, Client] = {}
    print(f"{'page':<18} {'url':<28} {'queries':>7} {'CPU ms':>8} {'wall ms':>8}")
    for label, username, name, kwargs in PAGES:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(users.get(username=username))
        client = clients[username]
        url = reverse(name, kwargs={k: case_pk if v == "case" else v for k, v in kwargs.items()})
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        reset_queries()  # a full query log (9 000 entries) would count nothing
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        n_queries = len(queries)  # now: the next request's request_started clears the log
        if args.profile and label.startswith(args.profile) and args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.runs):
                client.get(url)
            profiler.stop()
            print(f"--- {label} {url}: {args.runs} requests")
            print(profiler.output_text(unicode=True, show_all=False, short_mode=False))
            continue
        if args.profile and label.startswith(args.profile):
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.runs):
                client.get(url)
            profiler.disable()
            print(f"--- {label} {url}: {args.runs} requests")
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(*([args.filter] if args.filter else []), args.top)
            if args.callers:
                stats.print_callers(args.callers)
            continue
        cpu, wall = [], []
        for _ in range(args.runs):
            c0, w0 = time.process_time(), time.perf_counter()
            client.get(url)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        print(
            f"{label:<18} {url:<28} {n_queries:>7} "
            f"{statistics.median(cpu):>8.1f} {statistics.median(wall):>8.1f}"
        )


if __name__ == "__main__":
    main()
