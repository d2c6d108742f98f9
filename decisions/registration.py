"""How the committee's spoke hooks into the case (iop.workflow), called from ``ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from iop import workflow
    from iop.constants import Transition

    from . import conditions, receivers  # noqa: F401  (receivers follow the case's moves)

    guard = workflow.register_guard
    guard(
        Transition.RECORD_APPROVAL,
        conditions.approval_recorded,
        _(
            "The committee's approval must be recorded on the matter (meeting, § and outcome) by the committee secretary."
        ),
    )
    guard(
        Transition.RECORD_REJECTION,
        conditions.rejection_recorded,
        _(
            "The committee's rejection must be recorded on the matter (meeting, § and outcome) by the committee secretary."
        ),
    )
    guard(
        Transition.RECORD_REFERRAL_BACK,
        conditions.referral_back_recorded,
        _(
            "The committee's referral back must be recorded on the matter (meeting, § and outcome) by the committee secretary."
        ),
    )
    guard(
        Transition.START_RENEGOTIATION,
        conditions.renegotiation_decided,
        _(
            "The committee's decision to renegotiate must be recorded on a renegotiation matter by the committee secretary."
        ),
    )
    guard(
        Transition.START_WINDING_DOWN,
        conditions.ending_decided,
        _(
            "The committee's decision to end the partnership must be recorded on the ending matter by the committee secretary."
        ),
    )
    # The pages that take these moves (the meeting's page records the decisions) and the
    # case page's panel, the secretary's queue and the demo are registered by the parts that
    # build them (views, selectors, demo) below.
    from . import pages

    pages.register()
    workflow.register_demo(key="decisions", play="decisions.demo.play", order=30)

    from iop import facts

    from . import provided

    facts.provide_decision_facts(provided.decision_facts)
    facts.provide_matter_preparer(provided.prepare_requested_matter)
