"""The Django admin for agreements, mirroring ``iop.admin``.

Agreements and versions are made on the agreement's own pages (``agreements.services``), so
nothing is added here. A draft may be corrected here by whoever may edit it on its page, with
the same optimistic locks: a save from a page opened before someone else's save is refused.
A version that was submitted, reviewed or signed is a record and read-only, as are the
jurist's comments and assessments. Nothing is deletable, and history is viewable but never
reverted.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from iop.admin import HistoryAdmin, user_name
from iop.services import TransitionRefused

from . import services
from .models import (
    ActionPlanActivity,
    Agreement,
    AgreementParty,
    AgreementSection,
    AgreementVersion,
    BudgetLine,
    ReviewComment,
    RiskAssessment,
    RiskFactorAnswer,
)
from .services import EditConflict

CONFLICT = gettext_lazy(
    "Someone else saved this draft after you opened it. Open it again to see their changes."
)

_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}


def case_number(version: AgreementVersion) -> str:
    return version.agreement.case.registry_number


class ReadOnlyHistoryAdmin(HistoryAdmin):
    """Records written by the services only: viewable with their history, never changed."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Agreement -----------------------------------------------------------------------------


class VersionInline(ReadOnlyInline):
    """The agreement's versions, listed; each opens on its own page."""

    model = AgreementVersion
    fields = ("version_link", "status", "submitted_at", "reviewed_at", "signed_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("version"))
    def version_link(self, version: AgreementVersion) -> str:
        url = reverse("admin:agreements_agreementversion_change", args=[version.pk])
        return format_html('<a href="{}">{}</a>', url, version)


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "created_at", "version_count")
    list_select_related = ("case",)
    search_fields = ("case__registry_number", "case__title")
    fields = ("case", "created_at", "created_by")
    readonly_fields = fields
    inlines = (VersionInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(version_count=Count("versions"))

    @admin.display(description=gettext_lazy("versions"), ordering="version_count")
    def version_count(self, agreement: Agreement) -> int:
        return agreement.version_count


# --- Versions and what they hold ---------------------------------------------------------


class DraftRowsInline(admin.TabularInline):
    """Rows of a version: editable while it is a draft its user may edit, never deleted."""

    extra = 0
    can_delete = False
    formfield_overrides = _TEXTAREA

    def _editable(self, request, obj) -> bool:
        return obj is not None and services.can_edit_draft(obj, request.user)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class SectionForm(forms.ModelForm):
    """The text under one heading, with the revision it was opened at (optimistic lock)."""

    class Meta:
        model = AgreementSection
        fields = ("text", "revision")
        widgets = {"revision": forms.HiddenInput}

    def clean(self):
        cleaned = super().clean()
        saved = AgreementSection.objects.filter(pk=self.instance.pk).values_list(
            "revision", flat=True
        )
        if self.has_changed() and cleaned.get("revision") != next(iter(saved), None):
            raise forms.ValidationError(CONFLICT, code="conflict")
        return cleaned


class SectionInline(DraftRowsInline):
    model = AgreementSection
    form = SectionForm
    fields = ("key", "text", "revision")
    readonly_fields = ("key",)

    def has_add_permission(self, request, obj=None):
        return False  # every version has its fifteen headings from the start


class PartyInline(DraftRowsInline):
    model = AgreementParty
    fields = (
        "order",
        "kind",
        "public_body",
        "organisation",
        "signatory_name",
        "signatory_title",
        "contact_name",
        "contact_email",
        "contact_phone",
        "annual_amount",
        "signed_on",
        "signing_method",
    )
    # Signatures are recorded on the signing page, party by party and in order.
    readonly_fields = ("signed_on", "signing_method")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("public_body", "organisation")


class BudgetLineInline(DraftRowsInline):
    model = BudgetLine
    fields = ("party", "year", "kind", "description", "amount", "hours", "hourly_value")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("party")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "party":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = AgreementParty.objects.filter(
                version_id=unquote(object_id) if object_id else None
            ).select_related("public_body", "organisation")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ActivityInline(DraftRowsInline):
    model = ActionPlanActivity
    fields = ("order", "description", "owner", "timetable", "expected_result")


class VersionForm(forms.ModelForm):
    class Meta:
        model = AgreementVersion
        fields = (
            "revision",
            "start_date",
            "term_kind",
            "term_years",
            "revision_interval_years",
            "notice_months",
            "invoice_address",
            "concrete_results",
            "intangible_results",
            "checkins_per_year",
            "annual_evaluation",
            "authorising_decision",
        )
        widgets = {"revision": forms.HiddenInput}

    def clean(self):
        cleaned = super().clean()
        saved = AgreementVersion.objects.filter(pk=self.instance.pk).values_list(
            "revision", flat=True
        )
        if cleaned.get("revision") != next(iter(saved), None):
            raise forms.ValidationError(CONFLICT, code="conflict")
        return cleaned


@admin.register(AgreementVersion)
class AgreementVersionAdmin(HistoryAdmin):
    form = VersionForm
    list_display = ("__str__", "case_link", "status", "submitted_at", "signed_at")
    list_filter = ("status",)
    list_select_related = ("agreement__case",)
    search_fields = ("agreement__case__registry_number", "agreement__case__title")
    date_hierarchy = "submitted_at"
    formfield_overrides = _TEXTAREA
    inlines = (PartyInline, SectionInline, BudgetLineInline, ActivityInline)
    stamps = (
        "agreement",
        "number",
        "status",
        "based_on",
        "created_at",
        "created_by",
        "submitted_at",
        "submitted_by",
        "reviewed_at",
        "reviewed_by",
        "signed_at",
    )
    readonly_fields = stamps
    fieldsets = (
        (None, {"fields": stamps}),
        (
            gettext_lazy("Term"),
            {
                "fields": (
                    "revision",
                    "start_date",
                    "term_kind",
                    "term_years",
                    "revision_interval_years",
                    "notice_months",
                    "invoice_address",
                    "authorising_decision",
                )
            },
        ),
        (
            gettext_lazy("Action plan"),
            {
                "fields": (
                    "concrete_results",
                    "intangible_results",
                    "checkins_per_year",
                    "annual_evaluation",
                )
            },
        ),
    )

    @admin.display(description=gettext_lazy("case"), ordering="agreement__case__registry_number")
    def case_link(self, version: AgreementVersion) -> str:
        return case_number(version)

    def has_add_permission(self, request, obj=None):
        return False  # drafts are started and copied on the agreement's pages

    def has_change_permission(self, request, obj=None):
        """Only a draft, in drafting or renegotiation, by whoever handles the case; a version
        that was submitted, reviewed or signed is a record."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or services.can_edit_draft(obj, request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement__case")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (EditConflict, TransitionRefused) as refused:
            # Raised inside the admin's transaction, which rolled back: nothing was saved.
            reasons = [CONFLICT] if isinstance(refused, EditConflict) else refused.reasons
            for reason in reasons:
                messages.error(request, reason)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        # The same lock and checks as the agreement's pages: frozen versions, the case's
        # stage, the role and the revision the page was opened at.
        locked = services.lock_draft(
            obj, revision=form.cleaned_data["revision"], actor=request.user
        )
        obj.revision = locked.revision
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            instance = inline_form.instance
            if not inline_form.has_changed():
                continue
            instance._history_user = request.user
            if isinstance(instance, AgreementSection):
                instance.revision += 1
                instance.updated_by = request.user
        super().save_formset(request, form, formset, change)


# --- The review: comments and assessments (written on the review page) -----------------------


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("created_at", "case", "version_number", "section_key", "author_name")
    list_filter = ("section_key",)
    list_select_related = ("version__agreement__case", "author")
    search_fields = ("text", "version__agreement__case__registry_number")
    fields = ("version", "section_key", "text", "author", "created_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("case"))
    def case(self, comment: ReviewComment) -> str:
        return case_number(comment.version)

    @admin.display(description=gettext_lazy("version"), ordering="version__number")
    def version_number(self, comment: ReviewComment) -> int:
        return comment.version.number

    @admin.display(description=gettext_lazy("author"))
    def author_name(self, comment: ReviewComment) -> str:
        return user_name(comment.author)


class RiskFactorAnswerInline(ReadOnlyInline):
    model = RiskFactorAnswer
    fields = ("factor", "direction", "comment")
    readonly_fields = fields


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "version_number", "assessed_at", "assessor")
    list_select_related = ("version__agreement__case", "assessed_by")
    search_fields = ("version__agreement__case__registry_number", "overall_assessment")
    fields = (
        "version",
        "overall_assessment",
        "full_funding_accepted",
        "assessed_at",
        "assessed_by",
    )
    readonly_fields = fields
    inlines = (RiskFactorAnswerInline,)

    @admin.display(description=gettext_lazy("case"))
    def case(self, assessment: RiskAssessment) -> str:
        return case_number(assessment.version)

    @admin.display(description=gettext_lazy("version"), ordering="version__number")
    def version_number(self, assessment: RiskAssessment) -> int:
        return assessment.version.number

    @admin.display(description=gettext_lazy("assessed by"))
    def assessor(self, assessment: RiskAssessment) -> str:
        return user_name(assessment.assessed_by)


# --- Rows, listed for their own history --------------------------------------------------------


class VersionRowAdmin(ReadOnlyHistoryAdmin):
    """A version's rows, listed for the history of each; edited on the version's page."""

    list_select_related = ("version__agreement__case",)
    search_fields = ("version__agreement__case__registry_number",)

    @admin.display(description=gettext_lazy("case"))
    def case(self, row) -> str:
        return case_number(row.version)

    @admin.display(description=gettext_lazy("version"), ordering="version__number")
    def version_number(self, row) -> int:
        return row.version.number


@admin.register(AgreementSection)
class AgreementSectionAdmin(VersionRowAdmin):
    list_display = ("case", "version_number", "key", "revision", "updated_at")
    list_filter = ("key",)


@admin.register(AgreementParty)
class AgreementPartyAdmin(VersionRowAdmin):
    list_display = ("case", "version_number", "order", "party_name", "signatory_name", "signed_on")
    list_select_related = ("version__agreement__case", "public_body", "organisation")

    @admin.display(description=gettext_lazy("party"))
    def party_name(self, party: AgreementParty) -> str:
        return party.name


@admin.register(BudgetLine)
class BudgetLineAdmin(VersionRowAdmin):
    list_display = ("case", "version_number", "year", "kind", "description", "value_kr")
    list_filter = ("kind", "year")

    @admin.display(description=gettext_lazy("amount (kr)"))
    def value_kr(self, line: BudgetLine):
        return line.value


@admin.register(ActionPlanActivity)
class ActionPlanActivityAdmin(VersionRowAdmin):
    list_display = ("case", "version_number", "order", "__str__", "owner", "timetable")


@admin.register(RiskFactorAnswer)
class RiskFactorAnswerAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "factor", "direction")
    list_filter = ("factor", "direction")
    list_select_related = ("assessment__version__agreement__case",)

    @admin.display(description=gettext_lazy("case"))
    def case(self, answer: RiskFactorAnswer) -> str:
        return case_number(answer.assessment.version)
