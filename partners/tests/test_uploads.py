"""Uploads: the type is read from the content, name and content must agree, the size is
limited, a refusal saves nothing and keeps what was typed, and every document is
registered with a unique, gap-free registry number."""

from __future__ import annotations

import datetime
import threading

import pytest

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from iop.constants import DocumentKind, Role
from iop.services import case_register
from iop.tests.factories import CaseFactory, CommitteeFactory, PublicBodyFactory, UserFactory
from partners.models import OrganisationDocument, ValueDeclaration
from partners.services import document_register
from partners.tests import upload_files as files
from partners.tests.factories import OrganisationFactory
from partners.uploads import (
    SCAN_TYPES,
    UploadValidator,
    content_type_for,
    validate_document_upload,
)

ACCEPTED = [
    ("stadgar.pdf", files.pdf_bytes),
    ("stadgar.PDF", files.pdf_bytes),
    ("stadgar.docx", files.docx_bytes),
    ("stadgar-ordning.docx", files.docx_bytes_unusual_order),
    ("stadgar.odt", files.odt_bytes),
    ("skanning.png", files.png_bytes),
    ("skanning.jpg", files.jpeg_bytes),
    ("skanning.jpeg", files.jpeg_bytes),
]

REFUSED = [
    # (name, content, error code)
    ("stadgar.pdf", lambda: files.EXE_BYTES, "mismatch"),
    ("stadgar.pdf", lambda: files.TEXT_BYTES, "content"),
    ("stadgar.docx", lambda: files.docx_bytes(files.DOCM_MAIN), "mismatch"),
    ("stadgar.docx", files.zip_bytes, "mismatch"),
    ("stadgar.docx", files.pdf_bytes, "mismatch"),
    ("stadgar.odt", files.docx_bytes, "mismatch"),
    ("skanning.jpg", files.png_bytes, "mismatch"),
    ("skanning.png", lambda: b"\x89PNG but not really", "content"),
    ("program.exe", lambda: files.EXE_BYTES, "extension"),
    ("stadgar.txt", lambda: files.TEXT_BYTES, "extension"),
    ("stadgar", files.pdf_bytes, "extension"),
    ("tom.pdf", lambda: b"", "empty"),
]


