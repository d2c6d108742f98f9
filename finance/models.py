"""Finance's records: how often each public party pays (by default and per IOP), the payments
made and the payments held.

Payments are never edited or deleted: a mistake is put right by a **correction**, a new row
that names the one it corrects and carries the right amount (0 to cancel it). What was paid in
a period is the sum of the payments that no later row corrects.
"""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import DEFAULT_FREQUENCY, Frequency


class PaymentDefaults(models.Model):
    """A public body's usual payment frequency, kept in admin; new IOPs start with it."""

    public_body = models.OneToOneField(
        "iop.PublicBody",
        on_delete=models.PROTECT,
        related_name="payment_defaults",
        verbose_name=_("public body"),
    )
    frequency = models.CharField(
        _("payment frequency"),
        max_length=20,
        choices=Frequency.choices,
        default=DEFAULT_FREQUENCY,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment default")
        verbose_name_plural = _("payment defaults")

    def __str__(self) -> str:
        return f"{self.public_body}: {self.get_frequency_display()}"


class PaymentTerms(models.Model):
    """How often one public party pays one IOP (set by finance per agreement)."""

    case = models.ForeignKey(
        "iop.Case", on_delete=models.PROTECT, related_name="payment_terms", verbose_name=_("case")
    )
    public_body = models.ForeignKey(
        "iop.PublicBody", on_delete=models.PROTECT, related_name="+", verbose_name=_("public party")
    )
    frequency = models.CharField(_("payment frequency"), max_length=20, choices=Frequency.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment terms")
        verbose_name_plural = _("payment terms")
        constraints = [
            models.UniqueConstraint(fields=["case", "public_body"], name="payment_terms_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.public_body}: {self.get_frequency_display()}"


class Payment(models.Model):
    """A payment made to an IOP for one period of one year, as booked in the finance system."""

    case = models.ForeignKey(
        "iop.Case", on_delete=models.PROTECT, related_name="payments", verbose_name=_("case")
    )
    public_body = models.ForeignKey(
        "iop.PublicBody", on_delete=models.PROTECT, related_name="+", verbose_name=_("public party")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.PositiveSmallIntegerField(_("period"))
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (kronor)"), max_digits=12, decimal_places=2)
    reference = models.CharField(
        _("voucher or reference"),
        max_length=60,
        help_text=_("The voucher number in the finance system; unique per public body."),
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
        help_text=_("The payment this row puts right; its amount replaces that one's."),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["year", "period", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["public_body", "reference"], name="payment_unique_reference"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(period__gte=1, period__lte=4), name="payment_period_in_year"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "case"], name="payment_year_case"),
            models.Index(fields=["case", "year", "period"], name="payment_case_period"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount} kr"


class PaymentHold(models.Model):
    """A planned payment finance holds back, with the reason (e.g. the annual report is
    missing); released when the reason is gone. At most one open hold per period."""

    case = models.ForeignKey(
        "iop.Case", on_delete=models.PROTECT, related_name="payment_holds", verbose_name=_("case")
    )
    public_body = models.ForeignKey(
        "iop.PublicBody", on_delete=models.PROTECT, related_name="+", verbose_name=_("public party")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.PositiveSmallIntegerField(_("period"))
    reason = models.TextField(_("reason"))
    held_at = models.DateTimeField(_("held"), default=timezone.now)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("held by"),
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    release_note = models.TextField(_("note on release"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("held payment")
        verbose_name_plural = _("held payments")
        ordering = ["year", "period", "held_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "public_body", "year", "period"],
                condition=Q(released_at__isnull=True),
                name="payment_hold_one_open_per_period",
            ),
        ]
        indexes = [models.Index(fields=["year", "case"], name="payment_hold_year_case")]

    def __str__(self) -> str:
        return f"{self.case} {self.year}:{self.period}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None
