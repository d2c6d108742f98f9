"""Uploads past their type (OWASP ASVS V12): a PDF must be one all through and carry no active
content, a Word file no macros, no archive may inflate like a zip bomb, a stored name has no
path in it, an oversized file never reaches the disk, and a registration that rolls back
leaves no file behind. The files are made in memory on the spot."""

from __future__ import annotations

import datetime
import io
import zipfile

import pikepdf
import pytest

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.db import transaction
from django.urls import reverse

from iop.constants import DocumentKind
from iop.tests.factories import PublicBodyFactory
from partners import uploads
from partners.models import OrganisationDocument
from partners.services import document_register
from partners.storage import TransactionalFileSystemStorage
from partners.tests import upload_files as files
from partners.tests.factories import OrganisationFactory
from partners.uploads import (
    OversizedUpload,
    SizeLimitUploadHandler,
    safe_upload_name,
    validate_document_upload,
)


def _refusal(name: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_document_upload(files.upload(name, data))
    return caught.value


def _pdf_with(change) -> bytes:
    """WeasyPrint's PDF (object streams and all) changed by ``change(pdf)``, saved again."""
    with pikepdf.open(io.BytesIO(files.pdf_bytes())) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _open_action_js(pdf):
    pdf.Root.OpenAction = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )


def _page_additional_action(pdf):
    pdf.pages[0].obj.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )


def _launch(pdf):
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))


def _embedded_file(pdf):
    pdf.attachments["program.exe"] = pikepdf.AttachedFileSpec(pdf, files.EXE_BYTES)


# --- PDF -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>",
        b"%PDF-1.4\n" + b"%" * 2000 + b"\n<!DOCTYPE html><title>x</title>",
        b"%PDF-1.4\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    ],
    ids=["script", "doctype-after-padding", "svg"],
)
def test_a_web_page_behind_a_pdf_header_is_refused(data):
    error = _refusal("stadgar.pdf", data)
    assert error.code == "pdf_html"
    assert "webbsida (HTML)" in error.message


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4 nothing after the header", files.pdf_bytes()[:2000]],
    ids=["header-only", "cut-off"],
)
def test_a_file_that_is_a_pdf_only_in_its_first_bytes_is_refused(data):
    assert _refusal("stadgar.pdf", data).code == "pdf_damaged"


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (_open_action_js, "/JS, /JavaScript"),
        (_page_additional_action, "/AA, /JS, /JavaScript"),
        (_launch, "/Launch"),
        (_embedded_file, "/EmbeddedFile"),
    ],
    ids=["open-action-javascript", "page-action", "launch", "embedded-file"],
)
def test_a_pdf_with_active_content_is_refused_even_inside_object_streams(change, found):
    data = _pdf_with(change)
    assert b"/JavaScript" not in data and b"/Launch" not in data  # hidden in compressed streams
    error = _refusal("stadgar.pdf", data)
    assert error.code == "pdf_active"
    assert found in error.message % error.params


def test_a_plain_pdf_rewritten_with_object_streams_still_passes():
    validate_document_upload(files.upload("stadgar.pdf", _pdf_with(lambda pdf: None)))


# --- ZIP-based documents ------------------------------------------------------------------------


def _docx_plus(*entries: tuple[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(files.docx_bytes())) as source,
        zipfile.ZipFile(buffer, "w", compression) as archive,
    ):
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "entry", ["word/vbaProject.bin", "WORD/VBAPROJECT.BIN", "x/vbaproject.bin"]
)
def test_a_word_file_with_macros_is_refused_wherever_they_hide(entry):
    error = _refusal("stadgar.docx", _docx_plus((entry, b"\xd0\xcf\x11\xe0 macro")))
    assert error.code == "macros"
    assert "makron" in error.message


def test_a_zip_bomb_is_refused_by_its_ratio():
    # 5 MB of zeros packs into a few KB: no document inflates a thousand times over.
    error = _refusal("stadgar.docx", _docx_plus(("word/media/a.bin", b"\0" * 5_000_000)))
    assert error.code == "zip_bomb"


def test_a_zip_bomb_is_refused_by_its_entries_and_its_declared_size(monkeypatch):
    many = _docx_plus(*[(f"word/p{n}.xml", b"<p/>") for n in range(1001)], compression=0)
    assert _refusal("stadgar.docx", many).code == "zip_bomb"
    monkeypatch.setattr(uploads, "_MAX_ZIP_UNCOMPRESSED", 2000)
    big = _docx_plus(("word/media/a.bin", bytes(range(256)) * 10), compression=0)
    assert _refusal("stadgar.docx", big).code == "zip_bomb"


