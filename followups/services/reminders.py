"""The reminders: a daily sweep that tells the owner of every open deadline when it is due
soon and when it is overdue, and the IOP coordinators when it stays overdue.

Two halves, each safe to run any number of times and concurrently:

``reminders_enqueue`` selects the open deadlines of the followed cases by *windows* (due on or
before today + ``due_soon_days``), never by date equality, so a sweep that did not run for
days (beat down over a holiday, the first run) catches up. Per batch of deadlines, in one
transaction, it inserts the ``ReminderOutbox`` rows and the in-app notifications with
``ignore_conflicts``: the unique constraints (deadline, level, recipient) and (recipient, key)
make each reminder exactly once however often, and however concurrently, the sweep runs.

``reminder_emails_send`` sends one e-mail per person listing their unsent reminders. It claims
the work in a short transaction (``SELECT … FOR UPDATE SKIP LOCKED``: a second worker takes
other rows or nothing), creating a ``ReminderEmail`` per recipient whose pk makes the
Message-ID, and commits. Then it sends each e-mail and, in a new transaction, marks it and its
rows sent. A worker that dies between claiming and marking leaves the e-mail claimed; once
``claimed_until`` has passed, the next run sends it again — the same rows, the same
Message-ID — and never while the claim holds.

What remains (documented, not solvable without a two-phase commit with the mail server): a
crash *after* the SMTP server accepted the message and *before* the mark commits sends that
e-mail a second time when the claim expires. It carries the same Message-ID, so mail servers
and clients that de-duplicate show it once, and a reader recognises the resend. A send that
takes longer than the claim (``claim_minutes``) could likewise be re-claimed by another worker;
keep the claim well above the SMTP timeout.

The in-app notifications are written with ``emailed_at`` set, so the hub's per-notification
e-mail never sends them as well: the digest is their e-mail.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from iop.constants import Role
from iop.models import Notification
from iop.services.notifications import absolute_url, users_with_role
from partners.users import display_name

from ..constants import FOLLOWED_STAGES, DeadlineKind, DeadlineState, ReminderLevel
from ..models import Absence, Deadline, ReminderEmail, ReminderOutbox, ReminderSettings

__all__ = [
    "NOTIFICATION_KIND",
    "SweepResult",
    "absent_user_ids",
    "message_id",
    "reminder_emails_send",
    "reminders_enqueue",
    "sweep",
]

logger = logging.getLogger(__name__)

NOTIFICATION_KIND = "reminder"

# A transaction-scoped advisory lock (PostgreSQL) that queues concurrent sweeps batch by
# batch, so that each counts exactly the rows it inserted. Nothing else takes it, so it
# cannot deadlock with the services that change deadlines.
_ENQUEUE_LOCK = 0x494F5052  # "IOPR"


@dataclass(frozen=True)
class SweepResult:
    created: int
    emailed: int


def notification_key(deadline_id: int, level: str) -> str:
    return f"reminder:{deadline_id}:{level}"


def absent_user_ids(user_ids: Iterable[int | None], today: datetime.date) -> set[int]:
    """Those of ``user_ids`` away on ``today``: an absence covers the day and was not ended
    early on or before it. One query."""
    ids = {pk for pk in user_ids if pk}
    if not ids:
        return set()
    return set(
        Absence.objects.filter(user_id__in=ids, starts_on__lte=today, ends_on__gte=today)
        .filter(Q(ended_early_at__isnull=True) | Q(ended_early_at__date__gt=today))
        .values_list("user_id", flat=True)
    )


def _owner_targets(
    row: dict[str, Any], *, absent: set[int], coordinators: list[int]
) -> list[tuple[int, int | None]]:
    """Who gets the owner's reminder, as (recipient, standing in for): the case officer; while
    they are away (or gone) the case's substitute; without one who is here, the coordinators."""
    officer = row["case__officer_id"]
    if officer and row["case__officer__is_active"] and officer not in absent:
        return [(officer, None)]
    substitute = row["case__substitute_id"]
    if (
        substitute
        and substitute != officer
        and row["case__substitute__is_active"]
        and substitute not in absent
    ):
        return [(substitute, officer)]
    return [(pk, officer) for pk in coordinators if pk != officer]


