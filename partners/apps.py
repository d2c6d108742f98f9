from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner organisations")

    def ready(self) -> None:
        from django import forms

        from . import permissions
        from .files import register_stored_file
        from .models import Organisation, OrganisationDocument, ValueDeclaration
        from .validators import ProhibitControlCharactersValidator

        # One guard for every typed text of every app (and the admin): control characters
        # are refused like Django refuses NUL (OWASP ASVS V5, issue 12). ``validate`` is
        # looked up when a form is cleaned, so it also reaches the fields of form classes
        # defined before this app was ready.
        if not getattr(forms.CharField.validate, "refuses_control_characters", False):
            field_validate = forms.CharField.validate
            refuse = ProhibitControlCharactersValidator()

            def validate(field: forms.CharField, value: object) -> None:
                field_validate(field, value)
                if value not in field.empty_values:
                    refuse(value)

            validate.refuses_control_characters = True  # type: ignore[attr-defined]
            forms.CharField.validate = validate  # type: ignore[method-assign]

        def of_visible_organisations(model):
            return lambda user: model.objects.filter(
                organisation__in=Organisation.objects.for_user(user)
            )

        register_stored_file(
            OrganisationDocument,
            "file",
            may_read=permissions.can_view_documents,
            download_name=lambda document: document.download_name,
            visible=of_visible_organisations(OrganisationDocument),
        )
        register_stored_file(
            ValueDeclaration,
            "scanned_file",
            may_read=permissions.can_view_declarations,
            download_name=lambda declaration: declaration.download_name,
            visible=of_visible_organisations(ValueDeclaration),
        )
