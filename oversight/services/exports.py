"""The dossier export: asked for by the auditor or the IOP coordinator, built in the background
(``oversight.tasks.build_dossier``) with its progress on the row, downloaded through a view that
logs every download.

At most one export per case is queued or being built (the constraint
``dossier_export_one_in_flight``): a second request while one is in flight is refused with the
reason, unless the one in flight was lost (``ABANDONED_AFTER``: a stopped worker, a broker that
was down), which then counts as failed and a new one starts. The request writes the case's
event (``CaseEventKind.EXPORT``): who exported what, when, in the case's own timeline.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iop import permissions
from iop.constants import CaseEventKind
from iop.exceptions import TransitionForbidden, TransitionRefused
from iop.models import Case
from iop.services.common import lock_case, record_event

from ..models import DossierDownload, DossierExport, ExportStatus

logger = logging.getLogger(__name__)

EXPORT_PERMISSION = "oversight.add_dossierexport"
DOWNLOAD_PERMISSION = "oversight.view_dossierexport"
IN_FLIGHT = (ExportStatus.QUEUED, ExportStatus.BUILDING)

# An export queued or being built this long was lost: it counts as failed, so a new one can
# start instead of waiting for it for ever.
ABANDONED_AFTER = datetime.timedelta(minutes=15)


ALREADY_BUILDING = gettext_lazy(
    "An export of this dossier is already being built; wait until it is ready."
)


class ExportRefused(TransitionRefused):
    """The export cannot be asked for now; ``reasons`` say why, as the user reads them."""


def may_export(user: Any) -> bool:
    return permissions.can_view_cases(user) and user.has_perm(EXPORT_PERMISSION)


def may_download(user: Any) -> bool:
    return permissions.can_view_cases(user) and user.has_perm(DOWNLOAD_PERMISSION)


def is_abandoned(export: DossierExport, now: datetime.datetime | None = None) -> bool:
    """Queued or being built for longer than ``ABANDONED_AFTER``."""
    now = now or timezone.now()
    return export.in_flight and export.requested_at < now - ABANDONED_AFTER


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _fail(export_id: int, error: str) -> None:
    with transaction.atomic():
        export = DossierExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or not export.in_flight:
            return
        export.status = ExportStatus.FAILED
        export.error = error[:2000]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])


@transaction.atomic
def request_export(*, case: Case, actor: Any, schedule: bool = True) -> DossierExport:
    """Ask for the dossier of ``case`` as a ZIP, built in the background after commit
    (``schedule=False`` leaves the build to the caller: ``build_now``). Refused (403) for a
    user who may not export; refused with the reason while another export of the case is in
    flight. Writes the case's event of kind EXPORT."""
    if not may_export(actor):
        raise TransitionForbidden(
            [_("Only an auditor or the IOP coordinator may export a dossier.")]
        )
    case = lock_case(case)
    in_flight = DossierExport.objects.filter(case=case, status__in=IN_FLIGHT).first()
    if in_flight is not None:
        if not is_abandoned(in_flight):
            raise ExportRefused([ALREADY_BUILDING])
        _fail(in_flight.pk, _("The export was not finished in time; a new one was requested."))
    try:
        # A savepoint: without the case's lock (a database that does not lock rows) the
        # constraint is what stops a second export, and the transaction goes on after it.
        with transaction.atomic():
            export = DossierExport(case=case, requested_by=_actor(actor))
            export._history_user = _actor(actor)
            export.save()
    except IntegrityError as error:
        raise ExportRefused([ALREADY_BUILDING]) from error
    record_event(
        case=case,
        kind=CaseEventKind.EXPORT,
        actor=actor,
        note=_("The dossier was exported as a ZIP (export %(id)s).") % {"id": export.pk},
    )
    if schedule:
        from ..tasks import schedule_build

        schedule_build(export.pk)
    return export


# --- The build --------------------------------------------------------------------------------


@transaction.atomic
def _claim(export_id: int) -> DossierExport | None:
    export = DossierExport.objects.select_for_update().filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return None
    export.status = ExportStatus.BUILDING
    export.progress = 1
    export.step = _("Reading the case")
    export.started_at = timezone.now()
    export.save(update_fields=["status", "progress", "step", "started_at"])
    return export


def export_advance(*, export_id: int, progress: int, step: str) -> None:
    """Record how far the build is, committed at once so that the page's progress bar sees it."""
    with transaction.atomic():
        export = DossierExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status != ExportStatus.BUILDING:
            return
        export.progress = max(export.progress, min(progress, 99))
        export.step = step[:200]
        export.save(update_fields=["progress", "step"])


@transaction.atomic
def _store(export_id: int, handle: Any, *, name: str, size: int) -> None:
    export = DossierExport.objects.select_for_update().get(pk=export_id)
    if export.status != ExportStatus.BUILDING:
        return
    export.file.save(name, File(handle, name=name), save=False)
    export.status = ExportStatus.DONE
    export.progress = 100
    export.step = _("Ready")
    export.size = size
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "progress", "step", "size", "finished_at"])


def export_build(*, export_id: int) -> bool:
    """Build the queued export ``export_id``: write the ZIP (``services.dossier_zip``), store it on
    the row. Returns whether this call built it: an export already claimed, built or failed is
    left as it is (a duplicate delivery, a second worker). A failure is recorded on the row,
    with its reason, for the page to show."""
    export = _claim(export_id)
    if export is None:
        return False
    from .dossier_zip import write_dossier_zip, zip_name

    try:
        with translation.override("sv"), tempfile.TemporaryFile() as handle:
            case = Case.objects.select_related("committee", "public_body", "officer").get(
                pk=export.case_id
            )

            def progress(percent: int, step: str) -> None:
                export_advance(export_id=export_id, progress=percent, step=step)

            write_dossier_zip(case, handle, progress=progress)
            size = handle.tell()
            handle.seek(0)
            _store(export_id, handle, name=zip_name(case), size=size)
    except Exception as error:  # noqa: BLE001 - every failure is shown on the page
        logger.exception("Dossier export %s failed", export_id)
        _fail(export_id, str(error) or error.__class__.__name__)
        return False
    return True


def build_now(case: Case, actor: Any) -> DossierExport:
    """Ask for the export and build it in this process (the bench and the demo: no worker)."""
    export = request_export(case=case, actor=actor, schedule=False)
    export_build(export_id=export.pk)
    return DossierExport.objects.get(pk=export.pk)


# --- The download ------------------------------------------------------------------------------


@transaction.atomic
def download_record(*, export: DossierExport, actor: Any) -> DossierDownload:
    """Log one download of a finished export: who, when. Refused (403) for a user who may not
    download exports."""
    if not may_download(actor):
        raise TransitionForbidden(
            [_("Only an auditor or the IOP coordinator may download a dossier.")]
        )
    lock_case(export.case_id)
    download = DossierDownload(export=export, user=actor)
    download._history_user = actor
    download.save()
    return download
