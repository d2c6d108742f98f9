"""The audit log of access decisions (OWASP ASVS V7): who was refused, who logged in or
failed to, who exported or downloaded what, when and from where.

A row is written once, by ``iop.services.audit`` (the ``iop.audit`` logger's database
handler), and never changed or deleted: the admin shows it read-only, to the superuser and
the auditor. It has no history of its own, since nothing ever changes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import AuditEventKind, AuditOutcome


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now)
    event = models.CharField(_("event"), max_length=40)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # As typed or as it was at the time: a failed login names no user row, and a user's
    # name may change.
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["at"], name="iop_auditevent_at"),
            models.Index(fields=["event", "at"], name="iop_auditevent_event_at"),
        ]

    def __str__(self) -> str:
        return (
            f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S} {self.event} {self.username}".strip()
        )

    @property
    def event_label(self) -> str:
        try:
            return str(AuditEventKind(self.event).label)
        except ValueError:
            return self.event

    @property
    def outcome_label(self) -> str:
        try:
            return str(AuditOutcome(self.outcome).label)
        except ValueError:
            return self.outcome
