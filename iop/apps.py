from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IopConfig(AppConfig):
    name = "iop"
    verbose_name = _("IOP cases")

    def ready(self) -> None:
        from . import audit, auth_backends, selectors, session_timeout, workflow  # noqa: F401

        # auth_backends and session_timeout hold signal receivers (issue 12).

        selectors.register_start_queues()
        workflow.register_demo(key="iop", play="iop.demo.play", order=10)
        # The organisations' declared grants (partners is below the hub and cannot register).
        workflow.register_demo(key="grants", play="partners.demo.play_grants", order=15)
        # The audit log's story: a lockout at night, lifted by the coordinator the next morning.
        workflow.register_demo(key="security", play="iop.demo_security.play", order=70)
        self.serve_documents()

    def serve_documents(self) -> None:
        """What partners asks of the registry, the case's documents on the case page, and
        their stored files through the checked download."""
        from partners import diarium
        from partners.files import register_stored_file

        from . import permissions, workflow
        from .diarium import CaseDiarium, register_hub_documents
        from .models import Case, CaseDocument, PublicBody
        from .views.documents import case_documents_panel

        diarium.provide(CaseDiarium())
        register_hub_documents()
        register_stored_file(
            CaseDocument,
            "file",
            may_read=permissions.can_view_cases,
            download_name=lambda document: document.download_name,
            visible=lambda user: CaseDocument.objects.filter(case__in=Case.objects.for_user(user)),
        )
        # The public body's logo (its admin shows it as a thumbnail).
        register_stored_file(
            PublicBody,
            "logo",
            may_read=lambda user: user.has_perm("iop.view_publicbody"),
            download_name=lambda body: f"logo-{body.short_code}",
        )
        workflow.register_case_panel(
            key="documents",
            template="iop/documents/_panel.html",
            context=case_documents_panel,
            order=80,
        )
