"""The IOP case and its state machine (DOMAIN.md §3)."""

from __future__ import annotations

from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..constants import (
    FINAL_STATUSES,
    CaseStatus,
    NoticeGivenBy,
    Transition,
)
from ..querysets import CaseQuerySet
from ..workflow import registered_guards, rule
from .records import CaseDocument, Checklist
from .reference import Committee, PublicBody


class Case(FSMModelMixin, models.Model):
    """An IOP case, from the organisation's initiative to the end of the partnership."""

    registry_number = models.CharField(
        _("registry number"), max_length=30, unique=True, editable=False
    )
    registry_year = models.PositiveSmallIntegerField(_("registry year"), editable=False)
    registry_serial = models.PositiveIntegerField(_("serial number"), editable=False)
    public_body = models.ForeignKey(
        PublicBody,
        on_delete=models.PROTECT,
        related_name="registered_cases",
        verbose_name=_("registering public body"),
        help_text=_("The public body whose registry the case is registered in."),
    )
    public_bodies = models.ManyToManyField(
        PublicBody, related_name="cases", verbose_name=_("public parties")
    )
    organisations = models.ManyToManyField(
        "partners.Organisation", related_name="cases", verbose_name=_("organisations")
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("responsible committee"),
    )
    title = models.CharField(_("title"), max_length=300)
    societal_challenge = models.TextField(
        _("societal challenge"), help_text=_("The challenge in society the partnership addresses.")
    )
    idea_description = models.TextField(_("description of the idea"))
    received_on = models.DateField(
        _("initiative received"), default=timezone.localdate, db_index=True
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_as_officer",
        verbose_name=_("case officer"),
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_as_substitute",
        null=True,
        blank=True,
        verbose_name=_("substitute case officer"),
    )
    status = FSMField(
        _("stage"), choices=CaseStatus.choices, default=CaseStatus.RECEIVED, protected=True
    )
    status_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    closing_reason = models.TextField(
        _("reason for not pursuing"),
        blank=True,
        help_text=_("Why a continued process towards an IOP is not relevant."),
    )
    notice_date = models.DateField(_("date notice was given"), null=True, blank=True)
    notice_given_by = models.CharField(
        _("notice given by"), max_length=20, choices=NoticeGivenBy.choices, blank=True
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("registered by"),
    )
    # SKL's planning sheets 1–2 ("Design & planeringsverktyg för partnerskap", DOMAIN.md §6.5),
    # filled in at intake and refined with the organisation while the agreement is drafted.
    plan_direction = models.TextField(
        _("direction"),
        blank=True,
        help_text=_("Where are we heading in our cooperation? The deeper idea or vision."),
    )
    plan_activities = models.TextField(
        _("what we want to do"),
        blank=True,
        help_text=_("The concrete efforts, methods, activities and services to develop."),
    )
    plan_timetable = models.TextField(_("timetable"), blank=True)
    plan_concrete_results = models.TextField(_("concrete results"), blank=True)
    plan_intangible_results = models.TextField(
        _("intangible results"),
        blank=True,
        help_text=_("E.g. trust, community, relationships, personal development, quality of life."),
    )
    plan_target_group = models.TextField(
        _("target group"),
        blank=True,
        help_text=_("Who the partnership is for, and how they are involved."),
    )
    plan_core_team = models.TextField(
        _("core team"),
        blank=True,
        help_text=_("The representatives of the parties who design and lead the partnership."),
    )
    plan_stakeholders = models.TextField(
        _("stakeholders and allies"),
        blank=True,
        help_text=_("Who they are, and how they can be made use of."),
    )
    plan_anchoring = models.TextField(
        _("anchoring"),
        blank=True,
        help_text=_(
            "With whom in our organisations is the partnership anchored, and in which phases?"
        ),
    )
    plan_next_step = models.TextField(_("next step"), blank=True)

    history = HistoricalRecords(m2m_fields=[organisations, public_bodies])
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("IOP case")
        verbose_name_plural = _("IOP cases")
        ordering = ["-registry_year", "-registry_serial"]
        permissions = [
            ("handle_case", _("Can handle the IOP cases one is case officer or substitute for")),
            ("coordinate_cases", _("Can change and reassign every IOP case")),
            ("review_legal", _("Can review agreements legally")),
            ("record_decision", _("Can record committee decisions")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["public_body", "registry_year", "registry_serial"],
                name="case_unique_registry_serial",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "committee"]),
            models.Index(fields=["officer", "status"]),
            models.Index(fields=["substitute", "status"]),
            models.Index(fields=["committee", "registry_year"]),
            models.Index(fields=["-registry_year", "-registry_serial"], name="case_registry_order"),
        ]

    def __str__(self) -> str:
        return f"{self.registry_number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    # --- Conditions, each with the rule users read when it is not met. Other apps add theirs
    # through iop.workflow.register_guard (the agreement's, the committee decision's). ---

    @rule(_("The case must have at least one non-profit organisation."))
    def has_organisation(self) -> bool:
        return self.pk is not None and self.organisations.exists()

    @rule(
        _(
            "The checklist must be filled in and every criterion met before the agreement is drafted."
        )
    )
    def checklist_passed(self) -> bool:
        checklist = Checklist.objects.filter(case_id=self.pk).first()
        return checklist is not None and checklist.all_met

    @rule(_("Every organisation of the case must have signed the value declaration."))
    def value_declarations_signed(self) -> bool:
        if self.pk is None:
            return False
        organisations = list(self.organisations.prefetch_related("value_declarations"))
        return bool(organisations) and all(o.has_signed_value_declaration() for o in organisations)

    @rule(_("A reason must be given when the case is closed as not relevant for an IOP."))
    def has_closing_reason(self) -> bool:
        return bool(self.closing_reason.strip())

    @rule(_("The date of the notice and which party gave it must be given."))
    def has_notice_date(self) -> bool:
        return self.notice_date is not None and bool(self.notice_given_by)

    @rule(_("The date of the notice cannot be in the future."))
    def notice_date_not_in_future(self) -> bool:
        return self.notice_date is None or self.notice_date <= timezone.localdate()

    @rule(_("A wind-down plan must be registered before the case is closed."))
    def wind_down_plan_registered(self) -> bool:
        return (
            self.pk is not None
            and self.documents.filter(kind=CaseDocument.Kind.WIND_DOWN_PLAN).exists()
        )

    # --- Transitions (DOMAIN.md §3). They change fields only; services do the rest. ---

    @transition(
        field=status,
        source=CaseStatus.RECEIVED,
        target=CaseStatus.PREPARATION,
        conditions=[has_organisation, registered_guards(Transition.START_PREPARATION)],
        permission=permissions.can_change_case,
        custom={"label": Transition.START_PREPARATION.label, "style": "primary"},
    )
    def start_preparation(self) -> None:
        """The first meeting is booked; the checklist and the organisation control begin."""

    @transition(
        field=status,
        source=CaseStatus.PREPARATION,
        target=CaseStatus.NOT_PURSUED,
        conditions=[has_closing_reason, registered_guards(Transition.CLOSE_NOT_PURSUED)],
        permission=permissions.can_change_case,
        custom={
            "label": Transition.CLOSE_NOT_PURSUED.label,
            "style": "danger",
            "fields": ["closing_reason"],
        },
    )
    def close_not_pursued(self) -> None:
        """A continued process towards an IOP is not relevant."""

    @transition(
        field=status,
        source=CaseStatus.PREPARATION,
        target=CaseStatus.DRAFTING,
        conditions=[
            checklist_passed,
            value_declarations_signed,
            registered_guards(Transition.START_DRAFTING),
        ],
        permission=permissions.can_change_case,
        custom={"label": Transition.START_DRAFTING.label, "style": "primary"},
    )
    def start_drafting(self) -> None:
        """The parties write the agreement and the action plan together."""

    @transition(
        field=status,
        source=CaseStatus.DRAFTING,
        target=CaseStatus.LEGAL_REVIEW,
        conditions=[registered_guards(Transition.SUBMIT_FOR_LEGAL_REVIEW)],
        permission=permissions.can_change_case,
        custom={"label": Transition.SUBMIT_FOR_LEGAL_REVIEW.label, "style": "primary"},
    )
    def submit_for_legal_review(self) -> None:
        """The draft agreement goes to the jurist."""

    @transition(
        field=status,
        source=CaseStatus.LEGAL_REVIEW,
        target=CaseStatus.DRAFTING,
        conditions=[registered_guards(Transition.RETURN_TO_DRAFTING)],
        permission=permissions.can_review_legal,
        custom={"label": Transition.RETURN_TO_DRAFTING.label, "style": "warning"},
    )
    def return_to_drafting(self) -> None:
        """The jurist returns the draft with comments."""

    @transition(
        field=status,
        source=CaseStatus.LEGAL_REVIEW,
        target=CaseStatus.AWAITING_DECISION,
        conditions=[registered_guards(Transition.APPROVE_LEGAL_REVIEW)],
        permission=permissions.can_review_legal,
        custom={"label": Transition.APPROVE_LEGAL_REVIEW.label, "style": "success"},
    )
    def approve_legal_review(self) -> None:
        """The jurist approves the agreement; it can go to the committee."""

    @transition(
        field=status,
        source=CaseStatus.AWAITING_DECISION,
        target=CaseStatus.SIGNING,
        conditions=[registered_guards(Transition.RECORD_APPROVAL)],
        permission=permissions.can_record_decision,
        custom={"label": Transition.RECORD_APPROVAL.label, "style": "success"},
    )
    def record_approval(self) -> None:
        """The committee approved the IOP; the parties sign."""

    @transition(
        field=status,
        source=CaseStatus.AWAITING_DECISION,
        target=CaseStatus.REJECTED,
        conditions=[registered_guards(Transition.RECORD_REJECTION)],
        permission=permissions.can_record_decision,
        custom={"label": Transition.RECORD_REJECTION.label, "style": "danger"},
    )
    def record_rejection(self) -> None:
        """The committee rejected the IOP (avslag)."""

    @transition(
        field=status,
        source=CaseStatus.AWAITING_DECISION,
        target=CaseStatus.DRAFTING,
        conditions=[registered_guards(Transition.RECORD_REFERRAL_BACK)],
        permission=permissions.can_record_decision,
        custom={
            "label": Transition.RECORD_REFERRAL_BACK.label,
            "style": "warning",
            "note_required": True,
        },
    )
    def record_referral_back(self) -> None:
        """The committee referred the matter back (återremiss) for further drafting."""

    @transition(
        field=status,
        source=CaseStatus.SIGNING,
        target=CaseStatus.ACTIVE,
        conditions=[registered_guards(Transition.ACTIVATE)],
        permission=permissions.can_change_case,
        custom={"label": Transition.ACTIVATE.label, "style": "success"},
    )
    def activate(self) -> None:
        """Every party has signed: the partnership is active."""

    @transition(
        field=status,
        source=CaseStatus.ACTIVE,
        target=CaseStatus.RENEGOTIATION,
        conditions=[registered_guards(Transition.START_RENEGOTIATION)],
        permission=permissions.can_record_decision,
        custom={"label": Transition.START_RENEGOTIATION.label, "style": "primary"},
    )
    def start_renegotiation(self) -> None:
        """The committee decided that the agreement is to be renegotiated."""

    @transition(
        field=status,
        source=CaseStatus.RENEGOTIATION,
        target=CaseStatus.ACTIVE,
        conditions=[registered_guards(Transition.COMPLETE_RENEGOTIATION)],
        permission=permissions.can_change_case,
        custom={"label": Transition.COMPLETE_RENEGOTIATION.label, "style": "success"},
    )
    def complete_renegotiation(self) -> None:
        """The parties have signed the renegotiated agreement; no new committee decision."""

    @transition(
        field=status,
        source=[CaseStatus.ACTIVE, CaseStatus.RENEGOTIATION],
        target=CaseStatus.NOTICE_GIVEN,
        conditions=[
            has_notice_date,
            notice_date_not_in_future,
            registered_guards(Transition.GIVE_NOTICE),
        ],
        permission=permissions.can_change_case,
        custom={
            "label": Transition.GIVE_NOTICE.label,
            "style": "danger",
            "fields": ["notice_date", "notice_given_by"],
        },
    )
    def give_notice(self) -> None:
        """A party ended the partnership with six months' notice."""

    @transition(
        field=status,
        source=CaseStatus.NOTICE_GIVEN,
        target=CaseStatus.WINDING_DOWN,
        conditions=[registered_guards(Transition.START_WINDING_DOWN)],
        permission=permissions.can_record_decision,
        custom={"label": Transition.START_WINDING_DOWN.label, "style": "danger"},
    )
    def start_winding_down(self) -> None:
        """The committee decided the ending; the parties produce a wind-down plan."""

    @transition(
        field=status,
        source=CaseStatus.WINDING_DOWN,
        target=CaseStatus.CLOSED,
        conditions=[wind_down_plan_registered, registered_guards(Transition.CLOSE)],
        permission=permissions.can_change_case,
        custom={"label": Transition.CLOSE.label, "style": "secondary"},
    )
    def close(self) -> None:
        """The wind-down plan is registered and carried out: the case is closed."""
