"""What a version holds: the text under each heading, the parties, the budget, the plan."""

from __future__ import annotations

from decimal import Decimal

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import BudgetKind, PartyKind, SectionKey, SigningMethod
from .agreement import AgreementVersion

ZERO = Decimal("0")

# What the parties of a draft agree on for each party (the party itself comes from the case).
PARTY_FIELDS = (
    "order",
    "signatory_name",
    "signatory_title",
    "contact_name",
    "contact_email",
    "contact_phone",
    "annual_amount",
)


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
                        kind=PartyKind.PUBLIC_BODY,
                        public_body__isnull=False,
                        organisation__isnull=True,
                    )
                    | models.Q(
                        kind=PartyKind.ORGANISATION,
                        organisation__isnull=False,
                        public_body__isnull=True,
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
    def is_volunteer_work(self) -> bool:
        return self.kind == BudgetKind.VOLUNTEER

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
