"""Uploads to a disk that is full: the user reads why, the form keeps what was typed, and
nothing is registered without its file (no document, no registry line, no timeline entry, no
history row).

The storage is a FileSystemStorage on a tmpfs of 64 KiB mounted for this module and filled up
first: the disk is really full (``ENOSPC`` from the kernel). Where mounting is not permitted
(not root, a container without CAP_SYS_ADMIN) the module is skipped, saying so.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from django.urls import reverse
from django.utils.html import escape

from iop.constants import CaseStatus, DocumentDirection
from iop.models import CaseDocument, CaseEvent, RegistryEntry
from iop.services.documents import DISK_FULL_MESSAGE
from iop.tests.factories import CaseFactory
from partners.tests import upload_files as files

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


def blank_pdf() -> bytes:
    """A real one-page PDF of some 20 KB (pikepdf: quicker than printing one)."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Subject"] = "x" * 20_000
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def full_disk():
    """A 64 KiB tmpfs, filled to the last byte."""
    directory = Path(tempfile.mkdtemp(prefix="iop-faults-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(directory)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        directory.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'not root'})")
    try:
        filler = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT)
        with contextlib.suppress(OSError):
            while True:
                os.write(filler, b"\0" * 4096)
        os.close(filler)
        with pytest.raises(OSError) as full:
            (directory / "probe").write_bytes(b"\0" * 4096)
        assert full.value.errno == errno.ENOSPC
        (directory / "probe").unlink(missing_ok=True)
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], check=False)
        with contextlib.suppress(OSError):
            directory.rmdir()


@pytest.fixture
def storage_on_full_disk(full_disk, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(full_disk)},
        },
    }
    # FileField.storage was bound at import: point the field at the new default storage.
    from django.core.files.storage import default_storage

    field = CaseDocument._meta.get_field("file")
    saved = field.storage
    field.storage = default_storage
    yield full_disk
    field.storage = saved


def test_an_upload_to_a_full_disk_is_refused_in_swedish_and_registers_nothing(
    client, officer, storage_on_full_disk
):
    case = CaseFactory(officer=officer, status=CaseStatus.WINDING_DOWN)
    before = (RegistryEntry.objects.count(), CaseEvent.objects.count())
    client.force_login(officer)

    response = client.post(
        reverse("cases:document_create", args=[case.pk]),
        {
            "kind": CaseDocument.Kind.WIND_DOWN_PLAN,
            "title": "Avvecklingsplan för föreningen",
            "file": files.upload("plan.pdf", blank_pdf()),
            "received_on": "2026-03-02",
            "direction": DocumentDirection.INCOMING,
            "counterpart": "Föreningens styrelse",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert escape(str(DISK_FULL_MESSAGE)) in page  # why (in the user's language)
    assert 'value="Avvecklingsplan för föreningen"' in page  # what was typed stays
    assert 'value="Föreningens styrelse"' in page
    assert not CaseDocument.objects.exists()
    assert not CaseDocument.history.exists()
    assert (RegistryEntry.objects.count(), CaseEvent.objects.count()) == before
    # What the storage began to write holds nothing (the disk had no room for a byte).
    assert all(
        p.stat().st_size == 0
        for p in storage_on_full_disk.rglob("*")
        if p.is_file() and p.name != "filler"
    )
