"""How finance hooks into the case (iop.workflow), called from ``ready()``: a panel on the case
page, a panel on finance's start page and its part of the demo story."""

from __future__ import annotations


def register() -> None:
    from iop import workflow

    from .views import panels

    workflow.register_case_panel(
        key="finance",
        template=panels.CASE_PANEL_TEMPLATE,
        context=panels.case_panel_context,
        order=40,
    )
    workflow.register_start_panel(
        key="finance",
        template=panels.START_PANEL_TEMPLATE,
        context=panels.start_panel_context,
        order=20,
    )
    workflow.register_demo(key="finance", play="finance.demo.play", order=50)
