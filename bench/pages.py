#!/usr/bin/env python
"""The SQL query count and server time of every page, on the demo data.

    .venv/bin/python bench/pages.py [--runs 3]

Loads the demo data into a fresh SQLite database of its own (a temporary file; nothing else is
touched), then requests every GET route of the URLconf that takes no argument or an id of a
case, an organisation or an agreement version, for every demo case and organisation, as the
role the page is for (the coordinator: she reads and may do everything a case officer may; the
jurist for the review pages; admin for Django admin), with Django's test client in-process.
It prints one line a route: the number of objects it was opened for, the lowest and highest
query count over them (equal when the page is constant in its data) and the median time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per page (default 3)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="iop-bench-pages-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings.dev")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command

    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    settings.ALLOWED_HOSTS = ["*"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("migrate", verbosity=0)
    call_command("demo_data", verbosity=0)
    measure(args.runs)


def routes():
    """(name, pattern, argument names) of every route, namespaced, admin left out."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin" or p.app_name == "admin":
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}{p.name}", prefix + str(p.pattern), list(p.pattern.converters)

    yield from walk(get_resolver().url_patterns, "", "")


def measure(runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from iop.models import Case
    from partners.models import Organisation

    users = get_user_model().objects
    clients = {}
    for username in ("anna", "karin", "erik", "lena", "maria"):
        client = Client()
        client.force_login(users.get(username=username))
        clients[username] = client
    cases = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    organisations = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))

    print(f"{'page':<40} {'objects':>7} {'queries':>9} {'median ms':>10}")
    for username in ("anna", "karin", "erik", "lena", "maria"):
        report(f"home ({username})", [reverse("home")], clients[username], runs)
    for name, _pattern, arguments in sorted(routes()):
        if name in {"logout", "health"} or "pdf" in name or "export" in name:
            continue
        if not arguments:
            targets = [{}]
        elif arguments == ["case_pk"]:
            targets = [{"case_pk": pk} for pk in cases]
        elif arguments == ["pk"] and name.startswith("cases:"):
            targets = [{"pk": pk} for pk in cases]
        elif arguments == ["pk"] and name.startswith("partners:"):
            targets = [{"pk": pk} for pk in organisations]
        else:
            continue
        if name == "home":
            continue
        urls = []
        for kwargs in targets:
            try:
                urls.append(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                continue
        report(name, urls, clients["erik" if "review" in name else "karin"], runs)


def report(name, urls, client, runs) -> None:
    """Open each URL once counting queries, then ``runs`` times timing it; print one line."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    counts, times = [], []
    for url in urls:
        reset_queries()  # the log keeps 9 000 queries: a full one counts nothing
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            continue
        counts.append(len(queries))
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    if counts:
        low, high = min(counts), max(counts)
        spread = f"{low}–{high}" if low != high else str(low)
        print(f"{name:<40} {len(counts):>7} {spread:>9} {statistics.median(times):>10.1f}")


if __name__ == "__main__":
    main()
