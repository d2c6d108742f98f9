"""How the follow-up spoke hooks into the case (iop.workflow), called from ``ready()``."""

from __future__ import annotations


def register() -> None:
    from iop import workflow

    from . import receivers  # noqa: F401  (the deadlines follow the case)

    workflow.register_demo(key="followups", play="followups.demo.play", order=40)

    from .views.oversight import register_oversight_pages

    register_oversight_pages()

    from .views.case import register_case_pages

    register_case_pages()

    from .views.ending import register_ending_pages

    register_ending_pages()

    from .views.absence import register_absence_panel

    register_absence_panel()
