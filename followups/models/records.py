"""What the parties did: check-in meetings, annual evaluations, the biennial follow-up report,
the notice and the wind-down plan. Written only by ``followups.services``; each has history."""

from __future__ import annotations

import datetime
import uuid

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import DeadlineKind


class Recorded(models.Model):
    """Who recorded a row and when."""

    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class CheckIn(Recorded):
    """A check-in meeting (avstämningsmöte): booked ahead (it shows in the calendar feed), then
    recorded after it was held, with who took part, notes and agreed actions."""

    case = models.ForeignKey(
        "iop.Case", on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("case")
    )
    uid = models.UUIDField(_("calendar id"), default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField(_("booked for"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=60)
    location = models.CharField(_("place"), max_length=200, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True, db_index=True)
    participants_public = models.TextField(_("participants from the public body"), blank=True)
    participants_organisation = models.TextField(
        _("participants from the organisation"), blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancelled_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("check-in meeting")
        verbose_name_plural = _("check-in meetings")
        ordering = ["-held_on", "-starts_at", "-pk"]
        indexes = [models.Index(fields=["case", "held_on"], name="checkin_case_held")]

    def __str__(self) -> str:
        when = self.held_on or (self.starts_at and timezone.localtime(self.starts_at).date())
        return f"{_('Check-in meeting')} {when or ''}".strip()

    def get_absolute_url(self) -> str:
        return reverse("followups:check_in", args=[self.case_id, self.pk])

    @property
    def is_held(self) -> bool:
        return self.held_on is not None

    @property
    def is_booked(self) -> bool:
        """Booked and still to be recorded: it can be recorded or cancelled."""
        return self.held_on is None and not self.cancelled

    @property
    def ends_at(self):
        if self.starts_at is None:
            return None
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


class CheckInAction(models.Model):
    """An action agreed at a check-in, with who does it and by when."""

    check_in = models.ForeignKey(
        CheckIn, on_delete=models.PROTECT, related_name="actions", verbose_name=_("check-in")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.CharField(_("action"), max_length=500)
    owner = models.CharField(_("who"), max_length=200)
    due_on = models.DateField(_("by"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class AnnualEvaluation(Recorded):
    """The year's evaluation: the organisation's annual report (registered in the diarium),
    the evaluation and both parties' views."""

    case = models.ForeignKey(
        "iop.Case", on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("case")
    )
    year = models.PositiveSmallIntegerField(
        _("year evaluated"), help_text=_("The calendar year the annual report covers.")
    )
    evaluated_on = models.DateField(_("evaluated on"))
    annual_report = models.ForeignKey(
        "iop.CaseDocument",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("annual report"),
    )
    evaluation = models.TextField(_("evaluation"))
    public_view = models.TextField(_("the public body's view"), blank=True)
    organisation_view = models.TextField(_("the organisation's view"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual evaluation")
        verbose_name_plural = _("annual evaluations")
        ordering = ["-evaluated_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "year"], name="evaluation_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"{_('Annual evaluation')} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("followups:case", args=[self.case_id]) + f"#evaluation-{self.pk}"


class EarlierFollowUp(Recorded):
    """A follow-up made before the case was in this system (a check-in, an annual evaluation or
    the committee's follow-up, with its reference, e.g. «HSN 2024-05-14 § 52»), so the
    deadlines of an IOP that was active before are generated from its history: it closes the
    deadline of its period like a record made here (``followups.schedule``). Recorded with
    ``services.deadlines.earlier_follow_up_record`` (in admin), never changed."""

    case = models.ForeignKey(
        "iop.Case",
        on_delete=models.PROTECT,
        related_name="earlier_follow_ups",
        verbose_name=_("case"),
    )
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=[
            (kind.value, kind.label)
            for kind in (
                DeadlineKind.CHECK_IN,
                DeadlineKind.ANNUAL_EVALUATION,
                DeadlineKind.COMMITTEE_FOLLOW_UP,
            )
        ],
    )
    done_on = models.DateField(_("date"))
    reference = models.CharField(
        _("reference"),
        max_length=300,
        help_text=_("Where it is recorded: the minutes' §, the registry number, the notes."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("earlier follow-up")
        verbose_name_plural = _("earlier follow-ups")
        ordering = ["-done_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.done_on.isoformat()}"
