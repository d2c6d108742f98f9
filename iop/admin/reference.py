"""Reference data: public bodies, committees and the registry's sequences."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.uploads import UploadValidator

from ..models import Committee, PublicBody, RegistrySequence
from .base import HistoryAdmin, ReadOnlyAdmin

# A logo is printed small at the top of a document; a larger file is a photograph or a scan.
LOGO_MAX_SIZE = 2 * 1024 * 1024
validate_logo_upload = UploadValidator(("png", "jpeg"))


class PublicBodyAdminForm(forms.ModelForm):
    class Meta:
        model = PublicBody
        fields = ("name", "short_code", "kind", "logo")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "logo" in self.fields:
            self.fields["logo"].widget.attrs["accept"] = validate_logo_upload.accept
            self.fields["logo"].help_text = gettext(
                "PNG or JPEG, at most %(limit)s, printed at the top of the body's decision "
                "documents."
            ) % {"limit": filesizeformat(LOGO_MAX_SIZE)}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        # Only a new upload is checked; the stored logo was checked when it came.
        if isinstance(logo, UploadedFile):
            if logo.size > LOGO_MAX_SIZE:
                raise forms.ValidationError(
                    gettext(
                        "The logo is %(size)s; a logo can be at most %(limit)s. Choose a "
                        "smaller image."
                    ),
                    code="too_large",
                    params={
                        "size": filesizeformat(logo.size),
                        "limit": filesizeformat(LOGO_MAX_SIZE),
                    },
                )
            validate_logo_upload(logo)
        return logo


@admin.register(PublicBody)
class PublicBodyAdmin(HistoryAdmin):
    form = PublicBodyAdminForm
    list_display = ("name", "short_code", "kind", "logo_thumbnail")
    list_filter = ("kind",)
    search_fields = ("name", "short_code")
    readonly_fields = ("logo_thumbnail",)
    fields = ("name", "short_code", "kind", "logo", "logo_thumbnail")

    @admin.display(description=_("logo as printed"))
    def logo_thumbnail(self, obj: PublicBody) -> str:
        if not obj.logo:
            return "–"
        return format_html(
            '<img src="{}" alt="{}" height="60" class="public-body-logo">',
            obj.logo.url,
            gettext("Logo of %(name)s") % {"name": obj.name},
        )


@admin.register(Committee)
class CommitteeAdmin(HistoryAdmin):
    list_display = ("name", "short_code", "public_body", "is_active")
    list_filter = ("public_body", "is_active")
    list_select_related = ("public_body",)
    search_fields = ("name", "short_code", "public_body__name")


@admin.register(RegistrySequence)
class RegistrySequenceAdmin(ReadOnlyAdmin):
    list_display = ("public_body", "year", "last_serial")
    list_filter = ("public_body", "year")
    list_select_related = ("public_body",)
