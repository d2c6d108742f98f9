"""Stored files (uploads) are served only through views that check who asks: never straight
from the storage's directory, in no environment.

Every model that holds a stored file registers it here (``register_stored_file``): the
organisation's documents and value declarations from this app's ``ready()``, the case's
documents from the hub's. The storage's URL (``MEDIA_URL``) is answered by ``stored_file``,
which finds the file's owner among them, asks the owner's rule, and serves the file as a
download, so that a link to a file, the admin's included, is checked like any page. The
screens link to their own named downloads, which serve the file the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from .uploads import content_type_for


@dataclass(frozen=True)
class StoredFile:
    """A model's file field, who may read it, and the name it is downloaded under."""

    model: type[models.Model]
    field: str
    may_read: Callable[[Any], bool]
    download_name: Callable[[Any], str]
    visible: Callable[[Any], models.QuerySet] | None = None  # the rows the user may see

    def rows(self, user: Any) -> models.QuerySet:
        return self.visible(user) if self.visible else self.model._default_manager.all()


_stored: dict[tuple[str, str], StoredFile] = {}


def register_stored_file(
    model: type[models.Model],
    field: str,
    *,
    may_read: Callable[[Any], bool],
    download_name: Callable[[Any], str],
    visible: Callable[[Any], models.QuerySet] | None = None,
) -> None:
    _stored[(model._meta.label, field)] = StoredFile(
        model=model, field=field, may_read=may_read, download_name=download_name, visible=visible
    )


def stored_files() -> list[StoredFile]:
    return list(_stored.values())


def accel_redirect_path(name: str) -> str:
    """Where the web server finds the stored file ``name`` (its ``internal`` location), or ""
    when Django sends files itself (``FILE_SERVE_ACCEL_REDIRECT`` empty)."""
    prefix = settings.FILE_SERVE_ACCEL_REDIRECT
    if not prefix:
        return ""
    return prefix.rstrip("/") + "/" + quote(name.lstrip("/"))


def file_response(field_file: FieldFile, *, filename: str) -> HttpResponse:
    """The stored file as a download named ``filename`` plus the stored file's (checked)
    extension. Only for a user who may read it: the caller has checked.

    With ``FILE_SERVE_ACCEL_REDIRECT`` set, the body is empty and ``X-Accel-Redirect`` hands
    the sending to the web server (nginx ``internal`` location): the check stays here, the
    bytes do not pass through a Django worker."""
    if not field_file:
        raise Http404
    extension = os.path.splitext(field_file.name)[1].lower()
    accel = accel_redirect_path(field_file.name)
    if accel:
        if not field_file.storage.exists(field_file.name):
            raise Http404
        response = HttpResponse(content_type=content_type_for(field_file.name))
        response.headers["X-Accel-Redirect"] = accel
    else:
        try:
            handle = field_file.storage.open(field_file.name, "rb")
        except OSError as error:
            raise Http404 from error
        response = FileResponse(handle, content_type=content_type_for(field_file.name))
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}{extension}".replace("/", "-")
    )
    # The type is the one the upload was checked to be; the browser must not guess another.
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def stored_file(request: HttpRequest, name: str) -> HttpResponse:
    """The file stored under ``name`` (what ``FieldFile.url`` links to), for a user who may
    read its owner: 403 for a user who may read no stored file or not this one, 404 for a
    file no one holds or a row the user may not see."""
    user = request.user
    if not any(stored.may_read(user) for stored in _stored.values()):
        raise PermissionDenied
    for stored in _stored.values():
        owner = stored.model._default_manager.filter(**{stored.field: name}).first()
        if owner is None:
            continue
        if not stored.may_read(user):
            raise PermissionDenied
        if not stored.rows(user).filter(pk=owner.pk).exists():
            raise Http404
        response = file_response(getattr(owner, stored.field), filename=stored.download_name(owner))
        response.audit_object = owner  # the row the audit log names (iop.audit)
        return response
    raise Http404
