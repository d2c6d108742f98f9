"""Finance in Django admin.

The public bodies' usual payment frequency is kept here, written through its service
(``set_payment_default``). The payments, holds and per-IOP terms are recorded on finance's own
pages through their services and are read-only here for every role and the superuser, with
their history (never reverted): a payment is never edited or deleted.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from partners.admin_base import HistoryAdmin, adopt_saved

from .models import Payment, PaymentDefaults, PaymentHold, PaymentTerms
from .services.defaults import set_payment_default
from .services.payments import PaymentRefused


class ReadOnlyHistoryAdmin(HistoryAdmin):
    """Written by finance's services only: viewable with its history, never changed."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentDefaultsForm(forms.ModelForm):
    """Written by ``set_payment_default`` when the form validates; a refusal becomes the
    form's errors."""

    actor: Any = None
    saved: Any = None

    class Meta:
        model = PaymentDefaults
        fields = ("public_body", "frequency")

    def _post_clean(self) -> None:
        if self.errors:
            return
        try:
            self.saved = set_payment_default(
                public_body=self.cleaned_data["public_body"],
                frequency=self.cleaned_data["frequency"],
                actor=self.actor,
            )
        except PaymentRefused as refused:
            for name, texts in refused.errors.items():
                for text in texts:
                    self.add_error(name if name in self.fields else None, text)


@admin.register(PaymentDefaults)
class PaymentDefaultsAdmin(HistoryAdmin):
    form = PaymentDefaultsForm
    list_display = ("public_body", "frequency")
    list_select_related = ("public_body",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request, obj=None):
        return ("public_body",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if form.saved is not None:
            adopt_saved(obj, form.saved)


@admin.register(PaymentTerms)
class PaymentTermsAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "public_body", "frequency", "updated_by", "updated_at")
    list_select_related = ("case", "public_body", "updated_by")
    search_fields = ("case__registry_number",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "reference",
        "case",
        "public_body",
        "year",
        "period",
        "paid_on",
        "amount",
        "corrects",
        "recorded_by",
    )
    list_filter = ("year", "public_body")
    list_select_related = ("case", "public_body", "corrects", "recorded_by")
    search_fields = ("reference", "case__registry_number")
    date_hierarchy = "paid_on"


@admin.register(PaymentHold)
class PaymentHoldAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "public_body", "year", "period", "reason", "held_by", "released_at")
    list_filter = ("year", "public_body")
    list_select_related = ("case", "public_body", "held_by")
    search_fields = ("case__registry_number", "reason")
