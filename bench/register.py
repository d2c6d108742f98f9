#!/usr/bin/env python
"""Bench the case register against Django admin's case changelist.

    .venv/bin/python bench/register.py [--cases 10000] [--runs 9]

Creates its own PostgreSQL database (``iop_bench`` on the server of DATABASE_URL, or on
postgres://postgres@127.0.0.1:5432 when DATABASE_URL is unset), fills it with N cases
(with organisations, committees, officers and case events; registry numbers consistent with
RegistrySequence) using bulk_create, and prints, in one run:

* the server time (median of several runs, Django test Client in-process, logged in as a
  case officer) of the case register and of /admin/iop/case/, both at 25 rows per page;
* the SQL query counts of the register and the start page for 1 and for 500 visible rows.

The database is dropped at the end (``--keep`` keeps it). Dev and test databases are never
touched. SQLite is refused: its figures would say nothing about production.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import signal
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
PAGE_SIZE = 25
VISIBLE_MANY = 500


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="number of cases (default 10000)")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per page (default 9)")
    parser.add_argument("--db-name", default="iop_bench", help="database to create and drop")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--max-seconds", type=int, default=900, help="give up (and drop the database) after this"
    )
    args = parser.parse_args()
    if args.cases < VISIBLE_MANY + 1:
        parser.error(f"--cases must be at least {VISIBLE_MANY + 1}")
    if not args.db_name.replace("_", "").isalnum():
        parser.error("--db-name may only hold letters, digits and _")
    return args


def bench_database_url(db_name: str) -> str:
    """The bench database on the server DATABASE_URL points at; never DATABASE_URL's database."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        sys.exit(
            "bench/register.py measures PostgreSQL, but DATABASE_URL points at SQLite.\n"
            "Run it with a PostgreSQL server, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/register.py\n"
            "(only the server is used: the bench creates and drops its own database "
            f"«{db_name}»)."
        )
    if not parts.scheme.startswith(("postgres", "pgsql")):
        sys.exit(f"bench/register.py needs PostgreSQL; DATABASE_URL has scheme {parts.scheme!r}.")
    return urlunsplit((parts.scheme, parts.netloc, f"/{db_name}", parts.query, ""))


def admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        dbname="postgres",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        autocommit=True,
    )


def create_database(url: str, name: str) -> None:
    with admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    with admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Data ----------------------------------------------------------------------------------

# The stage each stage is reached from, and the transition that does it (DOMAIN.md §3).
REACHED_FROM = {
    "preparation": ("received", "start_preparation"),
    "not_pursued": ("preparation", "close_not_pursued"),
    "drafting": ("preparation", "start_drafting"),
    "legal_review": ("drafting", "submit_for_legal_review"),
    "awaiting_decision": ("legal_review", "approve_legal_review"),
    "rejected": ("awaiting_decision", "record_rejection"),
    "signing": ("awaiting_decision", "record_approval"),
    "active": ("signing", "activate"),
    "renegotiation": ("active", "start_renegotiation"),
    "notice_given": ("active", "give_notice"),
    "winding_down": ("notice_given", "start_winding_down"),
    "closed": ("winding_down", "close"),
}
STAGE_WEIGHTS = {
    "received": 6,
    "preparation": 8,
    "not_pursued": 10,
    "drafting": 6,
    "legal_review": 3,
    "awaiting_decision": 3,
    "rejected": 3,
    "signing": 2,
    "active": 35,
    "renegotiation": 4,
    "notice_given": 2,
    "winding_down": 2,
    "closed": 16,
}
OPEN_STAGES = ["received", "preparation", "drafting", "legal_review", "active", "renegotiation"]
WORDS = [
    "Mötesplatser",
    "Fritidsbanken",
    "Suicidprevention",
    "Brottsofferstöd",
    "Afasi",
    "Läxhjälp",
    "Integration",
    "Ensamhet",
    "Idrott",
    "Kulturskola",
    "Föräldrastöd",
    "Våldsprevention",
    "Hälsa",
    "Natur",
    "Ungdom",
    "Seniorer",
    "Rehabilitering",
    "Språkcafé",
    "Jobbcoachning",
    "Funktionsrätt",
]
PLACES = [
    "Karlstad",
    "Arvika",
    "Kristinehamn",
    "Sunne",
    "Torsby",
    "Hagfors",
    "Filipstad",
    "Säffle",
    "Kil",
    "Forshaga",
]


