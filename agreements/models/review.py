"""The jurist's record of a version: comments and the procurement-risk assessment."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..constants import RiskDirection, RiskFactor, SectionKey
from .agreement import AgreementVersion


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