def _levels(
    due_on: datetime.date, today: datetime.date, conf: ReminderSettings
) -> list[ReminderLevel]:
    days_overdue = (today - due_on).days
    if days_overdue <= 0:
        return [ReminderLevel.DUE_SOON]
    if days_overdue > conf.escalate_after_days:
        return [ReminderLevel.OVERDUE, ReminderLevel.ESCALATED]
    return [ReminderLevel.OVERDUE]


def _long_date(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


def reminder_text(
    *,
    kind: str,
    level: str,
    due_on: datetime.date,
    reference: str,
    organisation: str,
    on_behalf_of: str = "",
    escalate_after_days: int = 30,
) -> str:
    """The reminder as users read it, in the active language, e.g. "Fritidsbanken:
    Avstämningsmöte förfaller 3 december 2026 (RV 2026/00012)" (the organisation first: the
    kinds' names read badly with "with …" after them)."""
    what = str(DeadlineKind(kind).label)
    if organisation:
        what = _("%(organisation)s: %(what)s") % {"what": what, "organisation": organisation}
    values = {"what": what, "date": _long_date(due_on), "reference": reference}
    if level == ReminderLevel.DUE_SOON:
        text = _("%(what)s is due %(date)s (%(reference)s)") % values
    elif level == ReminderLevel.OVERDUE:
        text = _("%(what)s was due %(date)s and is overdue (%(reference)s)") % values
    else:
        text = _(
            "%(what)s was due %(date)s and is overdue more than %(days)s days (%(reference)s)"
        ) % {
            **values,
            "days": escalate_after_days,
        }
    if on_behalf_of:
        text += " " + _("(standing in for %(name)s)") % {"name": on_behalf_of}
    return text[:500]


def _organisation_names(case_ids: set[int]) -> dict[int, str]:
    """Each case's organisations' names, by name, joined: one query."""
    from iop.models import Case

    through = Case.organisations.through
    names: dict[int, list[str]] = defaultdict(list)
    for case_id, name in (
        through.objects.filter(case_id__in=case_ids)
        .order_by("case_id", "organisation__name", "organisation_id")
        .values_list("case_id", "organisation__name")
    ):
        names[case_id].append(name)
    return {case_id: ", ".join(found) for case_id, found in names.items()}


_BATCH_FIELDS = (
    "pk",
    "kind",
    "due_on",
    "case_id",
    "case__registry_number",
    "case__officer_id",
    "case__officer__is_active",
    "case__substitute_id",
    "case__substitute__is_active",
)


def _enqueue_batch(
    batch: list[dict[str, Any]],
    *,
    today: datetime.date,
    conf: ReminderSettings,
    coordinators: list[int],
    now: datetime.datetime,
) -> int:
    """Insert the batch's reminders and notifications (the caller's transaction); returns how
    many reminders were new."""
    absent = absent_user_ids(
        [r["case__officer_id"] for r in batch] + [r["case__substitute_id"] for r in batch], today
    )
    organisations = _organisation_names({r["case_id"] for r in batch})
    # The reminders the batch already has (an earlier run's): skipped before their texts are
    # built, so a rerun costs one query per batch. The constraint still decides a race.
    existing = set(
        ReminderOutbox.objects.filter(deadline_id__in=[r["pk"] for r in batch]).values_list(
            "deadline_id", "level", "recipient_id"
        )
    )
    officer_ids = {r["case__officer_id"] for r in batch if r["case__officer_id"]}
    officers = get_user_model().objects.in_bulk(officer_ids) if officer_ids else {}

    outbox: list[ReminderOutbox] = []
    notifications: list[Notification] = []
    with translation.override(settings.LANGUAGE_CODE):
        for row in batch:
            owner_targets = _owner_targets(row, absent=absent, coordinators=coordinators)
            url = reverse("followups:case", args=[row["case_id"]]) + f"#deadline-{row['pk']}"
            for level in _levels(row["due_on"], today, conf):
                if level == ReminderLevel.ESCALATED:
                    targets = [(pk, None) for pk in coordinators]
                else:
                    targets = owner_targets
                for recipient_id, on_behalf_of_id in targets:
                    if (row["pk"], level.value, recipient_id) in existing:
                        continue
                    outbox.append(
                        ReminderOutbox(
                            deadline_id=row["pk"],
                            level=level,
                            recipient_id=recipient_id,
                            on_behalf_of_id=on_behalf_of_id,
                            due_on=row["due_on"],
                            created_at=now,
                        )
                    )
                    text = reminder_text(
                        kind=row["kind"],
                        level=level,
                        due_on=row["due_on"],
                        reference=row["case__registry_number"],
                        organisation=organisations.get(row["case_id"], ""),
                        on_behalf_of=display_name(officers.get(on_behalf_of_id))
                        if on_behalf_of_id
                        else "",
                        escalate_after_days=conf.escalate_after_days,
                    )
                    notifications.append(
                        Notification(
                            recipient_id=recipient_id,
                            case_id=row["case_id"],
                            kind=NOTIFICATION_KIND,
                            text=text,
                            url=url,
                            key=notification_key(row["pk"], level),
                            created_at=now,
                            emailed_at=now,
                        )
                    )
    if not outbox:
        return 0
    deadline_ids = [r["pk"] for r in batch]
    before = len(existing)
    ReminderOutbox.objects.bulk_create(outbox, ignore_conflicts=True, batch_size=500)
    Notification.objects.bulk_create(notifications, ignore_conflicts=True, batch_size=500)
    return ReminderOutbox.objects.filter(deadline_id__in=deadline_ids).count() - before


def reminders_enqueue(*, today: datetime.date | None = None, batch_size: int = 1000) -> int:
    """Record the reminders due ``today`` (by default the local date): for each open deadline
    of a followed case due within ``due_soon_days`` — *due soon* to its owner while not
    overdue, *overdue* once past its due date, and *escalated* to every IOP coordinator when
    more than ``escalate_after_days`` overdue. The owner is the case officer; while they are
    away, the case's substitute (standing in for them), or without one the coordinators.

    Exactly once per (deadline, level, recipient), however often it runs. Works in batches of
    ``batch_size`` deadlines by pk, one transaction each. Returns the reminders it created."""
    today = today or timezone.localdate()
    conf = ReminderSettings.current()
    horizon = today + datetime.timedelta(days=conf.due_soon_days)
    coordinators = list(users_with_role(Role.COORDINATOR).values_list("pk", flat=True))
    open_due = Deadline.objects.filter(
        state=DeadlineState.OPEN, case__status__in=FOLLOWED_STAGES, due_on__lte=horizon
    ).order_by("pk")
    created = 0
    last_pk = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ENQUEUE_LOCK])
            batch = list(open_due.filter(pk__gt=last_pk).values(*_BATCH_FIELDS)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1]["pk"]
            created += _enqueue_batch(
                batch, today=today, conf=conf, coordinators=coordinators, now=now
            )
        if len(batch) < batch_size:
            break
    if created:
        logger.info("Reminders: %s new for %s", created, today.isoformat())
    return created


