"""The committee's meetings, their agendas and packages, and the decisions recorded at them."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import Outcome, PackageStage, PackageStatus
from .matter import Matter


class Meeting(models.Model):
    """A meeting of a committee (nämndsammanträde)."""

    committee = models.ForeignKey(
        "iop.Committee",
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("committee"),
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("time"))
    place = models.CharField(_("place"), max_length=200)
    matters_deadline = models.DateField(
        _("last day for matters"),
        help_text=_("Matters must be final by this day to reach the agenda."),
    )
    minutes_file = models.FileField(_("minutes"), upload_to="meetings/minutes/%Y/", blank=True)
    minutes_rendered_at = models.DateTimeField(_("minutes printed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["date", "starts_at", "pk"]
        indexes = [models.Index(fields=["committee", "date"], name="meeting_committee_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "date", "starts_at"], name="meeting_unique_time"
            ),
            models.CheckConstraint(
                condition=models.Q(matters_deadline__lte=models.F("date")),
                name="meeting_deadline_before_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("decisions:meeting", args=[self.pk])


class AgendaItem(models.Model):
    """A final matter on a meeting's agenda, in the secretary's order. A matter is on one
    agenda at a time; moving it to a later meeting moves this row."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="items", verbose_name=_("meeting")
    )
    matter = models.OneToOneField(
        Matter, on_delete=models.PROTECT, related_name="agenda_item", verbose_name=_("matter")
    )
    position = models.PositiveSmallIntegerField(_("order"))
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}. {self.matter}"


class MeetingPackage(models.Model):
    """The meeting package: one PDF of the agenda and every matter's documents, made in the
    background by merging the stored PDFs. At most one package per meeting is queued or being
    made at a time (the constraint), so two clicks or two workers make one. ``signature`` is
    the checksum of what went in: a matter changed since gives a different one."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="packages", verbose_name=_("meeting")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PackageStatus.choices, default=PackageStatus.QUEUED
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=PackageStage.choices, default=PackageStage.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="meetings/packages/%Y/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    signature = models.CharField(_("contents checksum"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    # The Celery delivery (task id) making the package: the broker hands the same message
    # again only when the worker that had it was lost, and that redelivery takes over.
    claimed_by = models.CharField(_("claimed by"), max_length=255, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting package")
        verbose_name_plural = _("meeting packages")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(status__in=["queued", "running"]),
                name="package_one_in_flight",
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} ({self.get_status_display()})"


class Decision(models.Model):
    """The committee's decision on a matter, recorded by the secretary: the outcome, the §
    and the meeting. One per matter; a § once per meeting. ``case_event`` is the case's move
    (or the timeline entry) the decision made."""

    matter = models.OneToOneField(
        Matter, on_delete=models.PROTECT, related_name="decision", verbose_name=_("matter")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("meeting")
    )
    paragraph = models.PositiveSmallIntegerField(_("§"))
    outcome = models.CharField(_("decision"), max_length=30, choices=Outcome.choices)
    decision_text = models.TextField(_("the decision as minuted"))
    changed_text = models.TextField(_("the changed decision"), blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    case_event = models.OneToOneField(
        "iop.CaseEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_decision",
        verbose_name=_("case event"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee decision")
        verbose_name_plural = _("committee decisions")
        ordering = ["meeting", "paragraph"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "paragraph"], name="decision_paragraph_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} § {self.paragraph}"

    @property
    def decided_on(self):
        return self.meeting.date

    @property
    def approves(self) -> bool:
        return Outcome(self.outcome).approves