# --- Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\anna\\Mitt dokument (1).pdf", "Mitt_dokument_1.pdf"),
        ("årsmöte 2026.docx", "årsmöte_2026.docx"),
        ("..", "fil"),
        ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
    ],
)
def test_a_stored_name_has_no_path_no_odd_characters_and_a_bounded_length(name, stored):
    assert safe_upload_name(name) == stored


# --- Size, while the file arrives -----------------------------------------------------------


def test_the_upload_handler_passes_nothing_on_past_the_limit(settings):
    settings.MAX_UPLOAD_SIZE = 4096
    handler = SizeLimitUploadHandler()
    handler.new_file("file", "stor.pdf", "application/pdf", None)
    passed = [handler.receive_data_chunk(b"x" * 1024, n * 1024) for n in range(10)]
    assert sum(len(chunk) for chunk in passed if chunk) == 4096
    upload = handler.file_complete(10 * 1024)
    assert isinstance(upload, OversizedUpload)
    assert (upload.name, upload.size, upload.read()) == ("stor.pdf", 10 * 1024, b"")
    with pytest.raises(ValidationError) as caught:
        validate_document_upload(upload)
    assert caught.value.code == "too_large"


def test_a_file_within_the_limit_goes_on_to_the_next_handler(settings):
    settings.MAX_UPLOAD_SIZE = 4096
    handler = SizeLimitUploadHandler()
    handler.new_file("file", "liten.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"x" * 4096, 0) == b"x" * 4096
    assert handler.file_complete(4096) is None
    assert settings.FILE_UPLOAD_HANDLERS[0] == "partners.uploads.SizeLimitUploadHandler"
    assert MemoryFileUploadHandler.__module__ in settings.FILE_UPLOAD_HANDLERS[1]


@pytest.mark.django_db
def test_an_oversized_post_is_refused_next_to_the_field_and_nothing_stored(
    client, officer, settings
):
    settings.MAX_UPLOAD_SIZE = 64 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024  # past it Django would use a temp file
    organisation = OrganisationFactory()
    client.force_login(officer)
    response = client.post(
        reverse("partners:document_create", args=[organisation.pk]),
        {
            "kind": DocumentKind.ANNUAL_MEETING_MINUTES,
            "received_on": "2026-03-02",
            "public_body": PublicBodyFactory().pk,
            "file": files.upload("stor.pdf", files.pdf_bytes() + b" " * 256 * 1024),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["file"]
    assert [e.code for e in errors] == ["too_large"]
    assert not OrganisationDocument.objects.exists()


# --- A registration that rolls back leaves no file ---------------------------------------------


@pytest.fixture
def disk(settings, tmp_path):
    """The production storage on an empty MEDIA_ROOT of this test's own."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "partners.storage.TransactionalFileSystemStorage"},
    }
    return tmp_path


def _files_in(path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


def _register(officer, name="stadgar.pdf"):
    return document_register(
        organisation=OrganisationFactory(),
        actor=officer,
        kind=DocumentKind.STATUTES,
        file=files.upload(name, files.pdf_bytes()),
        received_on=datetime.date(2026, 3, 2),
        public_body=PublicBodyFactory(),
    )


class Boom(Exception):
    pass


@pytest.mark.django_db
def test_an_error_after_the_file_is_written_removes_it_with_the_rows(disk, officer, monkeypatch):
    from partners.services import documents

    original = documents.save_recorded

    def save_then_fail(*args, **kwargs):
        original(*args, **kwargs)  # the file is on disk now
        assert _files_in(disk)
        raise Boom

    monkeypatch.setattr(documents, "save_recorded", save_then_fail)
    with pytest.raises(Boom):
        _register(officer)
    assert _files_in(disk) == []
    assert not OrganisationDocument.objects.exists()


@pytest.mark.django_db
def test_an_outer_transaction_that_rolls_back_takes_the_file_with_it(disk, officer):
    with pytest.raises(Boom), transaction.atomic():
        document = _register(officer)
        assert _files_in(disk) == [document.file.name]
        raise Boom
    assert _files_in(disk) == []


@pytest.mark.django_db
def test_a_registration_that_goes_through_keeps_its_file(disk, officer):
    document = _register(officer)
    assert _files_in(disk) == [document.file.name]
    assert isinstance(document.file.storage._wrapped, TransactionalFileSystemStorage)


@pytest.mark.django_db
def test_the_stored_file_name_is_cleaned(disk, officer):
    document = _register(officer, name="Stadgar <script> (antagna 2026).pdf")
    assert document.file.name.rsplit("/", 1)[1] == "Stadgar_script_antagna_2026.pdf"