@pytest.fixture(autouse=True)
def fresh_storage(settings):
    """An empty in-memory file storage for each test, so "nothing saved" can be checked."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def _codes(error: ValidationError) -> list[str]:
    return [e.code for e in error.error_list]


@pytest.mark.parametrize(("name", "make"), ACCEPTED)
def test_real_files_of_each_accepted_type_pass(name, make):
    validate_document_upload(files.upload(name, make()))


@pytest.mark.parametrize(("name", "make", "code"), REFUSED, ids=[f"{n}-{c}" for n, _, c in REFUSED])
def test_impostors_and_other_types_are_refused(name, make, code):
    with pytest.raises(ValidationError) as caught:
        validate_document_upload(files.upload(name, make()))
    assert _codes(caught.value) == [code]


def test_the_refusal_of_a_renamed_program_names_the_file_and_the_allowed_types():
    with pytest.raises(ValidationError) as caught:
        validate_document_upload(files.upload("stadgar.pdf", files.EXE_BYTES))
    message = caught.value.messages[0]
    assert "stadgar.pdf" in message
    assert "PDF" in message and "JPEG" in message and ".exe" in message


@pytest.mark.parametrize(
    ("name", "make"), [("a.docx", files.docx_bytes), ("a.odt", files.odt_bytes)]
)
def test_a_scanned_declaration_is_pdf_or_image_only(name, make):
    with pytest.raises(ValidationError) as caught:
        UploadValidator(SCAN_TYPES)(files.upload(name, make()))
    assert _codes(caught.value) == ["extension"]


@override_settings(MAX_UPLOAD_SIZE=1000)
def test_a_file_over_the_limit_is_refused_with_the_limit_in_the_message():
    big = files.pdf_bytes() + b"%" * 2000
    with pytest.raises(ValidationError) as caught:
        validate_document_upload(files.upload("stort.pdf", big))
    assert _codes(caught.value) == ["too_large"]
    assert "1000" in caught.value.messages[0].replace("\xa0", " ")  # "1000 byte"


@override_settings(MAX_UPLOAD_SIZE=8000)
def test_a_file_exactly_at_the_limit_passes():
    # A whole PDF (a cut-off one is refused as damaged), padded to the limit after %%EOF.
    data = files.pdf_bytes().ljust(8000, b"\n")
    validate_document_upload(files.upload("precis.pdf", data))


def test_stored_files_are_served_with_the_type_their_checked_name_says():
    assert content_type_for("x/Stadgar.PDF") == "application/pdf"
    assert content_type_for("a.jpg") == "image/jpeg"
    assert content_type_for("a.odt") == "application/vnd.oasis.opendocument.text"
    assert content_type_for("a.exe") == "application/octet-stream"


# --- Through the upload page --------------------------------------------------------------


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Fritidsbanken Karlstad")


@pytest.fixture
def public_body(db):
    return PublicBodyFactory()


def _post(client, organisation, upload, **overrides):
    data = {
        "kind": DocumentKind.ANNUAL_MEETING_MINUTES,
        "year": "2025",
        "received_on": "2026-03-02",
        "description": "Protokoll från årsmötet den 1 mars",
        "file": upload,
        **overrides,
    }
    return client.post(reverse("partners:document_create", args=[organisation.pk]), data)


def _stored_files(organisation) -> list[str]:
    prefix = f"organisations/{organisation.pk}"
    if not default_storage.exists(prefix):
        return []
    found = []
    directories, names = default_storage.listdir(prefix)
    found += names
    for directory in directories:
        found += default_storage.listdir(f"{prefix}/{directory}")[1]
    return found


@pytest.mark.parametrize(("name", "make"), ACCEPTED)
def test_an_officer_uploads_each_accepted_type(
    client, officer, organisation, public_body, name, make
):
    client.force_login(officer)
    response = _post(client, organisation, files.upload(name, make()), public_body=public_body.pk)
    assert response.status_code == 302
    document = OrganisationDocument.objects.get(organisation=organisation)
    assert document.uploaded_by == officer
    assert document.kind == DocumentKind.ANNUAL_MEETING_MINUTES
    assert document.year == 2025
    assert document.received_on == datetime.date(2026, 3, 2)
    assert document.file.read() == make()
    assert document.history.get().history_user == officer


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("stadgar.pdf", files.EXE_BYTES, "mismatch"),
        ("stadgar.pdf", files.TEXT_BYTES, "content"),
        ("program.exe", files.EXE_BYTES, "extension"),
    ],
    ids=["exe-renamed-pdf", "txt-renamed-pdf", "exe"],
)
def test_a_refused_upload_saves_nothing_and_keeps_what_was_typed(
    client, officer, organisation, public_body, name, data, code
):
    client.force_login(officer)
    response = _post(client, organisation, files.upload(name, data), public_body=public_body.pk)
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["file"]] == [code]
    assert OrganisationDocument.objects.count() == 0
    assert _stored_files(organisation) == []
    assert form["kind"].value() == DocumentKind.ANNUAL_MEETING_MINUTES
    assert str(form["year"].value()) == "2025"
    assert form["received_on"].value() == "2026-03-02"
    assert form["description"].value() == "Protokoll från årsmötet den 1 mars"
    html = response.content.decode()
    assert 'value="Protokoll från årsmötet den 1 mars"' in html
    assert 'value="2026-03-02"' in html
    assert 'id="form-errors"' in html and 'role="alert"' in html


@override_settings(MAX_UPLOAD_SIZE=2048)
def test_an_upload_over_the_limit_is_refused_and_nothing_saved(
    client, officer, organisation, public_body
):
    client.force_login(officer)
    response = _post(
        client,
        organisation,
        files.upload("stor.pdf", files.pdf_bytes() + b" " * 4096),
        public_body=public_body.pk,
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["file"]
    assert [e.code for e in errors] == ["too_large"]
    assert OrganisationDocument.objects.count() == 0
    assert "2,0" in response.content.decode()  # the limit, as the user reads it (2,0 KB)


def test_when_another_field_is_wrong_the_user_is_told_to_choose_the_file_again(
    client, officer, organisation, public_body
):
    client.force_login(officer)
    response = _post(
        client,
        organisation,
        files.upload("stadgar.pdf", files.pdf_bytes()),
        public_body=public_body.pk,
        received_on="",
        year="nittonhundra",
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert set(errors) >= {"received_on", "year", "file"}
    assert [e.code for e in errors["file"]] == ["choose_again"]
    assert OrganisationDocument.objects.count() == 0


def test_a_date_received_in_the_future_is_refused(client, officer, organisation, public_body):
    client.force_login(officer)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = _post(
        client,
        organisation,
        files.upload("stadgar.pdf", files.pdf_bytes()),
        public_body=public_body.pk,
        received_on=tomorrow.isoformat(),
    )
    assert response.status_code == 200
    assert "received_on" in response.context["form"].errors
    assert OrganisationDocument.objects.count() == 0


def test_without_a_case_the_public_body_is_required(client, officer, organisation, public_body):
    PublicBodyFactory(name="Mora kommun", short_code="MORA", kind="kommun")  # two to choose from
    client.force_login(officer)
    response = _post(client, organisation, files.upload("stadgar.pdf", files.pdf_bytes()))
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["public_body"]] == [
        "required"
    ]
    assert OrganisationDocument.objects.count() == 0


def test_a_scanned_declaration_that_is_a_renamed_program_is_refused(client, officer, organisation):
    client.force_login(officer)
    data = {
        "signatory_name": "Sara Ordförande",
        "signatory_title": "Ordförande",
        "signed_on": "2026-01-15",
        **dict.fromkeys(ValueDeclaration.POINT_FIELDS, "on"),
        "scanned_file": files.upload("intyg.pdf", files.EXE_BYTES),
    }
    response = client.post(reverse("partners:declaration_create", args=[organisation.pk]), data)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["scanned_file"]] == [
        "mismatch"
    ]
    assert ValueDeclaration.objects.count() == 0
    assert response.context["form"]["signatory_name"].value() == "Sara Ordförande"


# --- Registry numbers ---------------------------------------------------------------------


def _register(organisation, actor, **kwargs):
    kwargs.setdefault("kind", DocumentKind.STATUTES)
    kwargs.setdefault("received_on", datetime.date(2026, 3, 2))
    return document_register(
        organisation=organisation,
        actor=actor,
        file=files.upload("stadgar.pdf", files.pdf_bytes()),
        **kwargs,
    )


def test_documents_in_a_case_are_numbered_within_it_without_gaps(officer):
    other = OrganisationFactory()
    organisation = OrganisationFactory()
    case = CaseFactory(organisations=[organisation, other], officer=officer)
    numbers = [
        _register(organisation, officer, case=case).registry_number,
        _register(other, officer, case=case).registry_number,
        _register(
            organisation, officer, case=case, kind=DocumentKind.AUDITOR_REPORT
        ).registry_number,
    ]
    assert numbers == [f"{case.registry_number}-{n}" for n in (1, 2, 3)]


def test_documents_without_a_case_open_the_organisations_own_file_in_the_registry(
    officer, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 3, 3, 10, 0))
    committee = CommitteeFactory()
    first_case = case_register(
        actor=officer,
        title="Första",
        committee=committee,
        societal_challenge="x",
        idea_description="y",
        organisations=[],
        received_on=datetime.date(2026, 3, 1),
    )
    organisation = OrganisationFactory()
    body = committee.public_body
    a = _register(organisation, officer, public_body=body)
    b = _register(organisation, officer, public_body=body, kind=DocumentKind.ACTIVITY_REPORT)
    next_case = case_register(
        actor=officer,
        title="Nästa",
        committee=committee,
        societal_challenge="x",
        idea_description="y",
        organisations=[],
        received_on=datetime.date(2026, 3, 3),
    )
    # The file is a matter of its own in the body's one registry series, between the cases.
    assert first_case.registry_number == "RV 2026/00001"
    assert (a.registry_number, b.registry_number) == ("RV 2026/00002-1", "RV 2026/00002-2")
    assert next_case.registry_number == "RV 2026/00003"
    # Another organisation gets a file of its own.
    assert (
        _register(OrganisationFactory(), officer, public_body=body).registry_number
        == "RV 2026/00004-1"
    )


def test_a_refused_upload_uses_up_no_number(officer):
    organisation = OrganisationFactory()
    case = CaseFactory(organisations=[organisation], officer=officer)
    with pytest.raises(ValidationError):
        document_register(
            organisation=organisation,
            actor=officer,
            kind=DocumentKind.STATUTES,
            received_on=datetime.date(2026, 3, 2),
            case=case,
            file=files.upload("stadgar.pdf", files.EXE_BYTES),
        )
    assert (
        _register(organisation, officer, case=case).registry_number == f"{case.registry_number}-1"
    )


def test_a_document_cannot_be_registered_in_another_organisations_case(officer):
    organisation = OrganisationFactory()
    foreign_case = CaseFactory()
    with pytest.raises(ValidationError) as caught:
        _register(organisation, officer, case=foreign_case)
    assert "case" in caught.value.message_dict
    assert OrganisationDocument.objects.count() == 0


def test_the_database_refuses_a_duplicate_registry_number(officer):
    organisation = OrganisationFactory()
    case = CaseFactory(organisations=[organisation], officer=officer)
    document = _register(organisation, officer, case=case)
    duplicate = OrganisationDocument(
        organisation=organisation,
        kind=DocumentKind.OTHER,
        file=document.file.name,
        received_on=document.received_on,
        matter_number=document.matter_number,
        document_serial=document.document_serial,
        registry_number=document.registry_number,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    duplicate.registry_number = f"{document.registry_number}x"  # same matter and serial
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


# --- Concurrent uploads, PostgreSQL only ---------------------------------------------------

CONCURRENT = 10


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks and serialises every writer anyway",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_uploads_get_one_matter_and_consecutive_numbers():
    # Committed before the threads start (each thread has its own connection); the
    # serialized rollback gives back the role groups the flush at the end removes.
    body = PublicBodyFactory()
    organisation = OrganisationFactory()
    actor = UserFactory(role=Role.CASE_OFFICER)
    barrier = threading.Barrier(CONCURRENT, timeout=30)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def upload_one(i: int) -> None:
        try:
            barrier.wait()
            document = _register(organisation, actor, public_body=body, description=str(i))
            with lock:
                numbers.append(document.registry_number)
        except BaseException as e:  # reported by the main thread
            with lock:
                errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload_one, args=(i,)) for i in range(CONCURRENT)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not any(t.is_alive() for t in threads)
    assert errors == []
    year = timezone.localdate().year
    assert sorted(numbers, key=lambda n: int(n.rsplit("-", 1)[1])) == [
        f"RV {year}/00001-{n}" for n in range(1, CONCURRENT + 1)
    ]
