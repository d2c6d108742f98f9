"""Oversight's records: the auditor's dossier exports and their downloads."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def dossier_upload_to(instance: DossierExport, filename: str) -> str:
    return f"oversight/dossiers/{instance.case_id}/{filename}"


class DossierExport(models.Model):
    """One export of a case's dossier (a ZIP of every document, agreement version, decision
    extract, the history and the registry lines), built in the background. At most one per
    case is queued or being built (the constraint). The row itself is the log of who
    exported what, when; each download is a ``DossierDownload``."""

    case = models.ForeignKey(
        "iop.Case", on_delete=models.PROTECT, related_name="dossier_exports", verbose_name=_("case")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=dossier_upload_to, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dossier export")
        verbose_name_plural = _("dossier exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=["queued", "building"]),
                name="dossier_export_one_in_flight",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="dossier_export_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_status_display()}"

    @property
    def in_flight(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.BUILDING)


class DossierDownload(models.Model):
    """One download of a finished dossier export: who, when."""

    export = models.ForeignKey(
        DossierExport,
        on_delete=models.PROTECT,
        related_name="downloads",
        verbose_name=_("dossier export"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("downloaded by"),
    )
    at = models.DateTimeField(_("downloaded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dossier download")
        verbose_name_plural = _("dossier downloads")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.export_id} {self.at:%Y-%m-%d %H:%M}"
