"""The agreement of a case and its numbered versions, each with its own small state machine."""

from __future__ import annotations

from typing import Any

from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iop.constants import CaseStatus

from ..constants import TermKind, VersionStatus
from ..querysets import AgreementQuerySet, AgreementVersionQuerySet


def decision_reference(event: Any) -> str:
    """The recorded decision an event of the case stands for: its note's first line."""
    lines = (event.note or "").strip().splitlines()
    return lines[0] if lines else str(event.at.date())


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

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return str(_("Agreement for %(case)s") % {"case": self.case.registry_number})

    def get_absolute_url(self) -> str:
        return reverse("agreements:detail", args=[self.case_id])


# The version's own fields, by screen: the terms (the decision allowing a changed amount,
# ``authorising_event``, is chosen with them on the terms form),
# and the action plan's fields (its activities are rows of ActionPlanActivity).
TERMS_FIELDS = (
    "start_date",
    "term_kind",
    "term_years",
    "revision_interval_years",
    "notice_months",
    "invoice_address",
)
PLAN_FIELDS = ("concrete_results", "intangible_results", "checkins_per_year", "annual_evaluation")

# The case's stages in which the parties sign the approved version: after the committee's
# approval, or a renegotiated version (approved by the jurist alone) while renegotiating.
SIGNING_STAGES = frozenset({CaseStatus.SIGNING, CaseStatus.RENEGOTIATION})


class AgreementVersion(FSMModelMixin, models.Model):
    """One numbered version of the agreement, with its own life (``status``):

    draft → submitted → approved → signed → superseded; a submitted version the jurist
    returns, or an approved one the committee refers back, becomes ``returned`` and a new
    draft continues from it; notice during renegotiation withdraws a version not yet signed.
    The moves below change fields only; the services take them, lock and save.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="versions", verbose_name=_("agreement")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = FSMField(
        _("status"),
        max_length=20,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        protected=True,
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

    # A renegotiated version that changes an amount must cite the committee's recorded
    # decision to renegotiate: the case's event of the start_renegotiation transition that
    # recording the decision made (its note holds «Kultur- och bildningsnämnden 12 maj 2026
    # § 45 …»). Spokes do not import each other, so the link is to the hub's event.
    authorising_event = models.ForeignKey(
        "iop.CaseEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"transition": "start_renegotiation"},
        verbose_name=_("committee decision allowing the change"),
        help_text=_("The committee's recorded decision to renegotiate the agreement."),
    )
    # Before decisions were recorded, the decision was typed as text: kept (and shown as an
    # earlier note) with its history, no longer edited.
    authorising_decision = models.CharField(
        _("earlier note of the committee decision"),
        max_length=200,
        blank=True,
        editable=False,
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

    objects = AgreementVersionQuerySet.as_manager()
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
                condition=models.Q(status=VersionStatus.DRAFT),
                name="version_one_draft",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return str(_("version %(number)s") % {"number": self.number})

    def get_absolute_url(self) -> str:
        return reverse("agreements:version", args=[self.agreement.case_id, self.number])

    # --- Its own life: each move changes fields only; the services take and save it ----------

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def authorising_reference(self) -> str:
        """The decision allowing the change as users read it: the first line of the cited
        event's note («Kultur- och bildningsnämnden 12 maj 2026 § 45: …»)."""
        event = self.authorising_event
        return decision_reference(event) if event is not None else ""

    @property
    def is_fixed_term(self) -> bool:
        return self.term_kind == TermKind.FIXED

    def accepts_signatures(self, case: Any) -> bool:
        """Signatures are recorded on the version the jurist approved, once the committee has
        approved the IOP (or while the case is renegotiated). ``case`` is this version's case,
        passed so that a caller holding it (locked, or already loaded) adds no query."""
        return self.status == VersionStatus.APPROVED and case.status in SIGNING_STAGES

    @transition(field=status, source=VersionStatus.DRAFT, target=VersionStatus.SUBMITTED)
    def submit(self, by: Any = None) -> None:
        """The draft goes to the jurist and is frozen from now on."""
        self.submitted_at, self.submitted_by = timezone.now(), by

    @transition(field=status, source=VersionStatus.SUBMITTED, target=VersionStatus.RETURNED)
    def return_for_changes(self, by: Any = None) -> None:
        """The jurist returns it with comments; a new draft continues from it."""
        self.reviewed_at, self.reviewed_by = timezone.now(), by

    @transition(field=status, source=VersionStatus.SUBMITTED, target=VersionStatus.APPROVED)
    def approve(self, by: Any = None) -> None:
        """The jurist approves it; the committee decides, then the parties sign."""
        self.reviewed_at, self.reviewed_by = timezone.now(), by

    @transition(field=status, source=VersionStatus.APPROVED, target=VersionStatus.RETURNED)
    def refer_back(self, by: Any = None) -> None:
        """The committee referred the IOP back: the approved version stays as the committee
        saw it, who approved it included, and a new draft continues from it."""

    @transition(field=status, source=VersionStatus.APPROVED, target=VersionStatus.SIGNED)
    def sign(self, by: Any = None) -> None:
        """The last party has signed: this version governs the partnership."""
        self.signed_at = timezone.now()

    @transition(
        field=status,
        source=[VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.APPROVED],
        target=VersionStatus.SUPERSEDED,
    )
    def withdraw(self, by: Any = None) -> None:
        """Notice ended the renegotiation: a version not yet signed never will be."""

    @transition(field=status, source=VersionStatus.SIGNED, target=VersionStatus.SUPERSEDED)
    def supersede(self, by: Any = None) -> None:
        """A newer version has been signed by every party and governs from now on."""
