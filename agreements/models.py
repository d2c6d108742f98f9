"""The IOP agreement (DOMAIN.md §6): one per case, written as numbered versions.

A version holds everything the parties sign: the text under each heading, the parties with
their signatories, the term, the co-financing budget and the action plan. Only the newest
version may be a draft; submitting it to the jurist freezes it, and every later edit makes a
new draft, so each version the jurist, the committee or a signatory saw stays as it was.
"""

from __future__ import annotations

from decimal import Decimal

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .constants import (
    BudgetKind,
    PartyKind,
    RiskDirection,
    RiskFactor,
    SectionKey,
    SigningMethod,
    TermKind,
    VersionStatus,
)

ZERO = Decimal("0")


class Agreement(models.Model):
    """The agreement of one IOP case: the versions hang off it."""

    case = models.OneToOneField(
        "iop.Case", on_delete=models.PROTECT, related_name="agreement", verbose_name=_("case")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return str(_("Agreement for %(case)s") % {"case": self.case.registry_number})

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", args=[self.case_id])


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="versions", verbose_name=_("agreement")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on version"),
    )
    # Optimistic lock for the version's own fields (term, plan): a save names the revision it
    # was edited from, and a save from an older revision is refused, never silently applied.
    revision = models.PositiveIntegerField(_("revision"), default=1)

    start_date = models.DateField(_("start date"), null=True, blank=True)
    term_kind = models.CharField(
        _("term"), max_length=30, choices=TermKind.choices, default=TermKind.FIXED
    )
    term_years = models.PositiveSmallIntegerField(
        _("term in years"),
        null=True,
        blank=True,
        default=5,
        help_text=_("For a fixed term; Västra Götalandsregionen's standard is five years."),
    )
    revision_interval_years = models.PositiveSmallIntegerField(
        _("revision every … years"),
        null=True,
        blank=True,
        default=2,
        help_text=_(
            "For an agreement until further notice; Region Värmland revises every second year."
        ),
    )
    notice_months = models.PositiveSmallIntegerField(
        _("notice period in months"),
        default=6,
        validators=[MinValueValidator(1)],
        help_text=_("Either party may end the partnership with this notice; no fixed dates."),
    )
    invoice_address = models.TextField(_("invoice address"), blank=True)

    # Action plan (DOMAIN.md §6.5): the activities are rows of ActionPlanActivity.
    concrete_results = models.TextField(_("concrete results"), blank=True)
    intangible_results = models.TextField(
        _("intangible results"),
        blank=True,
        help_text=_("E.g. trust, community, relationships, personal development, quality of life."),
    )
    checkins_per_year = models.PositiveSmallIntegerField(
        _("check-in meetings per year"),
        default=2,
        validators=[MinValueValidator(2)],
        help_text=_("At least two a year."),
    )
    annual_evaluation = models.TextField(
        _("annual evaluation"),
        blank=True,
        help_text=_(
            "How and when the parties evaluate the year, with the organisation's annual report."
        ),
    )

    # A renegotiated version that changes an amount must name the committee decision that
    # allows it. The decisions issue links this to the recorded decision.
    authorising_decision = models.CharField(
        _("committee decision allowing the change"),
        max_length=200,
        blank=True,
        help_text=_(
            "The committee, date and § number, e.g. Kultur- och bildningsnämnden 2026-05-12 § 45."
        ),
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("reviewed by"),
    )
    signed_at = models.DateTimeField(_("signed by all"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="version_unique_number"),
            # Only one draft at a time: the newest version.
            models.UniqueConstraint(
                fields=["agreement"],
                condition=models.Q(status="draft"),
                name="version_one_draft",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return str(_("version %(number)s") % {"number": self.number})

    def get_absolute_url(self) -> str:
        return reverse("agreements:version", args=[self.agreement.case_id, self.number])


class AgreementSection(models.Model):
    """The text under one heading of one version."""

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="sections",
        verbose_name=_("version"),
    )
    key = models.CharField(_("heading"), max_length=30, choices=SectionKey.choices)
    text = models.TextField(_("text"), blank=True)
    # Optimistic lock: two people editing the same section never overwrite each other.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("updated by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement section")
        verbose_name_plural = _("agreement sections")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="section_unique_key"),
        ]

    def __str__(self) -> str:
        return str(self.get_key_display())