# --- the e-mails -------------------------------------------------------------------------


def message_id(email: ReminderEmail) -> str:
    """The same on every attempt, so a resend after a crash is recognisable as one message."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminders-{email.pk}@{host}>"


def _claim(*, now: datetime.datetime, limit: int, claim: datetime.timedelta) -> list[int]:
    """Claim up to ``limit`` e-mails to send (one transaction): first those whose claim
    expired unsent (a worker died), then one new e-mail per recipient of unclaimed reminders.
    Rows another worker holds are skipped, never waited for."""
    with transaction.atomic():
        expired = list(
            ReminderEmail.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, claimed_until__lt=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if expired:
            for email in ReminderEmail.objects.filter(pk__in=expired):
                email.claimed_until = now + claim
                email.attempts += 1
                email.save(update_fields=["claimed_until", "attempts"])
        claimed = list(expired)
        room = limit - len(claimed)
        if room <= 0:
            return claimed
        unclaimed = ReminderOutbox.objects.filter(email__isnull=True, sent_at__isnull=True)
        recipients = list(
            unclaimed.order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:room]
        )
        by_recipient: dict[int, list[int]] = defaultdict(list)
        for pk, recipient_id in (
            unclaimed.select_for_update(skip_locked=True)
            .filter(recipient_id__in=recipients)
            .order_by("recipient_id", "pk")
            .values_list("pk", "recipient_id")
        ):
            by_recipient[recipient_id].append(pk)
        for recipient_id, row_ids in by_recipient.items():
            email = ReminderEmail.objects.create(
                recipient_id=recipient_id, created_at=now, claimed_until=now + claim, attempts=1
            )
            ReminderOutbox.objects.filter(pk__in=row_ids).update(email=email)
            claimed.append(email.pk)
    return claimed


def _message(email: ReminderEmail, items: list[ReminderOutbox]) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        entries = []
        for item in items:
            deadline = item.deadline
            case = deadline.case
            organisation = ", ".join(sorted(o.name for o in case.organisations.all()))
            entries.append(
                {
                    "text": reminder_text(
                        kind=deadline.kind,
                        level=item.level,
                        due_on=item.due_on,
                        reference=case.registry_number,
                        organisation=organisation,
                        on_behalf_of=display_name(item.on_behalf_of),
                    ),
                    "case": case,
                    "link": absolute_url(deadline.get_absolute_url()),
                }
            )
        count = len(items)
        context = {
            "recipient": email.recipient,
            "entries": entries,
            "count": count,
            "absences_url": absolute_url(reverse("followups:absences")),
            "notifications_url": absolute_url("/aviseringar/"),
        }
        subject = ngettext(
            "IOP-stöd: %(count)s reminder", "IOP-stöd: %(count)s reminders", count
        ) % {"count": count}
        body = render_to_string("followups/email/reminders.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[email.recipient.email],
        headers={"Message-ID": message_id(email)},
    )


def _mark_sent(email_pk: int, now: datetime.datetime) -> None:
    with transaction.atomic():
        ReminderEmail.objects.filter(pk=email_pk, sent_at__isnull=True).update(sent_at=now)
        ReminderOutbox.objects.filter(email_id=email_pk, sent_at__isnull=True).update(sent_at=now)


def reminder_emails_send(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Send the unsent reminders, one e-mail per person listing all their items with links;
    returns the e-mails sent. A claimed e-mail whose send fails stays claimed and is sent
    again (same Message-ID) after its claim expires; with ``send_emails`` off, or for a
    recipient without an address, the reminders are marked sent without mailing (the
    in-app notification is there)."""
    now = now or timezone.now()
    conf = ReminderSettings.current()
    claimed = _claim(now=now, limit=limit, claim=datetime.timedelta(minutes=conf.claim_minutes))
    if not claimed:
        return 0
    emails = ReminderEmail.objects.select_related("recipient").in_bulk(claimed)
    items_of: dict[int, list[ReminderOutbox]] = defaultdict(list)
    for item in (
        ReminderOutbox.objects.filter(email_id__in=claimed)
        .select_related("deadline__case", "on_behalf_of")
        .prefetch_related("deadline__case__organisations")
        .order_by("due_on", "deadline__case__registry_number", "pk")
    ):
        items_of[item.email_id].append(item)
    sent = 0
    for pk in claimed:
        email = emails[pk]
        items = items_of.get(pk, [])
        if items and conf.send_emails and email.recipient.email and email.recipient.is_active:
            try:
                _message(email, items).send()
            except Exception:  # noqa: BLE001 - any failure: leave it claimed for the retry
                logger.exception("Reminder e-mail %s not sent; retried after its claim", pk)
                continue
            sent += 1
        _mark_sent(pk, timezone.now())
    return sent


def sweep(
    *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> SweepResult:
    """The daily sweep: record the reminders due, then e-mail them."""
    created = reminders_enqueue(today=today)
    emailed = reminder_emails_send(now=now)
    return SweepResult(created=created, emailed=emailed)
