"""The Django admin for organisations, their contact persons, documents and value
declarations. Like the case admin it writes through the services (a document gets its
registry number from ``document_register``), keeps the history viewable, and deletes
nothing an auditor may ask for.

Contact persons are the one exception: they are personal data that should not be kept
once the person has left the organisation (GDPR, data minimisation), no rule or document
depends on them, and simple_history records the deletion itself (who and when) along with
the person's earlier versions.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .admin_base import HistoryAdmin, adopt_saved, search_org_numbers_without_hyphen
from .diarium import diarium
from .forms import DeclaredGrantForm, OrganisationForm, ValueDeclarationForm
from .models import (
    ContactPerson,
    DeclaredGrant,
    Organisation,
    OrganisationDocument,
    ValueDeclaration,
)
from .services.grants import validate_grant
from .uploads import validate_document_upload
from .users import display_name

# --- Inlines on the organisation ------------------------------------------------------------


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    fields = ("name", "title", "email", "phone", "is_primary")
    extra = 0


class OrganisationDocumentInline(admin.TabularInline):
    """The documents handed in, listed; each is uploaded and registered on its own page."""

    model = OrganisationDocument
    fields = ("registry_number", "kind", "year", "received_on", "case")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ValueDeclarationInline(admin.TabularInline):
    """The value declarations recorded, listed, with whether each is complete and signed."""

    model = ValueDeclaration
    fields = ("signatory_name", "signatory_title", "signed_on", "signed")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("complete and signed"), boolean=True)
    def signed(self, declaration: ValueDeclaration) -> bool:
        return declaration.is_signed


# --- Organisations ---------------------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    form = OrganisationForm
    list_display = ("name", "org_number_display", "legal_form", "city", "has_signed_declaration")
    list_filter = ("legal_form",)
    search_fields = ("name", "org_number", "city")
    search_help_text = gettext_lazy("Name, organisation number (with or without hyphen) or city.")
    inlines = (ContactPersonInline, ValueDeclarationInline, OrganisationDocumentInline)
    fieldsets = (
        (None, {"fields": ("name", "org_number", "legal_form", "member_count")}),
        (
            gettext_lazy("Address and contact"),
            {"fields": ("street_address", ("postal_code", "city"), "email", "phone", "website")},
        ),
    )

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.cleaned_data}
        if change:
            saved = services.organisation_update(organisation=obj, actor=request.user, **fields)
        else:
            saved = services.organisation_create(actor=request.user, **fields)
        adopt_saved(obj, saved)

    def save_formset(self, request, form, formset, change):
        """The contact persons, written through their services; the other inlines only list."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not ContactPerson:
            return
        organisation, actor = form.instance, request.user
        deleted = formset.deleted_forms
        for inline in formset.forms:
            contact = inline.instance
            if inline in deleted:
                if contact.pk:
                    services.contact_person_delete(contact=contact, actor=actor)
                    formset.deleted_objects.append(contact)
            elif inline.has_changed():
                fields = {name: inline.cleaned_data[name] for name in ContactPersonInline.fields}
                if contact.pk:
                    saved = services.contact_person_update(contact=contact, actor=actor, **fields)
                    formset.changed_objects.append((saved, inline.changed_data))
                else:
                    saved = services.contact_person_create(
                        organisation=organisation, actor=actor, **fields
                    )
                    formset.new_objects.append(saved)

    def get_inlines(self, request, obj):
        # Declarations and documents are recorded on their own pages, for an existing organisation.
        return self.inlines if obj is not None else (ContactPersonInline,)

    def get_queryset(self, request):
        signed = ValueDeclaration.objects.filter(
            organisation=OuterRef("pk"), **dict.fromkeys(ValueDeclaration.POINT_FIELDS, True)
        ).exclude(signatory_name="")
        return super().get_queryset(request).annotate(_has_signed_declaration=Exists(signed))

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(
            request, queryset, search_org_numbers_without_hyphen(search_term)
        )

    @admin.display(description=gettext_lazy("organisation number"), ordering="org_number")
    def org_number_display(self, organisation: Organisation) -> str:
        return organisation.org_number_display

    @admin.display(
        description=gettext_lazy("signed value declaration"),
        boolean=True,
        ordering="_has_signed_declaration",
    )
    def has_signed_declaration(self, organisation: Organisation) -> bool:
        return organisation._has_signed_declaration


