"""How oversight hooks into the case (iop.workflow), called from ``ready()``."""

from __future__ import annotations


def register() -> None:
    from .views import dossier, portfolio, public, statistics

    for module in (portfolio, statistics, dossier, public):
        module.register()
