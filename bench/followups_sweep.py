#!/usr/bin/env python
"""Bench the reminder sweep: 100 000 deadlines on PostgreSQL, swept twice.

    .venv/bin/python bench/followups_sweep.py [--deadlines 100000] [--keep]

Creates its own PostgreSQL database (``iop_bench_sweep`` on the server of DATABASE_URL, or on
postgres://postgres@127.0.0.1:5432, as bench/register.py does; SQLite is refused), fills it
with ``bulk_create``: ``--deadlines`` deadlines over ~``deadlines / 12`` followed cases (12 each:
six half-yearly check-ins, three annual evaluations, two committee follow-ups and a revision
point, from an activation 1–3 years ago), 60 case officers of whom some are away today (their
reminders go to the case's substitute) and three IOP coordinators (escalations). Past
deadlines are done, except — as the planner keeps them — the latest of its kind in 10–20 % of
the cases (overdue, most of them by more than the escalation limit); the rest are open, due
within the reminder window or later.

Then sweeps as the Celery tasks do (``sweep_reminders`` → ``send_reminder_emails``):
``followups.services.reminders.reminders_enqueue(today=…)`` — the outbox rows and in-app
notifications, in batches — then ``reminder_emails_send()`` until a call sends less than its
limit (one digest per person), and prints the time of each half, the SQL queries, the
reminders created and the e-mails sent; then sweeps again right away, which must create and
send nothing. Exits non-zero if the second run creates or sends anything, or if the outbox
breaks the once-per-(deadline, level, recipient) rule or leaves a reminder unsent.
E-mails go to Django's locmem backend (counted, never sent). The database is dropped at the
end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import signal
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from register import bench_database_url, create_database, drop_database  # noqa: E402

PER_CASE = 12
OFFICERS = 60
COORDINATORS = 3
AWAY_SHARE = 0.05  # officers on leave today
SUBSTITUTE_SHARE = 0.6  # cases that name a substitute
EMAIL_LIMIT = 200  # what the task send_reminder_emails sends per run


def _missed_shares() -> dict[str, float]:
    """The share of cases whose latest past deadline of a kind was missed (is still open)."""
    from followups.constants import DeadlineKind

    return {
        DeadlineKind.CHECK_IN: 0.15,
        DeadlineKind.ANNUAL_EVALUATION: 0.10,
        DeadlineKind.COMMITTEE_FOLLOW_UP: 0.20,
        DeadlineKind.REVISION: 0.10,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deadlines", type=int, default=100_000, help="deadlines (default 100000)")
    parser.add_argument("--db-name", default="iop_bench_sweep", help="database to create and drop")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--max-seconds", type=int, default=1800, help="give up (and drop the database) after this"
    )
    args = parser.parse_args()
    if args.deadlines < PER_CASE:
        parser.error(f"--deadlines must be at least {PER_CASE}")
    if not args.db_name.replace("_", "").isalnum():
        parser.error("--db-name may only hold letters, digits and _")
    return args


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.db_name)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings.base"
    os.environ["DEBUG"] = "false"
    # Nothing leaves the process: e-mails are kept in memory (counted), and what the services
    # hand to Celery after commit stays in an in-memory broker nobody consumes.
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at")

    def give_up(signum, frame):
        raise TimeoutError(f"the bench took more than {args.max_seconds} s")

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(args.max_seconds)

    parts = urlsplit(url)
    print(
        f"Creating database {args.db_name!r} on {parts.hostname}:{parts.port or 5432} …",
        flush=True,
    )
    create_database(url, args.db_name)
    status = 1
    try:
        status = run(args)
    finally:
        if args.keep:
            print(f"Kept database {args.db_name!r} (DATABASE_URL={url}).")
        else:
            drop_database(url, args.db_name)
            print(f"Dropped database {args.db_name!r}.")
    sys.exit(status)


# --- Data ----------------------------------------------------------------------------------


def fill(n_deadlines: int, seed: int, today: datetime.date) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from followups.constants import DeadlineKind, DeadlineState
    from followups.models import Absence, Deadline
    from followups.schedule import workday_on_or_before
    from iop.constants import CaseStatus, Role
    from iop.models import Case, Committee, PublicBody, RegistrySequence

    rng = random.Random(seed)
    missed_share = _missed_shares()
    User = get_user_model()
    tz = timezone.get_current_timezone()

    officers = User.objects.bulk_create(
        [
            User(
                username=f"handlaggare{i}",
                first_name=f"Förnamn{i}",
                last_name=f"Efternamn{i}",
                email=f"handlaggare{i}@bench.example",
            )
            for i in range(OFFICERS)
        ]
    )
    coordinators = User.objects.bulk_create(
        [
            User(
                username=f"iop{i}",
                first_name=f"Samordnare{i}",
                last_name="IOP",
                email=f"iop{i}@bench.example",
            )
            for i in range(COORDINATORS)
        ]
    )
    Group.objects.get(name=Role.CASE_OFFICER.value).user_set.add(*officers)
    Group.objects.get(name=Role.COORDINATOR.value).user_set.add(*coordinators)
    away = rng.sample(officers, max(1, round(OFFICERS * AWAY_SHARE)))
    Absence.objects.bulk_create(
        [
            Absence(
                user=user,
                starts_on=today - datetime.timedelta(days=7),
                ends_on=today + datetime.timedelta(days=21),
                note="Föräldraledighet",
            )
            for user in away
        ]
    )

    body = PublicBody.objects.create(name="Region Värmland", short_code="RV", kind="region")
    committees = [
        Committee.objects.create(public_body=body, name=name, short_code=code)
        for name, code in (
            ("Kultur- och bildningsnämnden", "KBN"),
            ("Hälso- och sjukvårdsnämnden", "HSN"),
            ("Regionala utvecklingsnämnden", "RUN"),
        )
    ]

    n_cases = -(-n_deadlines // PER_CASE)
    statuses = [CaseStatus.ACTIVE] * 17 + [
        CaseStatus.RENEGOTIATION,
        CaseStatus.NOTICE_GIVEN,
        CaseStatus.WINDING_DOWN,
    ]
    serials: Counter = Counter()
    cases, activations = [], []
    for i in range(n_cases):
        activated = today - datetime.timedelta(days=rng.randint(365, 3 * 365))
        year = activated.year - 1
        serials[year] += 1
        officer = rng.choice(officers)
        substitute = rng.choice([o for o in officers[:10] if o != officer])
        cases.append(
            Case(
                registry_number=f"RV {year}/{serials[year]:05d}",
                registry_year=year,
                registry_serial=serials[year],
                public_body=body,
                committee=rng.choice(committees),
                title=f"Idéburet offentligt partnerskap {i}",
                societal_challenge="Ensamhet och utanförskap.",
                idea_description="Mötesplatser tillsammans med regionen.",
                received_on=activated - datetime.timedelta(days=200),
                officer=officer,
                substitute=substitute if rng.random() < SUBSTITUTE_SHARE else None,
                status=rng.choice(statuses),
                status_changed_at=datetime.datetime.combine(
                    activated, datetime.time(10), tzinfo=tz
                ),
                created_by=officer,
            )
        )
        activations.append(activated)
    Case.objects.bulk_create(cases, batch_size=2000)
    RegistrySequence.objects.bulk_create(
        [
            RegistrySequence(public_body=body, year=year, last_serial=last)
            for year, last in serials.items()
        ]
    )

    # Twelve per case: check-ins every half year, evaluations every year, the committee
    # follow-up every two years, the revision point after four.
    plan = (
        [(DeadlineKind.CHECK_IN, (n // 2 + 1) * 100 + n % 2 + 1, 6 * (n + 1)) for n in range(6)]
        + [(DeadlineKind.ANNUAL_EVALUATION, n + 1, 12 * (n + 1)) for n in range(3)]
        + [(DeadlineKind.COMMITTEE_FOLLOW_UP, n + 1, 24 * (n + 1)) for n in range(2)]
        + [(DeadlineKind.REVISION, 1, 48)]
    )
    from followups.schedule import add_months

    deadlines = []
    for case, activated in zip(cases, activations, strict=True):
        rows = []
        for kind, sequence, months in plan[: n_deadlines - len(deadlines)]:
            nominal = add_months(activated, months)
            due = workday_on_or_before(nominal)
            row = Deadline(case=case, kind=kind, sequence=sequence, nominal_on=nominal, due_on=due)
            if due < today:
                row.state = DeadlineState.DONE
                row.done_on = due - datetime.timedelta(days=rng.randint(0, 20))
                row.done_record = "bench"
                row.done_note = "Genomfört"
            rows.append(row)
        # As the planner keeps them: of what was missed, only the latest of each kind is open.
        for kind in sorted({row.kind for row in rows}):
            past = [r for r in rows if r.kind == kind and r.due_on < today]
            if past and rng.random() < missed_share[kind]:
                latest = max(past, key=lambda r: r.due_on)
                latest.state = DeadlineState.OPEN
                latest.done_on, latest.done_record, latest.done_note = None, "", ""
        deadlines.extend(rows)
    Deadline.objects.bulk_create(deadlines, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"cases": len(cases), "deadlines": deadlines, "away": len(away)}


def describe(deadlines: list, today: datetime.date) -> str:
    from followups.constants import DeadlineState
    from followups.models import ReminderSettings

    rs = ReminderSettings.current()
    soon = today + datetime.timedelta(days=rs.due_soon_days)
    counts: Counter = Counter()
    for d in deadlines:
        if d.state != DeadlineState.OPEN:
            counts["done"] += 1
        elif d.due_on > soon:
            counts["later"] += 1
        elif d.due_on >= today:
            counts["due soon"] += 1
        elif (today - d.due_on).days > rs.escalate_after_days:
            counts["escalated"] += 1
        else:
            counts["overdue"] += 1
    total = len(deadlines)
    order = ("done", "later", "due soon", "overdue", "escalated")
    return ", ".join(f"{counts[k]} {k} ({100 * counts[k] / total:.1f} %)" for k in order)


# --- Measuring -----------------------------------------------------------------------------


@dataclass
class Run:
    created: int = 0
    emailed: int = 0
    enqueue_s: float = 0.0
    email_s: float = 0.0
    queries: int = 0
    mails: int = 0

    @property
    def seconds(self) -> float:
        return self.enqueue_s + self.email_s


def timed_sweep(today: datetime.date) -> Run:
    """The sweep as the Celery tasks run it: ``reminders_enqueue``, then
    ``reminder_emails_send`` until a call sends less than its limit (the task queues itself
    again after a full one)."""
    from django.core import mail
    from django.db import connection

    from followups.services.reminders import reminder_emails_send, reminders_enqueue

    measured = Run()

    def count(execute, sql, params, many, context):
        measured.queries += 1
        return execute(sql, params, many, context)

    mail.outbox = []
    with connection.execute_wrapper(count):
        start = time.perf_counter()
        measured.created = reminders_enqueue(today=today)
        measured.enqueue_s = time.perf_counter() - start
        start = time.perf_counter()
        while True:
            sent = reminder_emails_send(limit=EMAIL_LIMIT)
            measured.emailed += sent
            if sent < EMAIL_LIMIT:
                break
        measured.email_s = time.perf_counter() - start
    measured.mails = len(mail.outbox)
    return measured


def report(title: str, run: Run) -> None:
    print(title)
    print(
        f"  {run.seconds:8.2f} s in all: recording {run.enqueue_s:.2f} s, "
        f"e-mailing {run.email_s:.2f} s; {run.queries} SQL queries"
    )
    print(
        f"  {run.created} reminders created, {run.emailed} digest e-mails sent "
        f"({run.mails} in the mail backend)"
    )


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from followups.models import ReminderEmail, ReminderOutbox
    from iop.models import Notification

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    t0 = time.perf_counter()
    data = fill(args.deadlines, args.seed, today)
    print(
        f"Filled {len(data['deadlines'])} deadlines over {data['cases']} cases "
        f"({OFFICERS} officers, {data['away']} away today, {COORDINATORS} coordinators) "
        f"in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    print(f"  as of {today}: {describe(data['deadlines'], today)}", flush=True)

    first = timed_sweep(today)
    reminders = ReminderOutbox.objects.count()
    notifications = Notification.objects.count()
    print()
    report(f"Sweep over {len(data['deadlines'])} deadlines, PostgreSQL, first run:", first)
    by_level = dict(
        ReminderOutbox.objects.values_list("level").annotate(n=Count("pk")).order_by("level")
    )
    print(
        f"  {reminders} outbox rows ("
        + ", ".join(f"{k} {v}" for k, v in by_level.items())
        + f"), {notifications} notifications, "
        f"{ReminderEmail.objects.filter(sent_at__isnull=False).count()} ReminderEmail rows sent"
    )
    second = timed_sweep(today)
    report("Second run right after:", second)

    problems = []
    if second.created or second.emailed or second.mails:
        problems.append("the second run created or sent something")
    if ReminderOutbox.objects.count() != reminders:
        problems.append("the second run added outbox rows")
    if Notification.objects.count() != notifications:
        problems.append("the second run added notifications")
    if first.created != reminders:
        problems.append(f"the sweep said {first.created} reminders but made {reminders} rows")
    if first.emailed != first.mails:
        problems.append(f"the sweep said {first.emailed} e-mails but {first.mails} were sent")
    duplicates = (
        ReminderOutbox.objects.values("deadline", "level", "recipient")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    if duplicates:
        problems.append(f"{duplicates} (deadline, level, recipient) twice in the outbox")
    unsent = ReminderOutbox.objects.filter(sent_at__isnull=True).count()
    if unsent:
        problems.append(f"{unsent} reminders were left unsent")
    print()
    if problems:
        print("FAILED: " + "; ".join(problems))
        return 1
    print("OK: the second run created and sent nothing.")
    return 0


if __name__ == "__main__":
    main()
