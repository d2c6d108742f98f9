"""The login lockouts in force (django-axes' attempt records), for the unlock page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


@dataclass(frozen=True)
class Lockout:
    username: str
    ip_address: str
    failures: int
    last_attempt: datetime
    ends_at: datetime


def current_lockouts() -> list[Lockout]:
    """Usernames and addresses with at least AXES_FAILURE_LIMIT failures within the cool-off:
    two queries, however many attempts there are."""
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    found: list[Lockout] = []
    for field in ("username", "ip_address"):
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")
        )
        for row in rows:
            found.append(
                Lockout(
                    username=row[field] if field == "username" else "",
                    ip_address=row[field] if field == "ip_address" else "",
                    failures=row["failures"],
                    last_attempt=row["last"],
                    ends_at=row["last"] + cool_off,
                )
            )
    return found
