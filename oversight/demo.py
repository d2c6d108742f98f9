"""Oversight's part of the demo story (``iop.workflow.register_demo``): Maria, the auditor,
exported the dossier of Funktionsrätt Värmland's IOP a few days ago (an agreement signed and
renegotiated, its committee decisions, its follow-up), built there and then
(``services.exports.build_now``: no worker is needed, whatever Celery's settings), and
downloaded it an hour later, which the audit log shows (an export, with her office's address).

Idempotent: a case whose dossier Maria has exported is left alone."""

from __future__ import annotations

import datetime
import logging

from django.urls import reverse

from iop.demo import Story
from iop.models import Case

from .models import DossierExport
from .services.exports import build_now

AUDITOR = "maria"
ORGANISATION = "Funktionsrätt Värmland"
DAYS_AGO = 3


OFFICE_IP = "10.20.4.17"


def play(story: Story) -> None:
    exported_at = story.moment(story.day(DAYS_AGO), AUDITOR)
    story.schedule(exported_at, lambda: export_dossier(story))
    story.schedule(exported_at + datetime.timedelta(hours=1), lambda: download_dossier(story))


def export_dossier(story: Story) -> None:
    case = Case.objects.filter(organisations__name=ORGANISATION).order_by("pk").first()
    if case is None:
        return
    maria = story.user(AUDITOR)
    if DossierExport.objects.filter(case=case, requested_by=maria).exists():
        return
    build_now(case, maria)
    story.count("dossier exports")


def download_dossier(story: Story) -> None:
    """The audit log's line for Maria's download, as the download view's request logs it."""
    maria = story.user(AUDITOR)
    export = DossierExport.objects.filter(requested_by=maria).order_by("pk").first()
    if export is None or story.created.get("dossier exports", 0) == 0:
        return  # exported (and downloaded) on an earlier run
    logging.getLogger("iop.audit").info(
        "export",
        extra={
            "event": "export",
            "outcome": "success",
            "user_id": maria.pk,
            "username": maria.get_username(),
            "ip": OFFICE_IP,
            "method": "GET",
            "path": reverse("oversight:dossier_download", args=[export.case_id, export.pk]),
            "status": 200,
            "object_type": "oversight.dossierexport",
            "object_id": str(export.pk),
        },
    )
