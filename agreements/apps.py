from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from iop import workflow
        from iop.constants import Transition

        from . import conditions, receivers, selectors  # noqa: F401  (receivers follow the case's moves)

        # The agreement's conditions of the case's transitions (DOMAIN.md §6); the agreement's
        # page shows in detail what is missing.
        guard = workflow.register_guard
        guard(
            Transition.SUBMIT_FOR_LEGAL_REVIEW,
            conditions.agreement_ready_for_review,
            _(
                "The draft agreement must be complete before it goes to the jurist: text under every heading, the parties with their signatories, start date and term, a budget where every party contributes with no profit line, and an action plan with activities and at least two check-ins a year. The agreement's page shows what is missing."
            ),
        )
        guard(
            Transition.RETURN_TO_DRAFTING,
            conditions.review_comments_given,
            _(
                "The jurist must comment on the draft (per heading or as a whole) before it is returned."
            ),
        )
        guard(
            Transition.APPROVE_LEGAL_REVIEW,
            conditions.legal_assessment_recorded,
            _(
                "The jurist must have answered every procurement factor and recorded an overall assessment, and, where the public parties pay the full cost, the reason it is accepted."
            ),
        )
        guard(
            Transition.ACTIVATE,
            conditions.all_parties_signed,
            _("Every party must have signed the approved version of the agreement."),
        )
        guard(
            Transition.COMPLETE_RENEGOTIATION,
            conditions.renegotiated_version_signed,
            _(
                "The renegotiated version of the agreement must be approved by the jurist and signed by every party."
            ),
        )

        from iop.permissions import REVIEW_LEGAL

        def legal_review_queue(user, visible):
            if not user.has_perm(REVIEW_LEGAL):
                return None
            return selectors.awaiting_review(visible)

        workflow.register_start_queue(
            key="legal_review",
            order=50,
            title=_("Legal review queue"),
            description=_("Agreements waiting for your review, oldest first."),
            cases=legal_review_queue,
            url_name="agreements:review_queue",
            link_text=_("Open the legal review queue"),
            link_id="review-queue-link",
        )
        for transition, page in (
            (Transition.SUBMIT_FOR_LEGAL_REVIEW, "agreements:detail"),
            (Transition.RETURN_TO_DRAFTING, "agreements:review"),
            (Transition.APPROVE_LEGAL_REVIEW, "agreements:review"),
            (Transition.ACTIVATE, "agreements:signing"),
            (Transition.COMPLETE_RENEGOTIATION, "agreements:signing"),
        ):
            workflow.register_action_page(transition, page)
        workflow.register_case_panel(
            key="agreement",
            template="agreements/_case_agreement.html",
            context=selectors.case_panel_context,
            order=10,
        )
        workflow.register_demo(key="agreements", play="agreements.demo.play", order=20)

        from iop.facts import provide_agreement_facts

        from .facts import agreement_facts

        provide_agreement_facts(agreement_facts)
