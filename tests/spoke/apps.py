"""A spoke that exists only for the tests (installed by ``iop.settings.test``): it hooks into the
case through every extension point of ``iop.workflow`` without a line of ``iop`` knowing it,
which is the recipe of ARCHITECTURE.md proven."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpokeConfig(AppConfig):
    name = "tests.spoke"
    label = "spoke"
    verbose_name = "Test spoke"

    def ready(self) -> None:
        from iop import workflow
        from iop.constants import Transition

        from . import selectors

        workflow.register_guard(
            Transition.START_PREPARATION,
            selectors.not_held,
            _("The test spoke holds this case: release the hold first."),
        )
        workflow.register_case_panel(
            key="spoke",
            template="spoke/panel.html",
            context=selectors.panel_context,
            order=90,
        )
        workflow.register_start_queue(
            key="spoke_holds",
            order=90,
            title=_("Cases the test spoke holds"),
            description="",
            cases=selectors.held_queue,
        )
        workflow.register_demo(key="spoke", play="tests.spoke.demo.play", order=90)