def path_to(stage: str) -> list[tuple[str, str, str]]:
    steps = []
    while stage in REACHED_FROM:
        source, name = REACHED_FROM[stage]
        steps.append((source, stage, name))
        stage = source
    return steps[::-1]


def fill(n_cases: int, seed: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from iop.constants import CaseEventKind, Role
    from iop.models import Case, CaseEvent, Committee, PublicBody, RegistrySequence
    from partners.models import Organisation
    from partners.validators import luhn_check_digit

    rng = random.Random(seed)
    User = get_user_model()
    tz = timezone.get_current_timezone()

    officers_group = Group.objects.get(name=Role.CASE_OFFICER.value)
    officers = User.objects.bulk_create(
        [
            User(username=f"handlaggare{i}", first_name=f"Förnamn{i}", last_name=f"Efternamn{i}")
            for i in range(40)
        ]
    )
    # Both measured users may open the admin (is_staff) with the officer role's view permission.
    many = User.objects.create(
        username="bench_many", first_name="Maja", last_name="Många", is_staff=True
    )
    one = User.objects.create(
        username="bench_one", first_name="Ola", last_name="Ett", is_staff=True
    )
    officers_group.user_set.add(*officers, many, one)

    bodies = [
        PublicBody.objects.create(name="Region Värmland", short_code="RV", kind="region"),
        PublicBody.objects.create(name="Karlstads kommun", short_code="KK", kind="kommun"),
    ]
    committees = [
        Committee.objects.create(public_body=bodies[0], name=name, short_code=code)
        for name, code in (
            ("Kultur- och bildningsnämnden", "KBN"),
            ("Hälso- och sjukvårdsnämnden", "HSN"),
            ("Regionala utvecklingsnämnden", "RUN"),
        )
    ] + [
        Committee.objects.create(public_body=bodies[1], name=name, short_code=code)
        for name, code in (
            ("Kommunstyrelsen", "KS"),
            ("Socialnämnden", "SN"),
            ("Kultur- och fritidsnämnden", "KFN"),
        )
    ]

    n_orgs = max(50, n_cases // 5)
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{rng.choice(WORDS)}föreningen {rng.choice(PLACES)} {i}",
                org_number=f"802{i:06d}{luhn_check_digit(f'802{i:06d}')}",
                city=rng.choice(PLACES),
            )
            for i in range(n_orgs)
        ],
        batch_size=2000,
    )

    stages = list(STAGE_WEIGHTS)
    weights = list(STAGE_WEIGHTS.values())
    serials: dict[tuple[int, int], int] = defaultdict(int)
    cases = []
    # Who is officer: case 0 → bench_one; the next 500 → bench_many (open stages); the rest random.
    for i in range(n_cases):
        committee = rng.choice(committees)
        body = committee.public_body
        year = rng.randint(2018, 2026)
        serials[(body.pk, year)] += 1
        serial = serials[(body.pk, year)]
        if i == 0:
            officer, stage = one, "preparation"
        elif i <= VISIBLE_MANY:
            officer, stage = many, rng.choice(OPEN_STAGES)
        else:
            officer, stage = rng.choice(officers), rng.choices(stages, weights)[0]
        received = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
        changed = datetime.datetime.combine(
            received + datetime.timedelta(days=rng.randint(0, 400)), datetime.time(10), tzinfo=tz
        )
        cases.append(
            Case(
                registry_number=f"{body.short_code} {year}/{serial:05d}",
                registry_year=year,
                registry_serial=serial,
                public_body=body,
                committee=committee,
                title=f"{rng.choice(WORDS)} i {rng.choice(PLACES)} – partnerskap {i}",
                societal_challenge="Ensamhet och utanförskap. " * 20,
                idea_description="Föreningen vill bygga upp mötesplatser tillsammans med regionen. "
                * 20,
                received_on=received,
                officer=officer,
                substitute=rng.choice(officers)
                if i > VISIBLE_MANY and rng.random() < 0.3
                else None,
                status=stage,
                status_changed_at=changed,
                created_by=officer,
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)
    RegistrySequence.objects.bulk_create(
        [
            RegistrySequence(public_body_id=body_id, year=year, last_serial=last)
            for (body_id, year), last in serials.items()
        ]
    )

    OrgLink = Case.organisations.through
    BodyLink = Case.public_bodies.through
    links, body_links, events = [], [], []
    for case in cases:
        for org in rng.sample(organisations, rng.choice((1, 1, 1, 2, 3))):
            links.append(OrgLink(case_id=case.pk, organisation_id=org.pk))
        body_links.append(BodyLink(case_id=case.pk, publicbody_id=case.public_body_id))
        at = datetime.datetime.combine(case.received_on, datetime.time(9), tzinfo=tz)
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEventKind.CREATED,
                actor=case.officer,
                at=at,
                to_status="received",
            )
        )
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEventKind.ASSIGNMENT,
                actor=case.officer,
                assignee=case.officer,
                at=at,
                notified_at=at,
            )
        )
        for step, (source, target, name) in enumerate(path_to(case.status), start=1):
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEventKind.TRANSITION,
                    actor=case.officer,
                    at=at + datetime.timedelta(days=step * 20),
                    transition=name,
                    from_status=source,
                    to_status=target,
                )
            )
    OrgLink.objects.bulk_create(links, batch_size=5000)
    BodyLink.objects.bulk_create(body_links, batch_size=5000)
    CaseEvent.objects.bulk_create(events, batch_size=5000)

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "many": many,
        "one": one,
        "organisations": len(organisations),
        "links": len(links),
        "events": len(events),
    }


