"""Who stands in for whom, the reminder settings, and the reminders' outbox.

Exactly once: a reminder is a row of ``ReminderOutbox``, unique per (deadline, level,
recipient), inserted by the sweep together with its in-app notification in one transaction.
E-mail leaves in a daily digest per person (``ReminderEmail``): rows are claimed with
``SELECT … FOR UPDATE SKIP LOCKED``, the digest is sent with a Message-ID of its own row and
marked sent after the SMTP server accepted it; a digest whose claim expired unsent is sent
again, with the same Message-ID and the same rows (see ARCHITECTURE.md for what remains)."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import ReminderLevel


class Absence(models.Model):
    """A period a member of staff is away (sick leave, holiday): their reminders go to the
    substitute of each case meanwhile. Set by themselves or by the IOP coordinator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="absences",
        verbose_name=_("who is away"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to and including"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    ended_early_at = models.DateTimeField(_("ended early"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["user", "starts_on", "ends_on"], name="absence_period")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="absence_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_on.isoformat()}–{self.ends_on.isoformat()}"


class ReminderSettings(models.Model):
    """The reminders' levels and lead times, one row, edited by the admin."""

    due_soon_days = models.PositiveSmallIntegerField(
        _("remind … days before the due date"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate to the IOP coordinators after … days overdue"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    renegotiation_lead_months = models.PositiveSmallIntegerField(
        _("start renegotiating … months before a revision point or the end of a term"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    wind_down_plan_months_before_end = models.PositiveSmallIntegerField(
        _("the wind-down plan is due … months before the partnership ends"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(12)],
    )
    horizon_months = models.PositiveSmallIntegerField(
        _("plan check-ins and evaluations … months ahead"),
        default=24,
        validators=[MinValueValidator(6), MaxValueValidator(60)],
    )
    claim_minutes = models.PositiveSmallIntegerField(
        _("an unsent e-mail is sent again after … minutes"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )
    send_emails = models.BooleanField(_("send reminder e-mails"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(_("Reminder settings"))

    @classmethod
    def current(cls) -> ReminderSettings:
        """The one settings row (a migration creates it); the defaults, unsaved, should it
        be missing (a test database flushed between tests)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ReminderEmail(models.Model):
    """One e-mail to one person listing their reminders; its pk makes the Message-ID."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recipient"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder e-mail")
        verbose_name_plural = _("reminder e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["claimed_until"],
                condition=models.Q(sent_at__isnull=True),
                name="reminderemail_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.created_at:%Y-%m-%d}"


class ReminderOutbox(models.Model):
    """One reminder: a deadline, at a level, to one person — at most once (the constraint)."""

    deadline = models.ForeignKey(
        "followups.Deadline",
        on_delete=models.PROTECT,
        related_name="reminders",
        verbose_name=_("deadline"),
    )
    level = models.CharField(_("level"), max_length=20, choices=ReminderLevel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recipient"),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("standing in for"),
    )
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    email = models.ForeignKey(
        ReminderEmail,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("e-mail"),
    )
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "level", "recipient"], name="reminder_once_per_level"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(email__isnull=True),
                name="reminder_unclaimed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.deadline} → {self.recipient}"
