"""The agreement and its versions in the admin. A draft may be corrected here by whoever may
edit it on its page, with the same locks and checks: every write goes through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from iop.services import TransitionRefused
from partners.admin_base import HistoryAdmin

from .. import services
from ..models import (
    PARTY_FIELDS,
    PLAN_FIELDS,
    TERMS_FIELDS,
    ActionPlanActivity,
    Agreement,
    AgreementParty,
    AgreementSection,
    AgreementVersion,
    BudgetLine,
)
from ..services import EditConflict
from .common import CONFLICT, TEXTAREA, ReadOnlyHistoryAdmin, ReadOnlyInline, case_number

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
    formfield_overrides = TEXTAREA

    def _editable(self, request, obj) -> bool:
        return obj is not None and services.can_edit_draft(obj, request.user)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


def refuse_stale_revision(form: forms.ModelForm, cleaned: dict) -> None:
    """Refuse a save from a page opened before someone else saved the same row."""
    model = type(form.instance)
    saved = model.objects.filter(pk=form.instance.pk).values_list("revision", flat=True)
    if cleaned.get("revision") != next(iter(saved), None):
        raise forms.ValidationError(CONFLICT, code="conflict")


class SectionForm(forms.ModelForm):
    """The text under one heading, with the revision it was opened at (optimistic lock)."""

    class Meta:
        model = AgreementSection
        fields = ("text", "revision")
        widgets = {"revision": forms.HiddenInput}

    def clean(self):
        cleaned = super().clean()
        if self.has_changed():
            refuse_stale_revision(self, cleaned)
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
    fields = ("kind", "public_body", "organisation", *PARTY_FIELDS, "signed_on", "signing_method")
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
        fields = ("revision", *TERMS_FIELDS, *PLAN_FIELDS)
        widgets = {"revision": forms.HiddenInput}

    def clean(self):
        cleaned = super().clean()
        refuse_stale_revision(self, cleaned)
        return cleaned


# What the admin corrects of a version itself (the revision is the lock, not a field).
VERSION_FIELDS = frozenset(TERMS_FIELDS + PLAN_FIELDS)


@admin.register(AgreementVersion)
class AgreementVersionAdmin(HistoryAdmin):
    form = VersionForm
    list_display = ("__str__", "case_link", "status", "submitted_at", "signed_at")
    list_filter = ("status",)
    list_select_related = ("agreement__case",)
    search_fields = ("agreement__case__registry_number", "agreement__case__title")
    date_hierarchy = "submitted_at"
    formfield_overrides = TEXTAREA
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
            {"fields": ("revision", *TERMS_FIELDS)},
        ),
        (
            gettext_lazy("Action plan"),
            {"fields": PLAN_FIELDS},
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
        data = {k: v for k, v in form.cleaned_data.items() if k in VERSION_FIELDS}
        locked = services.version_update(
            version=obj,
            data=data,
            revision=form.cleaned_data["revision"],
            actor=request.user,
        )
        obj.revision = locked.revision

    def save_formset(self, request, form, formset, change):
        # Inline rows are never deleted here (``can_delete`` is off): changed and new rows
        # only, written under the same lock.
        services.draft_rows_correct(
            actor=request.user, version=form.instance, changed=formset.save(commit=False)
        )
