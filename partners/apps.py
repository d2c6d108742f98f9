from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner organisations")

    def ready(self) -> None:
        from . import permissions
        from .files import register_stored_file
        from .models import Organisation, OrganisationDocument, ValueDeclaration

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
