"""The meeting package: one PDF of the agenda (with a table of contents) and every matter's
tjänsteskrivelse and attachments, made in the background by merging the stored PDFs.

The documents are not printed again: WeasyPrint takes ~0.11 s a page here, so twenty matters
printed afresh would take half a minute; merging what is stored takes a fraction of that.
Only a document not yet printed (the printing task has not run) is printed first.

Two clicks or two workers make one package: the request locks the meeting's row and the
constraint ``package_one_in_flight`` allows one queued or running package per meeting; the
build claims its row (queued → running) under a lock, so a duplicate delivery does nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..constants import DocumentRole, PackageStage, PackageStatus
from ..models import AgendaItem, Matter, MatterDocument, Meeting, MeetingPackage
from .common import MatterRefused
from .meetings import ensure_secretary

logger = logging.getLogger(__name__)

IN_FLIGHT = (PackageStatus.QUEUED, PackageStatus.RUNNING)

# A package queued or running this long was lost (a worker stopped, the broker was down): a
# new request replaces it rather than waiting for it for ever.
ABANDONED_AFTER = datetime.timedelta(minutes=15)

# The documents of the meeting package: the decision extract is printed after the meeting.
PACKAGED_ROLES = [role for role in DocumentRole if role != DocumentRole.EXTRACT]


# --- What goes in -----------------------------------------------------------------------


@dataclass
class PackedDocument:
    document: MatterDocument
    label: str  # "Tjänsteskrivelse", "Bilaga 1: Uppföljning av IOP"
    pages: int = 0
    first_page: int = 0  # in the package's numbering of the documents (1 = the first page)


@dataclass
class PackedMatter:
    number: int
    matter: Matter
    documents: list[PackedDocument] = field(default_factory=list)


def document_label(document: MatterDocument) -> str:
    """The document's name in the bookmarks and the table of contents."""
    if document.role == DocumentRole.REPORT:
        return str(DocumentRole.REPORT.label)
    return _("Attachment %(n)s: %(title)s") % {
        "n": document.attachment_number,
        "title": document.title,
    }


def package_contents(meeting: Meeting) -> list[PackedMatter]:
    """The meeting's agenda in order, each matter with its documents (tjänsteskrivelse first,
    then the attachments by number). Two queries."""
    items = (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("matter", "matter__case")
        .order_by("position", "pk")
    )
    contents = [PackedMatter(number=n, matter=item.matter) for n, item in enumerate(items, 1)]
    by_matter = {packed.matter.pk: packed for packed in contents}
    documents = MatterDocument.objects.filter(
        matter_id__in=by_matter, role__in=PACKAGED_ROLES
    ).order_by("matter_id", "attachment_number", "pk")
    for document in documents:
        by_matter[document.matter_id].documents.append(
            PackedDocument(document=document, label=document_label(document))
        )
    for packed in contents:
        # The tjänsteskrivelse (no attachment number) before the attachments.
        packed.documents.sort(
            key=lambda d: (d.document.attachment_number is not None, d.document.attachment_number)
        )
    return contents


def _signature_of(meeting: Meeting, contents: list[PackedMatter]) -> str:
    digest = hashlib.sha256()
    digest.update(f"{meeting.date}|{meeting.starts_at}|{meeting.place}\n".encode())
    for packed in contents:
        matter = packed.matter
        digest.update(f"matter {matter.pk} {matter.revision} {matter.title}\n".encode())
        for document in packed.documents:
            digest.update(f"document {document.document.pk} {document.document.sha256}\n".encode())
    return digest.hexdigest()


def package_signature(meeting: Meeting) -> str:
    """The checksum of what a package of ``meeting`` holds now: the agenda's order and each
    matter's documents (id and checksum of the stored PDF). A changed or replaced matter, a
    reprinted document or a new order gives a different one, so a package whose signature
    differs was made before the change."""
    return _signature_of(meeting, package_contents(meeting))


def is_stale(package: MeetingPackage, signature: str | None = None) -> bool:
    """Whether the finished ``package`` was made before its meeting's agenda or a matter on it
    changed."""
    if package.status != PackageStatus.DONE:
        return False
    signature = signature if signature is not None else package_signature(package.meeting)
    return package.signature != signature


# --- The request ------------------------------------------------------------------------


