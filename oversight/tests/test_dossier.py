"""The auditor's dossier: its page, its history, its export as a ZIP and the log of both."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import pytest
import time_machine

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from agreements.models import AgreementVersion
from agreements.tests.factories import agreement_at
from decisions.models import Decision
from iop.constants import CaseEventKind, Role
from iop.models import Case, CaseDocument, CaseEvent, RegistryEntry
from iop.services import case_document_register
from oversight.dossier import HISTORY_SOURCES, case_dossier, case_history, history_sources
from oversight.models import DossierDownload, DossierExport, ExportStatus
from oversight.services import exports
from oversight.services.dossier_zip import HISTORY_CSV, INDEX, REGISTRY_CSV, defuse
from partners.tests.upload_files import pdf_bytes

pytestmark = pytest.mark.django_db

STAFF = ["officer", "coordinator", "jurist", "secretary", "auditor", "finance"]
EXPORTERS = {"coordinator", "auditor"}


def register_document(case, title="Verksamhetsberättelse 2026", data=None):
    return case_document_register(
        actor=case.officer,
        case=case,
        kind=CaseDocument.Kind.ANNUAL_REPORT,
        title=title,
        file=ContentFile(data or pdf_bytes(), name="rapport.pdf"),
    )


def rich_case():
    """A case with a signed agreement (its decision recorded), a returned comment-free path,
    and a registered document."""
    version = agreement_at(None, "signed")
    case = version.agreement.case
    register_document(case)
    return case


@pytest.fixture
def case():
    return rich_case()


def label(model) -> str:
    return capfirst(str(model._meta.verbose_name))


def read_zip(export: DossierExport) -> zipfile.ZipFile:
    with export.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


# --- The history --------------------------------------------------------------------------


def test_every_historical_model_that_reaches_a_case_is_a_source():
    """A model with history and a foreign key path to the case missing from HISTORY_SOURCES
    would be a hole in the auditor's record."""
    from django.apps import apps

    listed = {source.model for source in HISTORY_SOURCES}
    # Not the case's own record: who exported and downloaded it is the case's EXPORT event;
    # reference data (committees, bodies) and people's own rows are not the case's.
    not_the_case = {
        "oversight.DossierExport",
        "oversight.DossierDownload",
        "decisions.MeetingPackage",
    }

    def reaches_case(model, depth=0):
        if model is Case:
            return True
        if depth > 3:
            return False
        return any(
            reaches_case(f.related_model, depth + 1)
            for f in model._meta.concrete_fields
            if f.is_relation
            and f.related_model is not None
            and f.name
            not in {
                "authorising_event",
                "case_event",
                "corrects",
                "replaces",
                "based_on",
                "annual_report",
                "letter",
                "document",
                "registry_entry",
            }
        )

    missing = [
        model._meta.label
        for model in apps.get_models()
        if hasattr(model, "history")
        and getattr(model.history, "model", None) is not None
        and model._meta.label not in listed | not_the_case
        and reaches_case(model)
    ]
    assert missing == []
    assert {m._meta.label for m, _s in history_sources()} <= listed


def test_history_holds_every_change_and_event_oldest_first(case, auditor):
    history = case_history(case)
    events = CaseEvent.objects.filter(case=case)
    assert sum(1 for r in history if r.object_type == label(CaseEvent)) == events.count()
    kinds = {r.object_type for r in history}
    for model in (Case, AgreementVersion, Decision, RegistryEntry):
        assert label(model) in kinds, (model, kinds)
    assert [r.at for r in history] == sorted(r.at for r in history)
    # Who did it is named.
    assert any(
        r.by == case.officer.get_full_name() or r.by == case.officer.username for r in history
    )


def test_a_change_says_which_field_from_what_to_what(case):
    from iop.services import case_update

    case_update(case=case, actor=case.officer, title="Nytt namn på partnerskapet")
    row = [r for r in case_history(case) if r.object_type == label(Case) and r.changes][-1]
    assert "Nytt namn på partnerskapet" in row.changes
    assert "→" in row.changes