class AgreementParty(models.Model):
    """A party of one version: a public body or an organisation, with who signs for it."""

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="parties",
        verbose_name=_("version"),
    )
    order = models.PositiveSmallIntegerField(_("signing order"), default=1)
    kind = models.CharField(_("kind of party"), max_length=20, choices=PartyKind.choices)
    public_body = models.ForeignKey(
        "iop.PublicBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("public body"),
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact's e-mail"), blank=True)
    contact_phone = models.CharField(_("contact's phone"), max_length=30, blank=True)
    annual_amount = models.DecimalField(
        _("amount per full year (kr)"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("The money the party contributes per full year (kronor per helår)."),
    )

    # Signing (DOMAIN.md §3.6): recorded per party, in order.
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signing_method = models.CharField(
        _("signed"), max_length=10, choices=SigningMethod.choices, blank=True
    )
    signature_recorded_at = models.DateTimeField(_("signature recorded"), null=True, blank=True)
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("signature recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["version", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="public_body", public_body__isnull=False, organisation__isnull=True
                    )
                    | models.Q(
                        kind="organisation", organisation__isnull=False, public_body__isnull=True
                    )
                ),
                name="party_is_body_or_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        party = self.public_body if self.kind == PartyKind.PUBLIC_BODY else self.organisation
        return str(party) if party is not None else ""

    @property
    def is_public(self) -> bool:
        return self.kind == PartyKind.PUBLIC_BODY

    @property
    def has_signed(self) -> bool:
        return self.signed_on is not None


class BudgetLine(models.Model):
    """One contribution of one party in one year, in kronor (DOMAIN.md §6.2)."""

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("version"),
    )
    party = models.ForeignKey(
        AgreementParty,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("party"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=BudgetKind.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(
        _("amount (kr)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_("For money and in-kind contributions, in kronor."),
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    hourly_value = models.DecimalField(
        _("value per hour (kr)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["version", "year", "party__order", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def value(self) -> Decimal:
        """The contribution in kronor: hours × value per hour for volunteer work."""
        if self.kind == BudgetKind.VOLUNTEER:
            return (self.hours or ZERO) * (self.hourly_value or ZERO)
        return self.amount or ZERO


class ActionPlanActivity(models.Model):
    """One activity of the action plan (DOMAIN.md §6.5)."""

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("version"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    description = models.TextField(_("activity"))
    owner = models.CharField(_("responsible"), max_length=200)
    timetable = models.CharField(_("timetable"), max_length=200)
    expected_result = models.TextField(_("expected result"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


class ReviewComment(models.Model):
    """The jurist's comment on a submitted version: on one heading, or on the whole."""

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="review_comments",
        verbose_name=_("version"),
    )
    section_key = models.CharField(
        _("heading"), max_length=30, choices=SectionKey.choices, blank=True
    )
    text = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["version", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class RiskAssessment(models.Model):
    """The jurist's procurement-risk assessment of one version (DOMAIN.md §6.3)."""

    version = models.OneToOneField(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="risk_assessment",
        verbose_name=_("version"),
    )
    overall_assessment = models.TextField(
        _("overall assessment"),
        blank=True,
        help_text=_("Your overall assessment (samlad bedömning), in your own words."),
    )
    full_funding_accepted = models.TextField(
        _("reason for accepting full public funding"),
        blank=True,
        help_text=_(
            "Required when the public parties pay all of the cost: why it is nevertheless not procurement or unlawful state aid."
        ),
    )
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("assessed by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("procurement-risk assessment")
        verbose_name_plural = _("procurement-risk assessments")

    def __str__(self) -> str:
        return str(_("Assessment of %(version)s") % {"version": self.version})


class RiskFactorAnswer(models.Model):
    assessment = models.ForeignKey(
        RiskAssessment,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("assessment"),
    )
    factor = models.CharField(_("factor"), max_length=30, choices=RiskFactor.choices)
    direction = models.CharField(
        _("points to"), max_length=20, choices=RiskDirection.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"], name="risk_answer_unique"),
        ]

    def __str__(self) -> str:
        return str(self.get_factor_display())
