#!/usr/bin/env python
"""Bench the meeting package: 20 matters with their attachments merged into one PDF.

    .venv/bin/python bench/package.py [--matters 20] [--runs 3]

Creates its own PostgreSQL database (as bench/register.py does: ``iop_bench_package`` on the
server of DATABASE_URL, or on postgres://postgres@127.0.0.1:5432) and its own media directory,
builds ``--matters`` active cases of one committee through the services, each with a final
follow-up and renegotiation matter (the tjänsteskrivelse, the follow-up and renegotiation
attachments and the agreement), prints every matter's documents once
(``decisions.rendering.matter_documents_render``), puts the matters on one meeting's agenda and
times ``package_build`` (the agenda and table of contents printed, the stored PDFs merged, with
bookmarks and page labels) over ``--runs`` packages. Prints the median build time and the
pages, and the median time of printing one tjänsteskrivelse with its follow-up attachment
afresh, for comparison. The database is dropped at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import warnings
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from register import bench_database_url, create_database, drop_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=20, help="matters on the agenda")
    parser.add_argument("--runs", type=int, default=3, help="packages built (default 3)")
    parser.add_argument("--db-name", default="iop_bench_package")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    url = bench_database_url(args.db_name)
    media = tempfile.mkdtemp(prefix="iop-bench-package-")
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "iop.settings.base"
    os.environ["DEBUG"] = "false"
    os.environ["MEDIA_ROOT"] = media
    # Nothing is sent to a worker: what the services queue stays in memory, and the bench
    # prints and builds in this process, where it can time them.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", message="No directory at")
    print(f"Creating database {args.db_name!r} on {urlsplit(url).hostname} …", flush=True)
    create_database(url, args.db_name)
    try:
        run(args)
    finally:
        if args.keep:
            print(f"Kept database {args.db_name!r} and the files in {media}.")
        else:
            drop_database(url, args.db_name)
            import shutil

            shutil.rmtree(media, ignore_errors=True)
            print(f"Dropped database {args.db_name!r}.")


def build_meeting(matters: int):
    """A meeting of one committee with ``matters`` printed follow-up and renegotiation matters
    on its agenda; returns (meeting, secretary, seconds spent printing the documents)."""
    from django.utils import timezone

    from agreements.tests.factories import agreement_at, drafting_case
    from decisions import services
    from decisions.constants import MatterKind
    from decisions.rendering import matter_documents_render
    from decisions.tests.factories import final_matter, meeting_of
    from iop.constants import Role
    from iop.tests.factories import CommitteeFactory, UserFactory

    committee = CommitteeFactory()
    secretary = UserFactory(role=Role.SECRETARY)
    meeting = meeting_of(
        committee, date=timezone.localdate() + datetime.timedelta(days=30), secretary=secretary
    )
    printing = 0.0
    for n in range(matters):
        case = agreement_at(drafting_case(committee=committee), "signed", secretary=secretary)
        case = case.agreement.case
        matter = final_matter(
            case,
            kind=MatterKind.FOLLOW_UP_RENEGOTIATION,
            amount_change=Decimal(25000 + 1000 * n),
            change_from=datetime.date(2027, 6, 1),
        )
        start = time.perf_counter()
        matter_documents_render(matter_id=matter.pk)
        printing += time.perf_counter() - start
        services.add_to_agenda(matter=matter, meeting=meeting, actor=secretary)
        print(f"  matter {n + 1}/{matters} printed", end="\r", flush=True)
    print()
    return meeting, secretary, printing


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from decisions.constants import DocumentRole, PackageStatus
    from decisions.models import MatterDocument, MeetingPackage
    from decisions.services import package as packages

    print(f"Building {args.matters} final matters with their attachments …", flush=True)
    meeting, secretary, printing = build_meeting(args.matters)
    documents = MatterDocument.objects.filter(matter__agenda_item__meeting=meeting)
    stored_pages = sum(d.pages or 0 for d in documents)
    print(
        f"Printed {documents.count()} documents ({stored_pages} pages) once: "
        f"{printing:.1f} s in all."
    )

    times = []
    pages = 0
    for _ in range(args.runs):
        package = packages.package_request(meeting=meeting, actor=secretary, force=True)
        start = time.perf_counter()
        packages.package_build(package_id=package.pk)
        times.append(time.perf_counter() - start)
        package = MeetingPackage.objects.get(pk=package.pk)
        if package.status != PackageStatus.DONE:
            raise SystemExit(f"The package failed: {package.error}")
        pages = package.pages
    print()
    print(f"Meeting package of {args.matters} matters, median of {args.runs} builds:")
    print(
        f"  {statistics.median(times):.2f} s  ({pages} pages; runs: "
        + ", ".join(f"{t:.2f}" for t in times)
        + " s)"
    )

    try:
        from decisions.rendering import document_pdf
    except ImportError:
        print("decisions.rendering.document_pdf does not exist: no render time to compare.")
        return
    matter = documents.first().matter
    report = MatterDocument.objects.get(matter=matter, role=DocumentRole.REPORT)
    follow_up = MatterDocument.objects.get(matter=matter, role=DocumentRole.FOLLOW_UP)
    renders = []
    for _ in range(args.runs):
        start = time.perf_counter()
        document_pdf(report)
        document_pdf(follow_up)
        renders.append(time.perf_counter() - start)
    print(
        f"One tjänsteskrivelse with its follow-up attachment printed afresh "
        f"({(report.pages or 0) + (follow_up.pages or 0)} pages), median of {args.runs}: "
        f"{statistics.median(renders):.2f} s"
    )


if __name__ == "__main__":
    main()