# --- Measuring -----------------------------------------------------------------------------


def timed_get(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}; cannot bench it.")
    return elapsed


def median_ms(client, url: str, runs: int) -> float:
    for _ in range(2):  # warm caches: templates, the connection, the session
        timed_get(client, url)
    return statistics.median(timed_get(client, url) for _ in range(runs)) * 1000


def interleaved(client, pairs: list[tuple[str, str]], runs: int) -> list[tuple[float, float]]:
    """Median times of (register, admin) pairs, run alternately so that background noise
    hits both sides alike."""
    results = []
    for left, right in pairs:
        for _ in range(2):
            timed_get(client, left)
            timed_get(client, right)
        a, b = [], []
        for _ in range(runs):
            a.append(timed_get(client, left))
            b.append(timed_get(client, right))
        results.append((statistics.median(a) * 1000, statistics.median(b) * 1000))
    return results


def query_count(client, url: str) -> tuple[int, int]:
    """(queries, rows in the response's table) for one GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response.content.count(b"<tr") - response.content.count(
        b"<thead"
    )


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.db_name)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings.base"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at")

    def give_up(signum, frame):
        raise TimeoutError(f"the bench took more than {args.max_seconds} s")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.max_seconds)

    started = time.perf_counter()
    print(
        f"Creating database {args.db_name!r} on {urlsplit(url).hostname}:{urlsplit(url).port or 5432} …",
        flush=True,
    )
    create_database(url, args.db_name)
    try:
        run(args, started)
    finally:
        if args.keep:
            print(f"Kept database {args.db_name!r} (DATABASE_URL={url}).")
        else:
            drop_database(url, args.db_name)
            print(f"Dropped database {args.db_name!r}.")


def run(args: argparse.Namespace, started: float) -> None:
    import django

    django.setup()
    from django.contrib import admin
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from iop.models import Case

    call_command("migrate", verbosity=0)
    if Case not in admin.site._registry:
        raise SystemExit(
            "iop.Case is not registered in Django admin (iop/admin.py): nothing to compare with."
        )
    case_admin = admin.site._registry[Case]
    case_admin.list_per_page = PAGE_SIZE  # the same page size as the register, for this run only

    t0 = time.perf_counter()
    data = fill(args.cases, args.seed)
    fill_seconds = time.perf_counter() - t0

    client = Client()
    client.force_login(data["many"])
    register_url = reverse("cases:list")
    admin_url = reverse("admin:iop_case_changelist")

    pairs = [("first page, default order", register_url, admin_url)]
    if case_admin.search_fields:
        pairs.append(("search «förening»", f"{register_url}?q=förening", f"{admin_url}?q=förening"))
    filters = [
        f if isinstance(f, str) else getattr(f, "__name__", "") for f in case_admin.list_filter
    ]
    if "status" in filters:
        pairs.append(
            ("stage = active", f"{register_url}?status=active", f"{admin_url}?status__exact=active")
        )
    from iop.models import Committee

    committee = Committee.objects.order_by("pk").first()
    if "committee" in filters and committee is not None:
        pairs.append(
            (
                "committee = one",
                f"{register_url}?committee={committee.pk}",
                f"{admin_url}?committee__id__exact={committee.pk}",
            )
        )
    if "officer" in str(case_admin.list_filter):
        officer_pk = data["many"].pk
        pairs.append(
            (
                "officer = one (500 cases)",
                f"{register_url}?officer={officer_pk}",
                f"{admin_url}?officer__id__exact={officer_pk}",
            )
        )
    if "registry_year" in filters:
        pairs.append(
            ("year = 2025", f"{register_url}?year=2025", f"{admin_url}?registry_year=2025")
        )
    deep = min(100, args.cases // PAGE_SIZE)  # the admin counts its pages from 0
    pairs.append((f"page {deep}", f"{register_url}?page={deep}", f"{admin_url}?p={deep - 1}"))
    times = interleaved(client, [(r, a) for _, r, a in pairs], args.runs)

    # Query counts for 1 and 500 visible rows.
    one_pk, many_pk = data["one"].pk, data["many"].pk
    counts = {}
    counts["register"] = [
        query_count(client, f"{register_url}?per_page=500&officer={pk}") for pk in (one_pk, many_pk)
    ]
    home = []
    for user in (data["one"], data["many"]):
        c = Client()
        c.force_login(user)
        home.append(query_count(c, reverse("home")))
    counts["start"] = home
    register_500_ms = median_ms(client, f"{register_url}?per_page=500&officer={many_pk}", args.runs)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]

    print()
    print(
        f"IOP-stöd bench: {args.cases} cases, {data['organisations']} organisations "
        f"({data['links']} case–organisation links), {data['events']} case events; "
        f"PostgreSQL {pg_version}, database {args.db_name!r}; data created in {fill_seconds:.1f} s."
    )
    print()
    print(
        f"Server time, median of {args.runs} runs (Django test Client in-process, logged in as a "
        f"case officer, {PAGE_SIZE} rows per page on both sides):"
    )
    print(f"  {'page':30} {'register':>12} {'admin changelist':>18} {'register ÷ admin':>18}")
    for (label, _r, _a), (reg, adm) in zip(pairs, times, strict=True):
        print(f"  {label:30} {reg:>9.1f} ms {adm:>15.1f} ms {reg / adm:>18.2f}")
    print(f"  {'register, 500 rows per page':30} {register_500_ms:>9.1f} ms")
    print()
    print("SQL queries per request, for 1 and for 500 visible rows:")
    print(f"  {'page':58} {'1 row':>8} {'500 rows':>9}")
    (r1, rows1), (r500, rows500) = counts["register"]
    (h1, _h1rows), (h500, _h500rows) = counts["start"]
    print(
        f"  {'case register (/arenden/?per_page=500&officer=…)':58} {r1:>8} {r500:>9}   (table rows: {rows1}, {rows500})"
    )
    print(f"  {'start page (/), the user is officer of 1 / 500 open cases':58} {h1:>8} {h500:>9}")
    print()
    print(f"Total bench time {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
