from __future__ import annotations

import datetime

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constants import DeadlineKind, DeadlineState


class Deadline(models.Model):
    """Something that falls due in a partnership: a check-in, the annual evaluation, the
    committee's follow-up, a revision point, the end of the notice period, the wind-down plan.

    Derived from the case by ``followups.services.deadlines.deadlines_recompute`` and never
    typed in: ``(case, kind, sequence)`` is unique, so a recomputation updates the row it
    planned before instead of adding one, and a row that no longer applies is kept as
    *cancelled* with the reason, never deleted. The owner is the case's officer, the
    substitute the case's substitute (they follow the case when it is reassigned).
    """

    case = models.ForeignKey(
        "iop.Case", on_delete=models.PROTECT, related_name="deadlines", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DeadlineKind.choices)
    # Its key within the case's kind: a check-in's is its distance in months from the
    # activation (6, 12, 18 … at two a year; 3, 6, 9 … at four), so a date keeps its key when
    # the cadence changes; an evaluation's is the agreement year; the others count 1, 2, 3 ….
    sequence = models.PositiveIntegerField(_("number"))
    nominal_on = models.DateField(_("date by the cadence"))
    due_on = models.DateField(
        _("due"), help_text=_("The date by the cadence, or the workday before it.")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=DeadlineState.choices, default=DeadlineState.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_record = models.CharField(
        _("done by"), max_length=60, blank=True, help_text=_("The record that closed it.")
    )
    done_note = models.CharField(_("done by (description)"), max_length=300, blank=True)
    done_url = models.CharField(_("link to the record"), max_length=300, blank=True)
    waived_reason = models.TextField(_("reason for waiving"), blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("waived by"),
    )
    waived_at = models.DateTimeField(_("waived"), null=True, blank=True)
    cancelled_reason = models.CharField(_("why it no longer applies"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "sequence"], name="deadline_once_per_case_kind_sequence"
            ),
        ]
        indexes = [
            # The sweep and the start pages: open deadlines by due date.
            models.Index(
                fields=["due_on"],
                condition=models.Q(state="open"),
                name="deadline_open_by_due",
            ),
            models.Index(fields=["case", "state", "due_on"], name="deadline_case_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("followups:case", args=[self.case_id]) + f"#deadline-{self.pk}"

    @property
    def kind_choice(self) -> DeadlineKind:
        return DeadlineKind(self.kind)

    @property
    def is_open(self) -> bool:
        return self.state == DeadlineState.OPEN

    def days_overdue(self, today: datetime.date | None = None) -> int:
        """Days past due for an open deadline (0 when not overdue)."""
        if not self.is_open:
            return 0
        today = today or timezone.localdate()
        return max((today - self.due_on).days, 0)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0

    @property
    def display_state(self) -> str:
        """Open, overdue, done, waived or no longer applies, as users read it."""
        if self.is_overdue:
            return str(_("Overdue"))
        return self.get_state_display()
