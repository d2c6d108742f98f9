"""The security part of the demo story (``iop.workflow.register_demo``): what the audit log and
the lockout page show an administrator.

Six days ago, late in the evening, someone tried twenty passwords for Johan's username from
an address outside the region (198.51.100.23, a documentation address): the login locked
the username and the address, and the audit log holds every failed attempt and the lockout.
The next morning Karin, the coordinator, lifted the lockout (``account_unlock``), which the
log also shows. (Maria's download of the dossier she exported is oversight's part.)

The events go through the audit logger, as the site's own requests log them; the addresses
are the story's. Idempotent: a database whose audit log holds the story's lockout is left
alone."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from .demo import Story
from .models import AuditEvent
from .services.account_lockouts import account_unlock

audit = logging.getLogger("iop.audit")

TARGET = "johan"
ATTACKER_IP = "198.51.100.23"
ATTEMPTS = 20
ATTACK_DAYS_AGO = 6


def play(story: Story) -> None:
    if AuditEvent.objects.filter(event="lockout", username=TARGET, ip=ATTACKER_IP).exists():
        return
    attack_day = story.day(ATTACK_DAYS_AGO)
    evening = timezone.make_aware(datetime.datetime.combine(attack_day, datetime.time(22, 40)))
    story.schedule(evening, try_passwords)
    story.schedule(evening + datetime.timedelta(minutes=1), lock_out)
    story.schedule(
        story.moment(attack_day + datetime.timedelta(days=1), "karin"),
        lambda: account_unlock(actor=story.user("karin"), username=TARGET),
    )


def _request(path: str, method: str = "POST") -> dict[str, str]:
    return {"path": path, "method": method}


def try_passwords() -> None:
    for _attempt in range(ATTEMPTS):
        audit.warning(
            "login failed",
            extra={
                "event": "login_failed",
                "outcome": "failure",
                "username": TARGET,
                "ip": ATTACKER_IP,
                **_request("/konto/logga-in/"),
            },
        )


def lock_out() -> None:
    audit.warning(
        "lockout",
        extra={
            "event": "lockout",
            "outcome": "denied",
            "username": TARGET,
            "ip": ATTACKER_IP,
            "status": 429,
            **_request("/konto/logga-in/"),
        },
    )