@transaction.atomic
def package_request(*, meeting: Meeting, actor: Any, force: bool = False) -> MeetingPackage:
    """Ask for the meeting's package, to be made in the background. A package already queued
    or being made is the answer (two clicks make one); so is the finished package while
    nothing in it has changed, unless ``force`` asks for it to be made again."""
    ensure_secretary(actor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    in_flight = MeetingPackage.objects.filter(meeting=meeting, status__in=IN_FLIGHT).first()
    if in_flight is not None:
        if in_flight.requested_at > timezone.now() - ABANDONED_AFTER:
            return in_flight
        _fail(in_flight.pk, _("The package was not finished in time; it was requested again."))
    if not force:
        done = MeetingPackage.objects.filter(meeting=meeting, status=PackageStatus.DONE).first()
        if done is not None and done.signature == package_signature(meeting):
            return done
    if not AgendaItem.objects.filter(meeting=meeting).exists():
        raise MatterRefused([_("The agenda is empty: put the matters on it first.")])
    try:
        # A savepoint: without the meeting's lock (a database that does not lock rows) the
        # constraint is what stops a second package, and the transaction goes on after it.
        with transaction.atomic():
            package = MeetingPackage.objects.create(
                meeting=meeting,
                requested_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        return MeetingPackage.objects.get(meeting=meeting, status__in=IN_FLIGHT)
    from ..tasks import schedule_meeting_package

    schedule_meeting_package(package.pk)
    return package


# --- The build --------------------------------------------------------------------------


@transaction.atomic
def _claim(package_id: int, attempt: str = "") -> MeetingPackage | None:
    package = MeetingPackage.objects.select_for_update().filter(pk=package_id).first()
    if package is None:
        return None
    if attempt and package.status == PackageStatus.RUNNING and package.claimed_by == attempt:
        # The message that claimed it, delivered again: the broker does that only when the
        # worker that had it was lost (killed, out of memory; acks late), so that attempt is
        # dead and this one starts over. Another message (a second click) finds it claimed.
        logger.warning("Meeting package %s: its worker was lost; building it again", package_id)
    elif package.status != PackageStatus.QUEUED:
        return None
    package.claimed_by = attempt
    package.status = PackageStatus.RUNNING
    package.stage = PackageStage.DOCUMENTS
    package.progress = 5
    package.started_at = timezone.now()
    package.save(update_fields=["status", "stage", "progress", "started_at", "claimed_by"])
    return package


def _advance(package_id: int, stage: PackageStage, progress: int) -> None:
    """Record how far the build is, committed at once so that the page's progress bar sees it."""
    with transaction.atomic():
        MeetingPackage.objects.filter(pk=package_id, status=PackageStatus.RUNNING).update(
            stage=stage, progress=progress
        )


def _fail(package_id: int, error: str) -> None:
    with transaction.atomic():
        MeetingPackage.objects.filter(pk=package_id, status__in=IN_FLIGHT).update(
            status=PackageStatus.FAILED, error=error[:2000], finished_at=timezone.now()
        )


class PackageError(Exception):
    """What stops a package, in words the secretary reads on the page."""


def package_build(*, package_id: int, attempt: str = "") -> bool:
    """Make the queued package ``package_id``: print what is missing, print the agenda and
    its table of contents, merge the stored PDFs and add bookmarks and page labels, store the
    file. Returns whether this call made it: a package already claimed, made or failed is left
    as it is (a duplicate delivery, a second worker). A failure is recorded on the package,
    with its reason, for the page to show. ``attempt`` names the delivery (the Celery task
    id): the same delivery again takes over the package its lost worker left running."""
    package = _claim(package_id, attempt)
    if package is None:
        return False
    try:
        with translation.override("sv"):
            _build(package)
    except Exception as error:  # noqa: BLE001 - every failure is shown on the page
        logger.exception("Meeting package %s failed", package_id)
        _fail(package_id, str(error) or error.__class__.__name__)
        return False
    return True


def _build(package: MeetingPackage) -> None:
    import pikepdf

    meeting = Meeting.objects.select_related("committee", "committee__public_body").get(
        pk=package.meeting_id
    )
    # (a) Every document must have its PDF: print the ones the printing task has not yet.
    contents = package_contents(meeting)
    if not contents:
        raise PackageError(_("The agenda is empty: put the matters on it first."))
    missing = [p.matter.pk for p in contents if any(not d.document.file for d in p.documents)]
    for done, matter_id in enumerate(missing, start=1):
        from ..rendering import matter_documents_render

        matter_documents_render(matter_id=matter_id)
        _advance(package.pk, PackageStage.DOCUMENTS, 5 + 30 * done // len(missing))
    if missing:
        contents = package_contents(meeting)
    sources: dict[int, pikepdf.Pdf] = {}
    try:
        number = 1
        for packed in contents:
            if not packed.documents:
                raise PackageError(
                    _("The matter «%(title)s» has no documents.") % {"title": packed.matter.title}
                )
            for entry in packed.documents:
                document = entry.document
                if not document.file:
                    raise PackageError(
                        _("The document «%(title)s» of «%(matter)s» has not been printed.")
                        % {"title": document.title, "matter": packed.matter.title}
                    )
                with document.file.open("rb") as handle:
                    data = handle.read()
                if document.sha256 and hashlib.sha256(data).hexdigest() != document.sha256:
                    raise PackageError(
                        _("The stored file of «%(title)s» does not match its checksum.")
                        % {"title": document.title}
                    )
                sources[document.pk] = pikepdf.open(io.BytesIO(data))
                entry.pages = len(sources[document.pk].pages)
                entry.first_page = number
                number += entry.pages
        signature = _signature_of(meeting, contents)

        # (b) The agenda and the table of contents.
        _advance(package.pk, PackageStage.AGENDA, 40)
        agenda = pikepdf.open(io.BytesIO(agenda_pdf(meeting, contents)))
        front = len(agenda.pages)

        # (c) Merging: the agenda first, then per matter its tjänsteskrivelse and attachments.
        _advance(package.pk, PackageStage.MERGING, 55)
        merged = pikepdf.new()
        merged.pages.extend(agenda.pages)
        for done, packed in enumerate(contents, start=1):
            for entry in packed.documents:
                merged.pages.extend(sources[entry.document.pk].pages)
            _advance(package.pk, PackageStage.MERGING, 55 + 30 * done // len(contents))

        # (d) Bookmarks and page labels.
        _advance(package.pk, PackageStage.BOOKMARKS, 88)
        _bookmark(merged, contents, front)
        _label_pages(merged, front)
        title = package_title(meeting)
        merged.docinfo["/Title"] = title
        merged.docinfo["/Creator"] = "IOP-stöd"
        merged.Root.Lang = pikepdf.String("sv")
        merged.Root.PageMode = pikepdf.Name.UseOutlines
        buffer = io.BytesIO()
        merged.save(buffer)
        pages = len(merged.pages)
    finally:
        for source in sources.values():
            source.close()
    _store(package.pk, buffer.getvalue(), pages=pages, signature=signature, meeting=meeting)


def _bookmark(pdf: Any, contents: list[PackedMatter], front: int) -> None:
    from pikepdf import OutlineItem

    with pdf.open_outline() as outline:
        outline.root.append(OutlineItem(_("Agenda and table of contents"), 0))
        for packed in contents:
            first = front + packed.documents[0].first_page - 1
            item = OutlineItem(f"{packed.number}. {packed.matter.title}", first)
            for entry in packed.documents:
                item.children.append(OutlineItem(entry.label, front + entry.first_page - 1))
            outline.root.append(item)


def _label_pages(pdf: Any, front: int) -> None:
    """The agenda's pages are numbered i, ii …, the documents' 1, 2 … as the table of contents
    gives them, so the viewer's page box and the contents agree."""
    from pikepdf import Array, Dictionary, Name

    pdf.Root.PageLabels = Dictionary(
        Nums=Array([0, Dictionary(S=Name.r), front, Dictionary(S=Name.D, St=1)])
    )


def package_title(meeting: Meeting) -> str:
    from ..wording import long_date

    return _("Meeting documents, %(committee)s %(date)s") % {
        "committee": meeting.committee.name,
        "date": long_date(meeting.date),
    }


def agenda_pdf(meeting: Meeting, contents: list[PackedMatter]) -> bytes:
    """The agenda with its table of contents (templates/decisions/pdf/agenda.html), printed by
    the one PDF writer of the project (PDF/A, tagged)."""
    from partners.pdf import write_pdf

    from ..wording import long_date

    html = render_to_string(
        "decisions/pdf/agenda.html",
        {
            "meeting": meeting,
            "committee": meeting.committee,
            "public_body": meeting.committee.public_body,
            "long_date": long_date(meeting.date),
            "contents": contents,
        },
    )
    return write_pdf(
        html,
        title=_("Agenda, %(committee)s %(date)s")
        % {"committee": meeting.committee.name, "date": long_date(meeting.date)},
        author=meeting.committee.public_body.name,
    )


@transaction.atomic
def _store(package_id: int, data: bytes, *, pages: int, signature: str, meeting: Meeting) -> None:
    package = MeetingPackage.objects.select_for_update().get(pk=package_id)
    if package.status != PackageStatus.RUNNING:
        return
    name = f"{slugify(meeting.committee.name)}-{meeting.date:%Y-%m-%d}-{package.pk}.pdf"
    package.file.save(name, ContentFile(data), save=False)
    package.pages = pages
    package.signature = signature
    package.status = PackageStatus.DONE
    package.stage = PackageStage.DONE
    package.progress = 100
    package.error = ""
    package.finished_at = timezone.now()
    package.save()


def download_name(package: MeetingPackage) -> str:
    """The file name a package is downloaded under (without the extension)."""
    meeting = package.meeting
    return f"Sammanträdeshandlingar {meeting.committee.name} {meeting.date:%Y-%m-%d}"


def latest_package(meeting: Meeting) -> MeetingPackage | None:
    """The package the meeting page shows: the newest (one being made, or the last made)."""
    return MeetingPackage.objects.filter(meeting=meeting).order_by("-requested_at", "-pk").first()
