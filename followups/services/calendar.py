"""The calendar: each user's secret feed address (made on first use, renewed on request, the
old address then answering 404), and the iCalendar documents — the feed of the user's open
deadlines and booked check-ins, and the download of one deadline or one check-in.

Outlook and the other clients subscribing to a feed match an event by its UID and take the
highest SEQUENCE (then LAST-MODIFIED) as the current one, so every event's UID is derived from
its row (``deadline-<pk>@<host>``, the check-in's own ``uid``) and never from the day it was
written; a recomputation that changes nothing changes neither the UID nor the SEQUENCE."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

import icalendar

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partners.users import display_name

from ..models import CalendarToken, CheckIn, Deadline
from ..models.calendar import new_calendar_token

__all__ = [
    "CONTENT_TYPE",
    "calendar_feed",
    "calendar_token_for",
    "calendar_token_renew",
    "check_in_ics",
    "deadline_ics",
    "deadline_uid",
]

CONTENT_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//IOP-stöd//Uppföljning//SV"
# SEQUENCE counts minutes since this moment: it grows with every change of the row
# (``updated_at``) and stays put when nothing changed, without a counter to keep.
SEQUENCE_EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def calendar_host() -> str:
    return urlparse(settings.SITE_URL).hostname or "iop-stod"


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- The secret address -----------------------------------------------------------------


@transaction.atomic
def calendar_token_for(*, user: Any) -> CalendarToken:
    """The user's feed secret, made the first time they ask for it."""
    token = CalendarToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        token = CalendarToken(user=user)
        token._history_user = user
        token.save()
    return token


@transaction.atomic
def calendar_token_renew(*, user: Any, actor: Any) -> CalendarToken:
    """A new secret for the user's feed: the old address answers 404 from now on (a
    calendar subscribed to it must be given the new one)."""
    token = CalendarToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        token = CalendarToken(user=user)
    else:
        token.token = new_calendar_token()
        token.created_at = timezone.now()
    token._history_user = actor
    token.save()
    return token


# --- iCalendar --------------------------------------------------------------------------


def deadline_uid(deadline: Deadline) -> str:
    return f"deadline-{deadline.pk}@{calendar_host()}"


def _sequence(updated_at: datetime.datetime) -> int:
    return max(int((updated_at - SEQUENCE_EPOCH).total_seconds() // 60), 0)


def _case_label(case: Any) -> str:
    organisations = ", ".join(o.name for o in case.organisations.all())
    return f"{case.registry_number} {organisations or case.title}".strip()


def _calendar(name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def _deadline_event(deadline: Deadline) -> icalendar.Event:
    """An all-day event on the due date, free time (a deadline does not book the day)."""
    case = deadline.case
    event = icalendar.Event()
    event.add("uid", deadline_uid(deadline))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", deadline.updated_at)
    event.add("sequence", _sequence(deadline.updated_at))
    event.add("dtstart", deadline.due_on)
    event.add("dtend", deadline.due_on + datetime.timedelta(days=1))
    event.add(
        "summary",
        _("Deadline: %(deadline)s – %(case)s")
        % {"deadline": deadline.get_kind_display(), "case": _case_label(case)},
    )
    url = _absolute(deadline.get_absolute_url())
    event.add(
        "description",
        _("Follow-up of the IOP «%(title)s», due %(date)s.\n%(url)s")
        % {"title": case.title, "date": deadline.due_on.isoformat(), "url": url},
    )
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    event.add("categories", [str(_("IOP follow-up"))])
    return event


def _check_in_event(check_in: CheckIn) -> icalendar.Event:
    case = check_in.case
    starts = check_in.starts_at
    event = icalendar.Event()
    event.add("uid", str(check_in.uid))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", check_in.updated_at)
    event.add("sequence", _sequence(check_in.updated_at))
    event.add("dtstart", starts.astimezone(datetime.UTC))
    event.add(
        "dtend",
        (starts + datetime.timedelta(minutes=check_in.duration_minutes)).astimezone(datetime.UTC),
    )
    event.add("summary", _("Check-in meeting: %(case)s") % {"case": _case_label(case)})
    if check_in.location:
        event.add("location", check_in.location)
    url = _absolute(check_in.get_absolute_url())
    event.add(
        "description",
        _("Check-in meeting of the IOP «%(title)s».\n%(url)s") % {"title": case.title, "url": url},
    )
    event.add("url", url)
    event.add("status", "CANCELLED" if check_in.cancelled else "CONFIRMED")
    event.add("categories", [str(_("IOP follow-up"))])
    return event


def _as_bytes(cal: icalendar.Calendar) -> bytes:
    return cal.to_ical()


def calendar_feed(
    *, user: Any, deadlines: Iterable[Deadline], check_ins: Iterable[CheckIn]
) -> bytes:
    """The user's feed: ``deadlines`` as all-day events, ``check_ins`` at their booked time.
    In Swedish whatever the subscribing client asks for (it sends no session)."""
    with translation.override(settings.LANGUAGE_CODE):
        cal = _calendar(_("IOP follow-up – %(name)s") % {"name": display_name(user)})
        cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
        for deadline in deadlines:
            cal.add_component(_deadline_event(deadline))
        for check_in in check_ins:
            cal.add_component(_check_in_event(check_in))
        return _as_bytes(cal)


def deadline_ics(deadline: Deadline) -> bytes:
    """One deadline as a calendar file, the same event as in the feed (same UID)."""
    cal = _calendar(str(_("IOP follow-up")))
    cal.add_component(_deadline_event(deadline))
    return _as_bytes(cal)


def check_in_ics(check_in: CheckIn) -> bytes:
    """One booked check-in as a calendar file, the same event as in the feed (same UID)."""
    cal = _calendar(str(_("IOP follow-up")))
    cal.add_component(_check_in_event(check_in))
    return _as_bytes(cal)
