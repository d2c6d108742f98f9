"""The issue's must-show, on the demo data: the dossier ZIP of a demo case holds every
registered document, every agreement version's PDF, every decision's extract and a history
CSV whose rows are the case's history; a user without a staff role gets nothing; Maria's
export of the demo is there, built and logged."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify

from agreements.models import AgreementVersion
from decisions.models import Decision
from iop.constants import CaseEventKind
from iop.models import Case, CaseEvent, RegistryEntry
from oversight.demo import AUDITOR, ORGANISATION
from oversight.dossier import case_history
from oversight.models import DossierDownload, DossierExport, ExportStatus
from oversight.services import exports
from oversight.services.dossier_zip import HISTORY_CSV, INDEX, REGISTRY_CSV, defuse
from tests.test_demo_data import run_demo_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        run_demo_data()
        yield
        transaction.set_rollback(True)


def demo_case(organisation: str) -> Case:
    return Case.objects.get(organisations__name=organisation)


def read(export: DossierExport) -> zipfile.ZipFile:
    with export.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.usefixtures("demo")
class TestDemoDossier:
    def test_marias_export_is_built_and_logged(self):
        case = demo_case(ORGANISATION)
        export = DossierExport.objects.select_related("requested_by").get(case=case)
        assert export.requested_by.username == AUDITOR
        assert export.status == ExportStatus.DONE, export.error
        assert export.file and export.size
        event = CaseEvent.objects.get(case=case, kind=CaseEventKind.EXPORT)
        assert event.actor == export.requested_by
        assert event.at == export.requested_at  # dated back to the story's moment

    @pytest.mark.parametrize("organisation", ["Värmlands Idéburna", ORGANISATION])
    def test_the_zip_of_a_demo_case_holds_the_whole_case(self, organisation):
        from django.contrib.auth import get_user_model

        karin = get_user_model().objects.get(username="karin")  # the IOP coordinator
        case = demo_case(organisation)
        export = exports.build_now(case, karin)
        assert export.status == ExportStatus.DONE, export.error
        archive = read(export)
        names = set(archive.namelist())

        versions = AgreementVersion.objects.filter(agreement__case=case)
        assert versions.count() >= 2
        for version in versions:
            assert archive.read(f"avtal/version-{version.number}.pdf").startswith(b"%PDF")

        decisions = Decision.objects.filter(matter__case=case)
        extracts = sorted(n for n in names if n.startswith("protokollsutdrag/"))
        assert decisions.exists() and len(extracts) == decisions.count()
        for decision in decisions:
            assert any(f"-paragraf-{decision.paragraph}.pdf" in n for n in extracts)
        assert all(archive.read(n).startswith(b"%PDF") for n in extracts)

        entries = list(RegistryEntry.objects.filter(case=case).order_by("serial"))
        documents = [n for n in names if n.startswith("handlingar/")]
        assert entries and len(documents) == len(entries)
        for entry in entries:
            assert any(n.startswith(f"handlingar/{slugify(entry.number)}-") for n in documents)
        registry = csv_rows(archive.read(REGISTRY_CSV))
        assert [r[0] for r in registry[1:]] == [e.number for e in entries]

        history = case_history(case)
        rows = csv_rows(archive.read(HISTORY_CSV))[1:]
        assert len(rows) == len(history) > 20
        assert rows == [[defuse(v) for v in row.values()] for row in history]

        index = archive.read(INDEX).decode()
        for name in names - {INDEX}:
            assert f'href="{name}"' in index

    def test_a_user_without_a_staff_role_gets_nothing(self, client, make_user):
        case = demo_case(ORGANISATION)
        export = DossierExport.objects.get(case=case)
        client.force_login(make_user())
        assert client.get(reverse("oversight:dossier", args=[case.pk])).status_code == 403
        assert client.post(reverse("oversight:dossier_export", args=[case.pk])).status_code == 403
        response = client.get(reverse("oversight:dossier_download", args=[case.pk, export.pk]))
        assert response.status_code == 403
        assert DossierExport.objects.filter(case=case).count() == 1
        assert not DossierDownload.objects.exists()

    def test_maria_reads_the_dossier_and_downloads_her_export(self, client):
        from django.contrib.auth import get_user_model

        maria = get_user_model().objects.get(username=AUDITOR)
        case = demo_case(ORGANISATION)
        export = DossierExport.objects.get(case=case)
        client.force_login(maria)
        page = client.get(reverse("oversight:dossier", args=[case.pk]))
        assert page.status_code == 200
        assert 'id="export-download"' in page.content.decode()
        response = client.get(reverse("oversight:dossier_download", args=[case.pk, export.pk]))
        assert response.status_code == 200
        assert DossierDownload.objects.get().user == maria
