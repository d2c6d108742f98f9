"""The follow-up to the committee and the ending: the biennial follow-up report, the notice of
termination and the wind-down plan."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iop.constants import NoticeGivenBy

from .records import Recorded


class FollowUpReport(Recorded):
    """The biennial in-depth follow-up, under the five headings of the committee's follow-up
    attachment (DOMAIN.md §7); preparing it fills the committee matter's attachment. With an
    amount it asks for a follow-up and renegotiation matter."""

    case = models.ForeignKey(
        "iop.Case",
        on_delete=models.PROTECT,
        related_name="follow_up_reports",
        verbose_name=_("case"),
    )
    written_on = models.DateField(_("written on"), default=timezone.localdate)
    # Blank while the report is being written; all five are required to prepare the matter
    # (followups.services.reports).
    cooperation = models.TextField(
        _("Short description of the cooperation through IOP"), blank=True
    )
    background = models.TextField(_("Background, purpose and goals of this IOP"), blank=True)
    contributions = models.TextField(_("The parties' contributions (money and work)"), blank=True)
    goal_fulfilment = models.TextField(_("Goal fulfilment and effects"), blank=True)
    development = models.TextField(_("Identified areas for development"), blank=True)
    amount_change = models.DecimalField(
        _("change per full year (kr)"),
        max_digits=12,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("Leave empty for a follow-up only; give it to ask for a renegotiation too."),
    )
    change_from = models.DateField(_("change from"), null=True, blank=True)
    matter_id = models.PositiveIntegerField(_("committee matter"), null=True, blank=True)
    matter_title = models.CharField(_("committee matter"), max_length=300, blank=True)
    matter_url = models.CharField(_("link to the matter"), max_length=300, blank=True)
    prepared_at = models.DateTimeField(_("matter prepared"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        ordering = ["-written_on", "-pk"]

    def __str__(self) -> str:
        return f"{_('Follow-up report')} {self.written_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("followups:report", args=[self.case_id, self.pk])

    # The five headings in the attachment's order, as (field name, label).
    HEADINGS = ("cooperation", "background", "contributions", "goal_fulfilment", "development")

    @property
    def is_prepared(self) -> bool:
        """The committee matter has been prepared from it: the report is then a record."""
        return self.prepared_at is not None

    @property
    def headings(self) -> list[tuple[str, str]]:
        return [
            (str(self._meta.get_field(name).verbose_name), getattr(self, name))
            for name in self.HEADINGS
        ]


class NoticeRecord(Recorded):
    """The notice of termination: who gave it, when, why, the letter, the end date."""

    case = models.OneToOneField(
        "iop.Case", on_delete=models.PROTECT, related_name="notice", verbose_name=_("case")
    )
    given_on = models.DateField(_("date notice was given"))
    given_by = models.CharField(_("notice given by"), max_length=20, choices=NoticeGivenBy.choices)
    reason = models.TextField(_("reason"))
    notice_months = models.PositiveSmallIntegerField(_("notice period in months"))
    end_date = models.DateField(_("the partnership ends"))
    letter = models.ForeignKey(
        "iop.CaseDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notice letter"),
    )
    # The committee's matter for ending the IOP, prepared with the notice (or later, when
    # the committee's spoke refused it then).
    matter_id = models.PositiveIntegerField(_("committee matter"), null=True, blank=True)
    matter_title = models.CharField(_("committee matter"), max_length=300, blank=True)
    matter_url = models.CharField(_("link to the matter"), max_length=300, blank=True)
    matter_prepared_at = models.DateTimeField(_("matter prepared"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice of termination")
        verbose_name_plural = _("notices of termination")

    def __str__(self) -> str:
        return f"{_('Notice of termination')} {self.given_on.isoformat()}"


class WindDownPlan(Recorded):
    """The parties' wind-down plan (avvecklingsplan), written here or uploaded; registered in
    the diarium as the case's wind-down plan document."""

    case = models.ForeignKey(
        "iop.Case",
        on_delete=models.PROTECT,
        related_name="wind_down_plans",
        verbose_name=_("case"),
    )
    text = models.TextField(_("the plan"), blank=True)
    document = models.ForeignKey(
        "iop.CaseDocument",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered document"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("wind-down plan")
        verbose_name_plural = _("wind-down plans")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.document)
