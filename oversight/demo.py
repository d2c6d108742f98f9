"""Oversight's part of the demo story (``iop.workflow.register_demo``): Maria, the auditor,
exported the dossier of Funktionsrätt Värmland's IOP a few days ago (an agreement signed and
renegotiated, its committee decisions, its follow-up), built there and then
(``services.exports.build_now``: no worker is needed, whatever Celery's settings).

Idempotent: a case whose dossier Maria has exported is left alone."""

from __future__ import annotations

from iop.demo import Story
from iop.models import Case

from .models import DossierExport
from .services.exports import build_now

AUDITOR = "maria"
ORGANISATION = "Funktionsrätt Värmland"
DAYS_AGO = 3


def play(story: Story) -> None:
    story.schedule(story.moment(story.day(DAYS_AGO), AUDITOR), lambda: export_dossier(story))


def export_dossier(story: Story) -> None:
    case = Case.objects.filter(organisations__name=ORGANISATION).order_by("pk").first()
    if case is None:
        return
    maria = story.user(AUDITOR)
    if DossierExport.objects.filter(case=case, requested_by=maria).exists():
        return
    build_now(case, maria)
    story.count("dossier exports")
