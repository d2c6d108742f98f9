"""Recording the value declaration (värdegrundsintyg) an organisation signed on paper."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files import File
from django.db import transaction

from ..models import Organisation, ValueDeclaration
from ..uploads import validate_scan_upload
from .common import save_recorded


@transaction.atomic
def value_declaration_record(
    *,
    organisation: Organisation,
    actor: Any,
    signatory_name: str,
    signed_on: datetime.date,
    signatory_title: str = "",
    scanned_file: File | None = None,
    **points: bool,
) -> ValueDeclaration:
    """Record a value declaration (värdegrundsintyg) as signed on paper, with the points
    the signatory confirmed and, if there is one, the scanned signed copy. A declaration
    with a point left unconfirmed is kept, and shown as incomplete."""
    unknown = set(points) - set(ValueDeclaration.POINT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown points: {sorted(unknown)}")
    if scanned_file:
        validate_scan_upload(scanned_file)
    declaration = ValueDeclaration(
        organisation=organisation,
        signatory_name=signatory_name,
        signatory_title=signatory_title,
        signed_on=signed_on,
        scanned_file=scanned_file or "",
        recorded_by=actor,
        **points,
    )
    return save_recorded(declaration, actor, exclude=["scanned_file"])


@transaction.atomic
def value_declaration_update(
    *, declaration: ValueDeclaration, actor: Any, **fields: Any
) -> ValueDeclaration:
    """Correct a recorded declaration (the signatory, the date, the points, the scan)."""
    declaration = ValueDeclaration.objects.select_for_update().get(pk=declaration.pk)
    scanned_file = fields.get("scanned_file")
    if scanned_file and scanned_file != declaration.scanned_file:
        validate_scan_upload(scanned_file)
    for name, value in fields.items():
        setattr(declaration, name, value)
    return save_recorded(declaration, actor, exclude=["scanned_file"])
