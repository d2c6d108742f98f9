"""What the case records: its events, its checklist and its registered documents."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.users import display_name

from ..constants import (
    CHECKLIST_QUESTIONS,
    CaseEventKind,
    CaseStatus,
    Criterion,
    DocumentDirection,
)


class CaseEvent(models.Model):
    """One entry in the case's own timeline: who did what, when, from which stage to which."""

    case = models.ForeignKey(
        "iop.Case", on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CaseEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    transition = models.CharField(_("action"), max_length=50, blank=True)
    from_status = models.CharField(
        _("from stage"), max_length=30, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to stage"), max_length=30, choices=CaseStatus.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    # For assignments: who was assigned, and when they were told (set once, by the task).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-at"]),
            models.Index(fields=["-at"], name="caseevent_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.case.registry_number}: {self.describe()}"

    def describe(self) -> str:
        if self.kind == CaseEventKind.TRANSITION:
            return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
        if self.kind in (CaseEventKind.ASSIGNMENT, CaseEventKind.SUBSTITUTE) and self.assignee_id:
            return f"{self.get_kind_display()}: {display_name(self.assignee)}"
        return str(self.get_kind_display())


class Checklist(models.Model):
    """The eligibility checklist of a case (DOMAIN.md §4)."""

    case = models.OneToOneField(
        "iop.Case", on_delete=models.PROTECT, related_name="checklist", verbose_name=_("case")
    )
    why_cooperate = models.TextField(CHECKLIST_QUESTIONS[0][1], blank=True)
    societal_challenge = models.TextField(CHECKLIST_QUESTIONS[1][1], blank=True)
    added_benefit = models.TextField(CHECKLIST_QUESTIONS[2][1], blank=True)
    shared_goal = models.TextField(CHECKLIST_QUESTIONS[3][1], blank=True)
    effect_level = models.TextField(CHECKLIST_QUESTIONS[4][1], blank=True)
    where_change = models.TextField(CHECKLIST_QUESTIONS[5][1], blank=True)
    equal_influence = models.TextField(CHECKLIST_QUESTIONS[6][1], blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self) -> str:
        return str(_("Checklist for %(case)s") % {"case": self.case.registry_number})

    class Outcome(models.TextChoices):
        PASSED = "passed", _("All criteria are met")
        FAILED = "failed", _("One or more criteria are not met")
        INCOMPLETE = "incomplete", _("Not every criterion has been answered")

    def answers_by_criterion(self) -> dict[str, ChecklistAnswer]:
        return {a.criterion: a for a in self.answers.all()}

    @property
    def failed_criteria(self) -> list[Criterion]:
        return [Criterion(a.criterion) for a in self.answers.all() if a.answer is False]

    @property
    def unanswered_criteria(self) -> list[Criterion]:
        answered = {a.criterion for a in self.answers.all() if a.answer is not None}
        return [c for c in Criterion if c.value not in answered]

    @property
    def outcome(self) -> str:
        if self.failed_criteria:
            return self.Outcome.FAILED
        if self.unanswered_criteria:
            return self.Outcome.INCOMPLETE
        return self.Outcome.PASSED

    @property
    def all_met(self) -> bool:
        return self.outcome == self.Outcome.PASSED


class ChecklistAnswer(models.Model):
    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="answers", verbose_name=_("checklist")
    )
    criterion = models.CharField(_("criterion"), max_length=10, choices=Criterion.choices)
    answer = models.BooleanField(_("met"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "criterion"], name="checklist_answer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.answer}"


def case_document_upload_to(instance: CaseDocument, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.kind}/{filename}"


class CaseDocument(models.Model):
    """A document registered (diarieförd) in the case, e.g. the wind-down plan."""

    class Kind(models.TextChoices):
        WIND_DOWN_PLAN = "wind_down_plan", _("Wind-down plan")
        NOTICE_LETTER = "notice_letter", _("Notice of termination")
        MEETING_NOTES = "meeting_notes", _("Meeting notes")
        ANNUAL_REPORT = "annual_report", _("Annual report")
        OTHER = "other", _("Other document")

    case = models.ForeignKey(
        "iop.Case", on_delete=models.PROTECT, related_name="documents", verbose_name=_("case")
    )
    kind = models.CharField(_("kind of document"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=case_document_upload_to)
    received_on = models.DateField(_("date received"), default=timezone.localdate)
    # Registration (diarieföring): see iop.services.documents.case_document_register.
    direction = models.CharField(
        _("direction"),
        max_length=20,
        choices=DocumentDirection.choices,
        default=DocumentDirection.INCOMING,
    )
    counterpart = models.CharField(
        _("sender or recipient"),
        max_length=200,
        blank=True,
        help_text=_("Who sent an incoming document, or whom an outgoing one is sent to."),
    )
    document_serial = models.PositiveIntegerField(
        _("document number in the case"), null=True, blank=True, editable=False
    )
    registry_number = models.CharField(
        _("registry number"), max_length=40, blank=True, editable=False
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registry_number"],
                condition=~models.Q(registry_number=""),
                name="casedocument_unique_registry_number",
            ),
            models.UniqueConstraint(
                fields=["case", "document_serial"],
                condition=models.Q(document_serial__isnull=False),
                name="casedocument_unique_serial_in_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def download_name(self) -> str:
        """ "RV 2026-00012-4 Avvecklingsplan": the registry number says which document it is."""
        return " ".join(p for p in (self.registry_number, self.title) if p) or str(self.pk)


class RegistryEntry(models.Model):
    """One line of the registry (diariet): a document that came in, was drawn up or went out
    in a case, with the case's registry number and a running number within it
    (``RV 2026/00012-4``). Every app registers its documents through
    ``iop.services.diarium`` in the same transaction as the document itself, so nothing
    exists unregistered (OSL 5 kap. 1 §); ``document`` points at the app's own row."""

    case = models.ForeignKey(
        "iop.Case",
        on_delete=models.PROTECT,
        related_name="registry_entries",
        verbose_name=_("case"),
    )
    serial = models.PositiveIntegerField(_("document number"))
    number = models.CharField(_("registry number"), max_length=60, unique=True)
    registered_on = models.DateField(_("date"), default=timezone.localdate)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    direction = models.CharField(_("direction"), max_length=10, choices=DocumentDirection.choices)
    counterpart = models.CharField(_("sender or recipient"), max_length=300, blank=True)
    kind = models.CharField(_("kind of document"), max_length=60)
    description = models.CharField(_("description"), max_length=300)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    document = GenericForeignKey("content_type", "object_id")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registry entry")
        verbose_name_plural = _("registry entries")
        ordering = ["case", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["case", "serial"], name="registry_entry_serial"),
        ]
        indexes = [
            models.Index(fields=["-registered_on", "-id"], name="registry_entry_latest"),
            models.Index(fields=["direction", "-registered_on"], name="registry_entry_direction"),
            models.Index(fields=["kind", "-registered_on"], name="registry_entry_kind"),
            models.Index(fields=["content_type", "object_id"], name="registry_entry_document"),
            models.Index(fields=["counterpart", "id"], name="registry_entry_counterpart"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"

    @property
    def kind_label(self) -> str:
        """The kind's name, as the app that registers it named it (``iop.diarium``)."""
        from ..diarium import kind_label

        return kind_label(self.kind)

    def get_download_url(self) -> str | None:
        """The download of the pointed document's file, through the link its app registered
        (``iop.diarium.register_document_link``); ``None`` without a link or a stored file.
        Fetch the documents with the lines (``prefetch_related("document")``, as the
        register's selector does), or each call reads its document."""
        from ..diarium import link_of

        document = self.document if self.object_id else None
        link = link_of(document)
        return link.url(document) if link else None

    @property
    def is_being_printed(self) -> bool:
        """The pointed document has a link but no file yet (its PDF is still being printed)."""
        from ..diarium import link_of

        document = self.document if self.object_id else None
        link = link_of(document)
        return link is not None and link.url(document) is None