def test_history_costs_the_same_queries_whatever_the_case_holds(case):
    with CaptureQueriesContext(connection) as small:
        case_history(case)
    for n in range(4):
        register_document(case, title=f"Protokoll {n}")
    rich_case()  # another case beside it
    with CaptureQueriesContext(connection) as large:
        case_history(case)
    assert len(large) == len(small)


# --- The page -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_reads_the_dossier(request, role, case):
    user = request.getfixturevalue(role)
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("oversight:dossier", args=[case.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    for section in (
        "dossier-checklist",
        "dossier-organisations",
        "dossier-agreement",
        "dossier-decisions",
        "dossier-follow-up",
        "dossier-registry",
        "dossier-history",
    ):
        assert f'id="{section}"' in html
    assert ('id="export-button"' in html) == (role in EXPORTERS)


def test_the_page_shows_the_decision_with_its_paragraph_and_the_documents(client, auditor, case):
    client.force_login(auditor)
    html = client.get(reverse("oversight:dossier", args=[case.pk])).content.decode()
    dossier = case_dossier(case)
    reference = next(r.reference for r in dossier.decisions if r.decision)
    assert "§" in reference and reference in html
    for entry in RegistryEntry.objects.filter(case=case):
        assert entry.number in html
    assert 'id="version-1"' in html


def test_no_staff_role_gets_nothing(client, make_user, case):
    client.force_login(make_user())
    assert client.get(reverse("oversight:dossier", args=[case.pk])).status_code == 403
    assert client.post(reverse("oversight:dossier_export", args=[case.pk])).status_code == 403
    export = exports.build_now(case, _auditor(make_user))
    response = client.get(reverse("oversight:dossier_download", args=[case.pk, export.pk]))
    assert response.status_code == 403
    assert not DossierDownload.objects.exists()


def _auditor(make_user):
    return make_user(Role.AUDITOR, username="revisor2")


def test_anonymous_is_sent_to_the_login(client, case):
    response = client.get(reverse("oversight:dossier", args=[case.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_unknown_case_is_404(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("oversight:dossier", args=[999999])).status_code == 404


def test_the_case_page_links_to_the_dossier(client, officer, case):
    client.force_login(case.officer)
    html = client.get(case.get_absolute_url()).content.decode()
    assert reverse("oversight:dossier", args=[case.pk]) in html


def test_the_page_costs_the_same_queries_with_more_cases_and_documents(client, auditor, case):
    client.force_login(auditor)
    url = reverse("oversight:dossier", args=[case.pk])
    client.get(url)  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(3):
        register_document(case, title=f"Protokoll {n}")
        rich_case()
    exports.build_now(case, auditor)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries][len(one) :]


# --- The export ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_who_may_export(request, role, case, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(role)
    from django.test import Client

    client = Client()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("oversight:dossier_export", args=[case.pk]))
    if role in EXPORTERS:
        assert response.status_code == 302
        export = DossierExport.objects.get(case=case)
        assert export.status == ExportStatus.DONE and export.requested_by == user
    else:
        assert response.status_code == 403
        assert not DossierExport.objects.exists()


def test_the_zip_holds_everything_and_its_history_equals_the_case_history(case, auditor):
    export = exports.build_now(case, auditor)
    assert export.status == ExportStatus.DONE, export.error
    assert export.progress == 100 and export.size == export.file.size
    archive = read_zip(export)
    names = set(archive.namelist())
    assert {INDEX, HISTORY_CSV, REGISTRY_CSV, "avtal/version-1.pdf"} <= names
    assert archive.read("avtal/version-1.pdf").startswith(b"%PDF")
    assert any(n.startswith("protokollsutdrag/") for n in names)
    entries = list(RegistryEntry.objects.filter(case=case))
    documents = [n for n in names if n.startswith("handlingar/")]
    assert len(documents) == len(entries)
    assert pdf_bytes() in [archive.read(n) for n in documents]
    rows = csv_rows(archive.read(HISTORY_CSV))
    assert rows[1:] == [[defuse(v) for v in r.values()] for r in case_history(case)]
    registry = csv_rows(archive.read(REGISTRY_CSV))
    assert [r[0] for r in registry[1:]] == [e.number for e in entries]
    index = archive.read(INDEX).decode()
    for name in names - {INDEX}:
        assert f'href="{name}"' in index


def test_the_export_is_logged_as_the_case_event(case, auditor):
    export = exports.build_now(case, auditor)
    event = CaseEvent.objects.filter(case=case, kind=CaseEventKind.EXPORT).get()
    assert event.actor == auditor
    assert str(export.pk) in event.note
    assert export.requested_by == auditor and export.requested_at is not None


def test_one_export_in_flight_per_case(case, auditor, coordinator):
    first = exports.request_export(case=case, actor=auditor, schedule=False)
    with pytest.raises(exports.ExportRefused):
        exports.request_export(case=case, actor=coordinator, schedule=False)
    assert DossierExport.objects.filter(case=case).count() == 1
    exports.export_build(export_id=first.pk)
    second = exports.request_export(case=case, actor=coordinator, schedule=False)
    assert second.pk != first.pk


def test_a_second_click_shows_the_reason(client, case, auditor):
    exports.request_export(case=case, actor=auditor, schedule=False)
    client.force_login(auditor)
    response = client.post(
        reverse("oversight:dossier_export", args=[case.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert str(exports.ALREADY_BUILDING) in html
    assert 'role="progressbar"' in html and 'hx-trigger="every 1s"' in html


def test_an_export_stuck_for_fifteen_minutes_counts_as_failed(case, auditor):
    stuck = exports.request_export(case=case, actor=auditor, schedule=False)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        again = exports.request_export(case=case, actor=auditor, schedule=False)
    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED and stuck.error
    assert again.status == ExportStatus.QUEUED


def test_a_duplicate_delivery_builds_nothing(case, auditor):
    export = exports.build_now(case, auditor)
    assert exports.export_build(export_id=export.pk) is False


def test_a_failed_build_says_why(case, auditor, monkeypatch):
    from oversight.services import dossier_zip

    def broken(*args, **kwargs):
        raise RuntimeError("skrivaren är trasig")

    monkeypatch.setattr(dossier_zip, "render_agreement_pdf", broken)
    export = exports.build_now(case, auditor)
    assert export.status == ExportStatus.FAILED
    assert "skrivaren är trasig" in export.error
    assert not export.file


def test_progress_is_recorded_step_by_step(case, auditor, monkeypatch):
    seen = []
    original = exports.export_advance

    def spy(*, export_id, progress, step):
        original(export_id=export_id, progress=progress, step=step)
        seen.append(DossierExport.objects.get(pk=export_id).progress)

    monkeypatch.setattr(exports, "export_advance", spy)
    exports.build_now(case, auditor)
    assert len(seen) >= 4 and seen == sorted(seen) and seen[-1] < 100


def test_the_poll_shows_the_progress_bar(client, case, auditor):
    export = exports.request_export(case=case, actor=auditor, schedule=False)
    exports.export_advance(export_id=export.pk, progress=0, step="x")  # still queued: no change
    client.force_login(auditor)
    response = client.get(
        reverse("oversight:dossier", args=[case.pk]) + "?panel=export",
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<h1" not in html
    assert 'aria-valuenow="0"' in html and "hx-get=" in html


# --- The download -------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_who_may_download(request, role, case, auditor):
    export = exports.build_now(case, auditor)
    user = request.getfixturevalue(role)
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("oversight:dossier_download", args=[case.pk, export.pk]))
    if role in EXPORTERS:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert ".zip" in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content).startswith(b"PK")
        download = DossierDownload.objects.get()
        assert (download.export, download.user) == (export, user)
    else:
        assert response.status_code == 403
        assert not DossierDownload.objects.exists()


def test_an_export_of_another_case_is_404(client, case, auditor):
    other = rich_case()
    export = exports.build_now(other, auditor)
    client.force_login(auditor)
    response = client.get(reverse("oversight:dossier_download", args=[case.pk, export.pk]))
    assert response.status_code == 404


def test_the_admin_is_read_only(admin_client, case, auditor):
    export = exports.build_now(case, auditor)
    response = admin_client.get(reverse("admin:oversight_dossierexport_change", args=[export.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    history = admin_client.get(reverse("admin:oversight_dossierexport_history", args=[export.pk]))
    assert history.status_code == 200
