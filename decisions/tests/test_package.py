"""The meeting package: made by merging the stored PDFs (agenda and table of contents first,
then every matter's documents), with bookmarks and page labels; one package however many
clicks or workers; stale once a matter changes; its progress shown on the meeting's page."""

from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
import threading
import uuid

import pikepdf
import pytest

from django.db import connections
from django.urls import reverse
from django.utils import timezone

from iop.constants import Role
from iop.tests.celery_worker import forget_connections, redis_answers
from iop.tests.factories import CommitteeFactory, UserFactory

from .. import services
from ..constants import PackageStage, PackageStatus
from ..models import AgendaItem, MeetingPackage
from ..services import package as packages
from ..tasks import build_meeting_package
from .factories import final_matter
from .test_meetings import meeting_with, ready_matter, store_documents

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def committee():
    return CommitteeFactory()


@pytest.fixture
def meeting(committee, secretary):
    return meeting_with(committee, secretary, 3)


def made(meeting, secretary, **kwargs) -> MeetingPackage:
    package = packages.package_request(meeting=meeting, actor=secretary, **kwargs)
    assert packages.package_build(package_id=package.pk) is True
    package.refresh_from_db()
    return package


def test_the_package_merges_every_matters_stored_pdfs(meeting, secretary):
    package = made(meeting, secretary)
    assert (package.status, package.stage, package.progress) == (
        PackageStatus.DONE,
        PackageStage.DONE,
        100,
    )
    data = package.file.read()
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    documents = [list(i.matter.documents.order_by("attachment_number", "pk")) for i in items]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stored = sum(d.pages for docs in documents for d in docs)
        front = len(pdf.pages) - stored
        assert front >= 1  # the agenda and the table of contents
        assert package.pages == len(pdf.pages)
        # Every matter's pages, in the agenda's order: the agenda pages, then each document.
        with pdf.open_outline() as outline:
            top = outline.root
            assert len(top) == 1 + len(items)
            for item, entry, docs in zip(items, top[1:], documents, strict=True):
                assert entry.title == f"{item.position}. {item.matter.title}"
                assert [c.title for c in entry.children][0] == "Tjänsteskrivelse"
                assert len(entry.children) == len(docs)
                assert all(c.title.startswith("Bilaga") for c in entry.children[1:])
        labels = pdf.Root.PageLabels.Nums
        assert [int(labels[0]), str(labels[1].S), int(labels[2]), str(labels[3].S)] == [
            0,
            "/r",
            front,
            "/D",
        ]
    text = pdf_text(data)
    assert "Innehållsförteckning" in text
    assert "Föredragningslista".upper() in text or "Föredragningslista" in text
    for item in items:
        assert text.count(item.matter.title) >= 3  # agenda, contents and its own documents
        assert item.matter.case.registry_number in text
    # The table of contents gives the page of each document in the viewer's numbering.
    assert re.search(r"Tjänsteskrivelse 1\b", text)


def test_the_package_is_not_stale_until_a_matter_changes(meeting, secretary, officer):
    package = made(meeting, secretary)
    assert not packages.is_stale(package)
    # Nothing changed: asking again gives the same package.
    assert packages.package_request(meeting=meeting, actor=secretary) == package

    item = AgendaItem.objects.filter(meeting=meeting).order_by("position").first()
    matter = item.matter
    new = services.matter_new_version(matter=matter, actor=matter.case.officer)
    # The new version is finalised, printed and put back on the agenda.
    new = final_matter(new.case)
    store_documents(new)
    services.add_to_agenda(matter=new, meeting=meeting, actor=secretary)
    assert packages.is_stale(package)
    again = packages.package_request(meeting=meeting, actor=secretary)
    assert again != package and again.status == PackageStatus.QUEUED


def test_a_new_order_makes_the_package_stale(meeting, secretary):
    package = made(meeting, secretary)
    first = AgendaItem.objects.filter(meeting=meeting).order_by("position").first()
    services.meetings.agenda_move(item=first, actor=secretary, direction="down")
    assert packages.is_stale(package)


