"""The documents registered in a case (the wind-down plan, notice letters)."""

from __future__ import annotations

from django.contrib import admin

from partners.admin_base import adopt_saved

from .. import permissions
from ..models import CaseDocument
from ..services.documents import case_document_register
from .base import HistoryAdmin, cases_user_may_change
from .forms import CaseDocumentForm


@admin.register(CaseDocument)
class CaseDocumentAdmin(HistoryAdmin):
    form = CaseDocumentForm
    list_display = ("title", "kind", "case", "received_on", "uploaded_by")
    list_filter = ("kind",)
    list_select_related = ("case", "uploaded_by")
    search_fields = ("title", "case__registry_number", "case__title")
    readonly_fields = ("registry_number", "uploaded_by", "uploaded_at")

    def get_readonly_fields(self, request, obj=None):
        # A registered document stays in the case it was registered in.
        return (*self.readonly_fields, "case") if obj is not None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_change_case(obj.case, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = cases_user_may_change(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new document is registered (numbered, its event written) by the service.
        data = form.cleaned_data
        document = case_document_register(
            actor=request.user,
            case=data["case"],
            kind=data["kind"],
            title=data["title"],
            file=data["file"],
            received_on=data.get("received_on"),
            direction=data.get("direction") or CaseDocument._meta.get_field("direction").default,
            counterpart=data.get("counterpart", ""),
        )
        adopt_saved(obj, document)
