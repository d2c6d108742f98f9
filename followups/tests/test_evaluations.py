"""The annual evaluation: the annual report checked by content and registered in the diarium,
the evaluation with both parties' views, once per case and year; recording it closes the
year's deadline. A refusal leaves no row, no registry number and no stored file."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from iop.constants import CaseEventKind, CaseStatus
from iop.exceptions import TransitionForbidden
from iop.models import CaseDocument, CaseEvent, RegistryEntry
from partners.tests import upload_files as files

from ..constants import DeadlineKind, DeadlineState
from ..models import AnnualEvaluation, Deadline
from ..services import evaluations as evaluation_services
from ..services.checkins import closed_case_refusal
from ..services.deadlines import FollowUpRefused
from ..services.evaluations import annual_evaluation_record, duplicate_year_refusal
from .factories import active_case

pytestmark = pytest.mark.django_db

D = datetime.date
TZ = ZoneInfo("Europe/Stockholm")
ACTIVATED = D(2024, 3, 1)
TODAY = D(2025, 3, 20)  # the first annual evaluation (due 2025-02-28) is overdue


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2025, 3, 20, 10, 0, tzinfo=TZ), tick=False):
        yield TODAY


@pytest.fixture
def case(officer):
    return active_case(ACTIVATED, officer=officer)


def _walk(path: str = "") -> list[str]:
    try:
        directories, names = default_storage.listdir(path)
    except FileNotFoundError:
        return []
    found = [f"{path}{n}" for n in names]
    for directory in directories:
        found += _walk(f"{path}{directory}/")
    return found


@pytest.fixture(autouse=True)
def files_before():
    """The storage is kept in memory for the session: count only this test's files."""
    return set(_walk())


@pytest.fixture
def stored_files(files_before):
    return lambda: sorted(set(_walk()) - files_before)


def evaluation_deadline(case) -> Deadline:
    return Deadline.objects.filter(case=case, kind=DeadlineKind.ANNUAL_EVALUATION).order_by(
        "due_on"
    )[0]


def record(case, **changes):
    arguments = {
        "case": case,
        "actor": case.officer,
        "year": 2024,
        "evaluated_on": D(2025, 3, 18),
        "annual_report": files.upload("arsredovisning.pdf", files.pdf_bytes()),
        "evaluation": "Målen för 2024 är nådda.",
        "public_view": "Regionen är nöjd.",
        "organisation_view": "Föreningen vill växa.",
    }
    arguments.update(changes)
    return annual_evaluation_record(**arguments)


def nothing_saved(case, stored_files) -> None:
    assert not AnnualEvaluation.objects.exists()
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not RegistryEntry.objects.filter(case=case, kind__endswith="annual_report").exists()
    assert stored_files() == []
    assert evaluation_deadline(case).state == DeadlineState.OPEN


def test_recording_registers_the_report_and_closes_the_deadline(case):
    assert evaluation_deadline(case).is_overdue
    evaluation = record(case)
    document = evaluation.annual_report
    assert document.kind == CaseDocument.Kind.ANNUAL_REPORT
    assert document.registry_number.startswith(case.registry_number)
    assert document.received_on == D(2025, 3, 18)
    assert document.counterpart  # the organisation's name
    deadline = evaluation_deadline(case)
    assert deadline.state == DeadlineState.DONE
    assert deadline.done_record == f"evaluation:{evaluation.pk}"
    assert deadline.done_url == evaluation.get_absolute_url()
    event = CaseEvent.objects.filter(case=case, kind=CaseEventKind.FOLLOW_UP).latest("pk")
    assert "2024" in event.note and document.registry_number in event.note
    assert evaluation.history.get().history_user == case.officer


@pytest.mark.parametrize(
    "name, data",
    [
        ("program.exe", lambda: files.EXE_BYTES),
        ("program.pdf", lambda: files.EXE_BYTES),  # renamed: the content says what it is
        ("arkiv.docx", files.zip_bytes),
    ],
    ids=["exe", "exe-renamed-pdf", "zip-renamed-docx"],
)
def test_a_file_type_not_allowed_is_refused_on_the_field_and_nothing_is_left(
    case, name, data, stored_files
):
    with pytest.raises(FollowUpRefused) as refused:
        record(case, annual_report=files.upload(name, data()))
    assert list(refused.value.errors) == ["annual_report"]
    nothing_saved(case, stored_files)


