"""The public bodies and their committees: reference data kept by admin."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import PublicBodyKind


class PublicBody(models.Model):
    """A region or municipality (kommun) that enters IOPs."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_code = models.CharField(
        _("short code"),
        max_length=10,
        unique=True,
        help_text=_("Prefix of the registry numbers, e.g. RV for Region Värmland."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PublicBodyKind.choices)
    logo = models.FileField(
        _("logo"),
        upload_to="logos/",
        blank=True,
        help_text=_("PNG or JPEG, printed at the top of the body's decision documents."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public body")
        verbose_name_plural = _("public bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """A committee (nämnd) of a public body; it decides on the IOPs it is responsible for."""

    public_body = models.ForeignKey(
        PublicBody,
        on_delete=models.PROTECT,
        related_name="committees",
        verbose_name=_("public body"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_code = models.CharField(_("short code"), max_length=10)
    is_active = models.BooleanField(_("active"), default=True)
    signing_official_name = models.CharField(
        _("signing official"),
        max_length=200,
        blank=True,
        help_text=_("Who signs the committee's tjänsteskrivelser, e.g. the head of department."),
    )
    signing_official_title = models.CharField(
        _("signing official's title"), max_length=200, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["public_body__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["public_body", "short_code"], name="committee_unique_code_per_body"
            ),
            models.UniqueConstraint(
                fields=["public_body", "name"], name="committee_unique_name_per_body"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegistrySequence(models.Model):
    """The last registry number given out per public body and year (one row locked per number)."""

    public_body = models.ForeignKey(PublicBody, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("registry number sequence")
        verbose_name_plural = _("registry number sequences")
        constraints = [
            models.UniqueConstraint(fields=["public_body", "year"], name="registry_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.public_body.short_code} {self.year}: {self.last_serial}"