@admin.register(ContactPerson)
class ContactPersonAdmin(HistoryAdmin):
    list_display = ("name", "organisation", "title", "email", "phone", "is_primary")
    list_filter = ("is_primary",)
    list_select_related = ("organisation",)
    search_fields = ("name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)

    def has_delete_permission(self, request, obj=None):
        # See the module docstring: the one thing that may be removed, and it leaves a trace.
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ContactPersonInline.fields}
        if change:
            saved = services.contact_person_update(contact=obj, actor=request.user, **fields)
        else:
            saved = services.contact_person_create(
                organisation=form.cleaned_data["organisation"], actor=request.user, **fields
            )
        adopt_saved(obj, saved)

    def delete_model(self, request, obj):
        services.contact_person_delete(contact=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for contact in queryset:
            services.contact_person_delete(contact=contact, actor=request.user)


# --- Documents -------------------------------------------------------------------------------


class OrganisationDocumentAdminForm(forms.ModelForm):
    class Meta:
        model = OrganisationDocument
        fields = (
            "organisation",
            "kind",
            "file",
            "year",
            "received_on",
            "description",
            "case",
            "public_body",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(validate_document_upload)
        self.fields["file"].help_text = validate_document_upload.help_text
        if "case" in self.fields:
            self.fields["case"].help_text = _(
                "The document is numbered within this case. Without one, it is registered in "
                "the organisation's own file at the public body chosen below."
            )

    def clean(self):
        cleaned = super().clean()
        organisation, case = cleaned.get("organisation"), cleaned.get("case")
        if case is not None:
            if (
                organisation is not None
                and not case.organisations.filter(pk=organisation.pk).exists()
            ):
                self.add_error(
                    "case",
                    forms.ValidationError(
                        _(
                            "The document can only be registered in one of the organisation's cases."
                        ),
                        code="foreign_case",
                    ),
                )
        elif cleaned.get("public_body") is None:
            self.add_error(
                "public_body",
                forms.ValidationError(
                    _(
                        "Choose the case, or the public body whose registry the document is "
                        "registered in."
                    ),
                    code="required",
                ),
            )
        return cleaned


@admin.register(OrganisationDocument)
class OrganisationDocumentAdmin(HistoryAdmin):
    list_display = ("registry_number", "kind", "organisation", "year", "received_on", "case")
    list_filter = ("kind", "year")
    list_select_related = ("organisation", "case")
    search_fields = ("registry_number", "organisation__name", "organisation__org_number")
    autocomplete_fields = ("organisation",)
    # What registration fixed stays as it was registered.
    change_readonly_fields = (
        "organisation",
        "registry_number",
        "case",
        "public_body",
        "file",
        "uploaded_by",
        "uploaded_at",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = OrganisationDocumentAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return (
                "organisation",
                "kind",
                "file",
                "year",
                "received_on",
                "description",
                "case",
                "public_body",
            )
        return (*self.change_readonly_fields, "kind", "year", "received_on", "description")

    def get_readonly_fields(self, request, obj=None):
        return self.change_readonly_fields if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            # The cases the user may register in (can_change_case); the service checks again.
            kwargs["queryset"] = diarium().cases_to_register_in(user=request.user)
            kwargs["error_messages"] = {
                "invalid_choice": _(
                    "You may not register documents in that case: choose one of the cases listed."
                )
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in services.DOCUMENT_CORRECTABLE if name in data}
            adopt_saved(obj, services.document_update(document=obj, actor=request.user, **fields))
            return
        document = services.document_register(
            organisation=data["organisation"],
            actor=request.user,
            kind=data["kind"],
            file=data["file"],
            received_on=data["received_on"],
            year=data.get("year"),
            description=data.get("description", ""),
            case=data.get("case"),
            public_body=data.get("public_body"),
        )
        adopt_saved(obj, document)


# --- Value declarations ----------------------------------------------------------------------


class ValueDeclarationAdminForm(ValueDeclarationForm):
    class Meta(ValueDeclarationForm.Meta):
        fields = ["organisation", *ValueDeclarationForm.Meta.fields]


@admin.register(ValueDeclaration)
class ValueDeclarationAdmin(HistoryAdmin):
    form = ValueDeclarationAdminForm
    list_display = ("organisation", "signatory_name", "signed_on", "signed", "recorded_by_name")
    list_filter = ("signed_on",)
    list_select_related = ("organisation", "recorded_by")
    search_fields = ("organisation__name", "organisation__org_number", "signatory_name")
    autocomplete_fields = ("organisation",)
    readonly_fields = ("signed", "recorded_by", "recorded_at")

    def get_fieldsets(self, request, obj=None):
        return (
            (None, {"fields": ("organisation", "signatory_name", "signatory_title", "signed_on")}),
            (
                gettext_lazy("The points the signatory confirmed"),
                {
                    "description": _(
                        "Tick only what the signatory confirmed. A declaration with a point "
                        "left unticked is kept, but it is incomplete: it does not count as "
                        "signed, and the case cannot move on to drafting."
                    ),
                    "fields": ValueDeclaration.POINT_FIELDS,
                },
            ),
            (
                None,
                {
                    "fields": (
                        "scanned_file",
                        *(("signed", "recorded_by", "recorded_at") if obj else ()),
                    )
                },
            ),
        )

    @admin.display(description=gettext_lazy("complete and signed"), boolean=True)
    def signed(self, declaration: ValueDeclaration) -> bool:
        return declaration.is_signed

    @admin.display(description=gettext_lazy("recorded by"))
    def recorded_by_name(self, declaration: ValueDeclaration) -> str:
        return display_name(declaration.recorded_by)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in form.changed_data if name != "organisation"}
            if fields.get("scanned_file") is False:  # "clear" ticked
                fields["scanned_file"] = ""
            declaration = services.value_declaration_update(
                declaration=obj, actor=request.user, **fields
            )
        else:
            declaration = services.value_declaration_record(
                organisation=data["organisation"],
                actor=request.user,
                signatory_name=data["signatory_name"],
                signatory_title=data.get("signatory_title", ""),
                signed_on=data["signed_on"],
                scanned_file=data.get("scanned_file") or None,
                **{name: data[name] for name in ValueDeclaration.POINT_FIELDS},
            )
        adopt_saved(obj, declaration)
        if not obj.is_signed:
            self.message_user(
                request,
                _(
                    "The value declaration is incomplete: not every point is confirmed. It does "
                    "not count as signed."
                ),
                messages.WARNING,
            )


# --- Declared grants ------------------------------------------------------------------------


class DeclaredGrantAdminForm(DeclaredGrantForm):
    """The grant form with the organisation to declare it for (admin's add page)."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label=gettext_lazy("Organisation")
    )
    field_order = ["organisation", "giver", "purpose", "amount", "year", "declared_on"]

    def __init__(self, *args, instance=None, **kwargs):
        # Django's admin hands a ModelForm's arguments to the form it builds.
        kwargs.pop("use_required_attribute", None)
        kwargs.pop("renderer", None)
        super().__init__(*args, **kwargs)
        self.instance = instance if instance is not None else DeclaredGrant()

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                validate_grant(
                    giver=cleaned["giver"].strip(),
                    purpose=cleaned["purpose"].strip(),
                    amount=cleaned["amount"],
                    year=cleaned["year"],
                    declared_on=cleaned["declared_on"],
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def save(self, commit=True):  # the admin's save_model writes through the service
        return self.instance

    def save_m2m(self):
        pass

    class Meta:
        model = DeclaredGrant
        fields = ["organisation", "giver", "purpose", "amount", "year", "declared_on"]


class WithdrawGrantAdminForm(forms.ModelForm):
    """A recorded grant is not edited: it may only be withdrawn, with the reason."""

    class Meta:
        model = DeclaredGrant
        fields = ["withdrawn_reason"]


@admin.register(DeclaredGrant)
class DeclaredGrantAdmin(HistoryAdmin):
    list_display = ("organisation", "giver", "year", "amount", "declared_on", "withdrawn")
    list_filter = ("year", ("withdrawn_at", admin.EmptyFieldListFilter))
    list_select_related = ("organisation",)
    search_fields = ("organisation__name", "organisation__org_number", "giver", "purpose")
    autocomplete_fields = ("organisation",)
    readonly_fields = (
        "organisation",
        "giver",
        "purpose",
        "amount",
        "year",
        "declared_on",
        "recorded_by",
        "recorded_at",
        "withdrawn_at",
        "withdrawn_by",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return DeclaredGrantAdminForm
        kwargs["form"] = WithdrawGrantAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.is_withdrawn:
            return (*self.readonly_fields, "withdrawn_reason")
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(DeclaredGrantAdminForm.field_order)
        return [*self.readonly_fields[:-2], "withdrawn_reason", *self.readonly_fields[-2:]]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(
            request, queryset, search_org_numbers_without_hyphen(search_term)
        )

    @admin.display(description=gettext_lazy("withdrawn"), boolean=True, ordering="withdrawn_at")
    def withdrawn(self, grant: DeclaredGrant) -> bool:
        return grant.is_withdrawn

    def save_model(self, request, obj, form, change):
        if change:
            reason = form.cleaned_data.get("withdrawn_reason", "")
            if not reason.strip():
                return
            saved = services.withdraw_grant(grant=obj, actor=request.user, reason=reason)
        else:
            data = form.cleaned_data
            saved = services.declare_grant(
                organisation=data["organisation"],
                actor=request.user,
                giver=data["giver"],
                purpose=data["purpose"],
                amount=data["amount"],
                year=data["year"],
                declared_on=data["declared_on"],
            )
        adopt_saved(obj, saved)
