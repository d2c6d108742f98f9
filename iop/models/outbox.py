"""Background work that could not be handed to the broker: the outbox."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """A Celery task whose message the broker did not take (Redis down) after what asked for
    it was committed. ``iop.tasks.resend_pending_tasks`` (beat, every minute) and the next
    successful send re-send it and delete the row. Plain plumbing, no user data: no history."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("pending background task")
        verbose_name_plural = _("pending background tasks")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"