def test_one_evaluation_per_year(case, stored_files):
    record(case)
    with pytest.raises(FollowUpRefused) as refused:
        record(case, evaluated_on=D(2025, 3, 19))
    assert refused.value.errors == {"year": [duplicate_year_refusal(2024)]}
    assert AnnualEvaluation.objects.count() == 1
    assert CaseDocument.objects.filter(case=case).count() == 1
    assert len(stored_files()) == 1


def test_a_failure_after_the_registration_removes_the_stored_file(case, monkeypatch, stored_files):
    def broken(*args, **kwargs):
        raise RuntimeError("the planner failed")

    monkeypatch.setattr(evaluation_services, "deadlines_recompute", broken)
    with pytest.raises(RuntimeError):
        record(case)
    nothing_saved(case, stored_files)


def test_a_date_or_year_in_the_future_and_a_missing_text_are_refused(case, stored_files):
    with pytest.raises(FollowUpRefused) as refused:
        record(case, year=2026, evaluated_on=D(2025, 3, 21), evaluation=" ")
    assert set(refused.value.errors) == {"year", "evaluated_on", "evaluation"}
    nothing_saved(case, stored_files)


def test_recording_on_a_closed_case_is_refused(case, stored_files):
    case.__class__.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    with pytest.raises(FollowUpRefused) as refused:
        record(case)
    assert refused.value.errors[""] == [closed_case_refusal()]
    assert not AnnualEvaluation.objects.exists()
    assert stored_files() == []


def test_a_reader_cannot_record(case, auditor, stored_files):
    with pytest.raises(TransitionForbidden):
        record(case, actor=auditor)
    assert stored_files() == []


# --- The screen -------------------------------------------------------------------------------


def post_data(**changes) -> dict:
    data = {
        "year": "2024",
        "evaluated_on": "2025-03-18",
        "annual_report": files.upload("arsredovisning.pdf", files.pdf_bytes()),
        "counterpart": "",
        "evaluation": "Målen är nådda.",
        "public_view": "Nöjda.",
        "organisation_view": "Vill växa.",
    }
    data.update(changes)
    return data


def test_recording_on_the_screen(client, case):
    client.force_login(case.officer)
    url = reverse("followups:evaluation_new", args=[case.pk])
    form = client.get(url)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.content.decode()
    response = client.post(url, post_data())
    evaluation = AnnualEvaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == evaluation.get_absolute_url()
    page = client.get(reverse("followups:case", args=[case.pk])).content.decode()
    assert f'id="evaluation-{evaluation.pk}"' in page
    assert "Målen är nådda." in page and "Vill växa." in page
    download = reverse("cases:document_download", args=[case.pk, evaluation.annual_report.pk])
    assert download in page


def test_a_program_is_refused_on_the_field_with_what_was_typed(client, case, stored_files):
    client.force_login(case.officer)
    url = reverse("followups:evaluation_new", args=[case.pk])
    response = client.post(
        url, post_data(annual_report=files.upload("arsredovisning.pdf", files.EXE_BYTES))
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["annual_report"]
    page = response.content.decode()
    assert "Målen är nådda." in page and 'id="form-errors"' in page
    nothing_saved(case, stored_files)


def test_the_same_year_twice_is_refused_on_the_year(client, case):
    record(case)
    client.force_login(case.officer)
    response = client.post(reverse("followups:evaluation_new", args=[case.pk]), post_data())
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [duplicate_year_refusal(2024)]
    assert AnnualEvaluation.objects.count() == 1


def test_no_file_is_refused_with_a_swedish_sentence(client, case, stored_files):
    client.force_login(case.officer)
    data = post_data()
    del data["annual_report"]
    response = client.post(reverse("followups:evaluation_new", args=[case.pk]), data)
    assert response.context["form"].errors["annual_report"] == [
        _("Upload the organisation's annual report.")
    ]
    nothing_saved(case, stored_files)