def test_two_requests_make_one_package_and_a_second_build_does_nothing(meeting, secretary):
    first = packages.package_request(meeting=meeting, actor=secretary)
    second = packages.package_request(meeting=meeting, actor=secretary)
    assert first == second
    assert MeetingPackage.objects.count() == 1
    assert packages.package_build(package_id=first.pk) is True
    finished = MeetingPackage.objects.get(pk=first.pk).finished_at
    assert packages.package_build(package_id=first.pk) is False  # a duplicate delivery
    assert build_meeting_package(first.pk) is False
    assert MeetingPackage.objects.get(pk=first.pk).finished_at == finished
    # Regenerating on purpose is safe: a new package, the old one stays as it was.
    forced = made(meeting, secretary, force=True)
    assert forced != first and MeetingPackage.objects.filter(status="done").count() == 2


def test_a_package_queued_long_ago_is_replaced(meeting, secretary):
    lost = packages.package_request(meeting=meeting, actor=secretary)
    MeetingPackage.objects.filter(pk=lost.pk).update(
        requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    fresh = packages.package_request(meeting=meeting, actor=secretary)
    assert fresh != lost
    assert MeetingPackage.objects.get(pk=lost.pk).status == PackageStatus.FAILED


def test_a_failure_is_recorded_for_the_page(meeting, secretary, monkeypatch):
    package = packages.package_request(meeting=meeting, actor=secretary)

    def broken(meeting, contents):
        raise RuntimeError("WeasyPrint is not installed")

    monkeypatch.setattr(packages, "agenda_pdf", broken)
    assert packages.package_build(package_id=package.pk) is False
    package.refresh_from_db()
    assert package.status == PackageStatus.FAILED
    assert "WeasyPrint is not installed" in package.error


def test_an_empty_agenda_is_refused(committee, secretary):
    empty = meeting_with(committee, secretary, 0)
    with pytest.raises(services.MatterRefused):
        packages.package_request(meeting=empty, actor=secretary)
    assert not MeetingPackage.objects.exists()


def test_only_the_secretary_asks_for_the_package(meeting, officer):
    from iop.exceptions import TransitionForbidden

    with pytest.raises(TransitionForbidden):
        packages.package_request(meeting=meeting, actor=officer)


def test_a_missing_pdf_is_printed_first(committee, secretary, monkeypatch):
    meeting = meeting_with(committee, secretary, 1)
    unprinted = ready_matter(committee, stored=False)
    services.add_to_agenda(matter=unprinted, meeting=meeting, actor=secretary)
    printed = []

    def render(*, matter_id):
        printed.append(matter_id)
        store_documents(unprinted)
        return 1

    from .. import rendering

    monkeypatch.setattr(rendering, "matter_documents_render", render)
    package = made(meeting, secretary)
    assert printed == [unprinted.pk]
    assert package.status == PackageStatus.DONE


# --- The panel on the meeting's page ------------------------------------------------------


def test_the_progress_partial_shows_the_stage_and_polls_until_done(client, meeting, secretary):
    client.force_login(secretary)
    url = reverse("decisions:meeting", args=[meeting.pk]) + "?panel=package"
    response = client.post(
        reverse("decisions:package_request", args=[meeting.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 1s"' in response.content.decode()
    package = MeetingPackage.objects.get()
    MeetingPackage.objects.filter(pk=package.pk).update(
        status=PackageStatus.RUNNING, stage=PackageStage.MERGING, progress=60
    )
    panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'role="progressbar"' in panel and 'aria-valuenow="60"' in panel
    assert "60 %" in panel and str(PackageStage.MERGING.label) in panel
    assert 'hx-trigger="every 1s"' in panel
    assert "<html" not in panel  # the panel alone

    MeetingPackage.objects.filter(pk=package.pk).update(status=PackageStatus.QUEUED)
    packages.package_build(package_id=package.pk)
    panel = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in panel  # done: the polling stops
    assert 'aria-valuenow="100"' in panel and 'id="package-download"' in panel
    assert 'id="package-stale"' not in panel


def test_the_page_says_a_package_is_stale_and_failed_with_try_again(client, meeting, secretary):
    package = made(meeting, secretary)
    first = AgendaItem.objects.filter(meeting=meeting).order_by("position").first()
    services.meetings.agenda_move(item=first, actor=secretary, direction="down")
    client.force_login(secretary)
    page = client.get(reverse("decisions:meeting", args=[meeting.pk])).content.decode()
    assert 'id="package-stale"' in page and 'id="package-download"' in page
    failed = packages.package_request(meeting=meeting, actor=secretary)
    MeetingPackage.objects.filter(pk=failed.pk).update(status="failed", error="Disken är full")
    page = client.get(reverse("decisions:meeting", args=[meeting.pk])).content.decode()
    assert "Disken är full" in page and "Försök igen" in page
    assert package.pk  # the last made package can still be downloaded
    assert 'id="package-download"' in page


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.AUDITOR, Role.CASE_OFFICER])
def test_the_package_downloads_for_staff_as_an_attachment(client, meeting, secretary, role):
    package = made(meeting, secretary)
    client.force_login(secretary if role == Role.SECRETARY else UserFactory(role=role))
    response = client.get(reverse("decisions:package_download", args=[meeting.pk, package.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_package_is_not_served_to_others(client, meeting, secretary):
    package = made(meeting, secretary)
    url = reverse("decisions:package_download", args=[meeting.pk, package.pk])
    assert reverse("login") in client.get(url).url
    client.force_login(UserFactory(role=None))
    assert client.get(url).status_code == 403
    # The stored file's own address is checked the same way.
    assert client.get(package.file.url).status_code == 403


# --- Integration: two requests at once, a real worker on Redis ----------------------------

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def package_worker(monkeypatch):
    """A Celery worker in a thread consuming a queue of this test's own on Redis (its own key
    prefix too), so that no other test run, xdist worker or checkout takes its messages."""
    if not os.environ.get("DATABASE_URL"):
        pytest.skip("two requests at once need PostgreSQL's row locks: set DATABASE_URL")
    if not redis_answers(REDIS_URL):
        pytest.skip(f"Redis at REDIS_URL={REDIS_URL} does not answer; start redis-server")
    import celery.contrib.testing.tasks  # noqa: F401 — registers celery.ping
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from iop.celery import app

    queue = f"packages-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex}"
    overrides = {
        "broker_url": REDIS_URL,
        "result_backend": REDIS_URL,
        "task_always_eager": False,
        "task_ignore_result": False,
        "task_default_queue": queue,
        "broker_transport_options": {"global_keyprefix": f"{queue}:"},
        "result_backend_transport_options": {"global_keyprefix": f"{queue}:"},
        "worker_hijack_root_logger": False,
    }
    saved = {key: app.conf[key] for key in overrides}
    runs: list[tuple[str, tuple, object]] = []
    changed = threading.Condition()

    def finished(sender=None, args=None, retval=None, **kwargs):
        connections.close_all()  # as a worker process does after each task
        with changed:
            runs.append((sender.name, tuple(args or ()), retval))
            changed.notify_all()

    def wait_for(predicate, timeout: float = 60) -> None:
        with changed:
            assert changed.wait_for(lambda: predicate(runs), timeout), runs

    app.conf.update(overrides)
    forget_connections(app)
    for name in ("celery.ping", build_meeting_package.name):
        monkeypatch.setattr(app.tasks[name], "ignore_result", False)
    task_postrun.connect(finished, weak=False)
    try:
        with start_worker(app, queues=[queue], shutdown_timeout=60, perform_ping_check=True):
            yield wait_for
    finally:
        task_postrun.disconnect(finished)
        forget_connections(app)
        app.conf.update(saved)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_at_once_make_one_package_through_a_real_worker(package_worker):
    secretary = UserFactory(role=Role.SECRETARY)
    committee = CommitteeFactory()
    meeting = meeting_with(committee, secretary, 2)
    barrier = threading.Barrier(2)
    answers: list[int] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(packages.package_request(meeting=meeting, actor=secretary).pk)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(answers) == 2 and answers[0] == answers[1]
    [package] = MeetingPackage.objects.filter(meeting=meeting)
    name = build_meeting_package.name
    package_worker(lambda runs: any(r[0] == name for r in runs))
    package.refresh_from_db()
    assert package.status == PackageStatus.DONE, package.error
    assert package.pages and package.file
    # A redelivery of the same message changes nothing.
    assert build_meeting_package.delay(package.pk).get(timeout=60) is False
    assert MeetingPackage.objects.filter(meeting=meeting).count() == 1
