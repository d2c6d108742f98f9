"""The committee's matters (ärenden till nämnden) and what their tjänsteskrivelse prints."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import DocumentRole, MatterKind, MatterStatus


class PerspectiveHeading(models.Model):
    """A perspective a public body's tjänsteskrivelser must address (e.g.
    *Barnrättsperspektiv*), kept by admin; every new matter gets one section per heading."""

    public_body = models.ForeignKey(
        "iop.PublicBody",
        on_delete=models.PROTECT,
        related_name="perspective_headings",
        verbose_name=_("public body"),
    )
    heading = models.CharField(_("heading"), max_length=200)
    guidance = models.TextField(
        _("guidance"), blank=True, help_text=_("What the officer is to write under it.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("perspective heading")
        verbose_name_plural = _("perspective headings")
        ordering = ["public_body", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["public_body", "heading"], name="perspective_heading_unique"
            )
        ]

    def __str__(self) -> str:
        return self.heading


class Matter(models.Model):
    """A matter put to the case's committee, prepared by the case officer. While a draft its
    text and decision points may be edited; **final** freezes them and registers its
    documents; a final matter is changed only by a new version (``replaces``)."""

    case = models.ForeignKey(
        "iop.Case",
        on_delete=models.PROTECT,
        related_name="committee_matters",
        verbose_name=_("case"),
    )
    committee = models.ForeignKey(
        "iop.Committee",
        on_delete=models.PROTECT,
        related_name="matters",
        verbose_name=_("committee"),
    )
    kind = models.CharField(_("kind of matter"), max_length=30, choices=MatterKind.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MatterStatus.choices,
        default=MatterStatus.DRAFT,
        db_index=True,
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)

    # The tjänsteskrivelse (DOMAIN.md §7), in the order it prints.
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    background = models.TextField(_("the matter"), blank=True)
    economic_consequences = models.TextField(_("economic consequences"), blank=True)
    send_to = models.TextField(
        _("the decision is sent to"), blank=True, help_text=_("One recipient per line.")
    )
    officer_name = models.CharField(_("case officer"), max_length=200, blank=True)
    officer_title = models.CharField(_("case officer's title"), max_length=200, blank=True)
    signing_official_name = models.CharField(_("signing official"), max_length=200, blank=True)
    signing_official_title = models.CharField(
        _("signing official's title"), max_length=200, blank=True
    )

    # Renegotiation: the change of the amount per full year, from a date.
    amount_public_body = models.ForeignKey(
        "iop.PublicBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("public party whose amount changes"),
    )
    amount_change = models.DecimalField(
        _("change per full year (kronor)"),
        max_digits=12,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("Positive to increase, negative to reduce."),
    )
    change_from = models.DateField(_("change from"), null=True, blank=True)

    # Ending: the last day and the wind-down plan.
    end_date = models.DateField(_("the partnership ends on"), null=True, blank=True)
    wind_down_plan = models.TextField(_("wind-down plan"), blank=True)

    # The follow-up attachment's five headings (DOMAIN.md §7).
    follow_up_cooperation = models.TextField(
        _("Short description of cooperation through IOP"), blank=True
    )
    follow_up_background = models.TextField(
        _("Background, purpose and goals of this IOP"), blank=True
    )
    follow_up_contributions = models.TextField(
        _("Contributions of the parties (money and work)"), blank=True
    )
    follow_up_goal_fulfilment = models.TextField(_("Goal fulfilment and effects"), blank=True)
    follow_up_development = models.TextField(_("Identified areas for development"), blank=True)

    # The renegotiation attachment.
    renegotiation_needs = models.TextField(_("Needs and reasons"), blank=True)
    renegotiation_consequences = models.TextField(
        _("Consequences if the request is refused"), blank=True
    )
    partner_request = models.TextField(_("The partner's own request"), blank=True)
    partner_request_file = models.FileField(
        _("the partner's request as a file"),
        upload_to="matters/requests/%Y/",
        blank=True,
    )
    include_agreement = models.BooleanField(_("attach the agreement"), default=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finalised by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee matter")
        verbose_name_plural = _("committee matters")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["committee", "status"], name="matter_committee_status"),
            models.Index(fields=["case", "-created_at"], name="matter_case_latest"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decisions:matter", args=[self.case_id, self.pk])

    @property
    def matter_kind(self) -> MatterKind:
        return MatterKind(self.kind)

    @property
    def is_draft(self) -> bool:
        return self.status == MatterStatus.DRAFT

    @property
    def is_final(self) -> bool:
        return self.status == MatterStatus.FINAL


class DecisionPoint(models.Model):
    """A numbered point of *Förslag till beslut*: generated from the case, editable while the
    matter is a draft. ``key`` names what generated it (empty for a point the officer added)."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="points", verbose_name=_("matter")
    )
    position = models.PositiveSmallIntegerField(_("number"))
    key = models.CharField(_("generated as"), max_length=30, blank=True)
    text = models.TextField(_("decision point"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision point")
        verbose_name_plural = _("decision points")
        ordering = ["matter", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class MatterPerspective(models.Model):
    """The text under one of the perspectives the body requires."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="perspectives", verbose_name=_("matter")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    heading = models.CharField(_("heading"), max_length=200)
    text = models.TextField(_("text"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("perspective")
        verbose_name_plural = _("perspectives")
        ordering = ["matter", "position", "pk"]

    def __str__(self) -> str:
        return self.heading


def matter_document_upload_to(instance: MatterDocument, filename: str) -> str:
    return f"matters/{instance.matter.case_id}/{instance.matter_id}/{filename}"


class MatterDocument(models.Model):
    """A printed document of a final matter (the tjänsteskrivelse, an attachment, the decision
    extract): registered in the diarium when the matter is finalised (or the decision
    recorded), its PDF stored by the rendering task (``file`` is empty until then)."""

    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, related_name="documents", verbose_name=_("matter")
    )
    role = models.CharField(_("document"), max_length=20, choices=DocumentRole.choices)
    attachment_number = models.PositiveSmallIntegerField(_("attachment"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    registry_entry = models.OneToOneField(
        "iop.RegistryEntry",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registry entry"),
    )
    file = models.FileField(_("file"), upload_to=matter_document_upload_to, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    sha256 = models.CharField(_("checksum"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("printed"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matter document")
        verbose_name_plural = _("matter documents")
        ordering = ["matter", "attachment_number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "role"], name="matter_document_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_rendered(self) -> bool:
        return bool(self.file)
