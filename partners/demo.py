"""The partner organisations' part of the demo story: their rows, contacts and value
declarations, written through ``partners.services`` (the data is in ``partners.demo_story``).

``partners`` is the bottom layer, so it registers no part of its own: the case's part
(``iop.demo``) calls these when its story first needs an organisation, and dates the rows back.
"""

from __future__ import annotations

import datetime
from typing import Any

from . import services
from .demo_story import ORGANISATIONS, DemoOrganisation
from .models import Organisation, ValueDeclaration

BY_KEY: dict[str, DemoOrganisation] = {o.key: o for o in ORGANISATIONS}


def ensure_organisation(key: str, *, actor: Any) -> tuple[Organisation, bool]:
    """The organisation ``key`` with its primary contact, and whether it was created now."""
    demo = BY_KEY[key]
    organisation = Organisation.objects.filter(org_number=demo.org_number).first()
    if organisation is not None:
        return organisation, False
    # The service's full_clean checks the organisation number's Luhn check digit.
    organisation = services.organisation_create(
        actor=actor,
        name=demo.name,
        org_number=demo.org_number,
        street_address=demo.street_address,
        postal_code=demo.postal_code,
        city=demo.city,
        email=demo.email,
        phone=demo.phone,
        member_count=demo.member_count,
    )
    services.contact_person_create(
        organisation=organisation,
        actor=actor,
        name=demo.contact_name,
        title=demo.contact_title,
        email=demo.contact_email,
        phone=demo.contact_phone,
        is_primary=True,
    )
    return organisation, True


def ensure_value_declaration(
    organisation: Organisation, *, signed_on: datetime.date, actor: Any
) -> ValueDeclaration | None:
    """The primary contact signs every point of the value declaration, unless a signed one
    exists. Returns the new declaration, or None."""
    if organisation.has_signed_value_declaration():
        return None
    contact = organisation.contacts.get(is_primary=True)
    return services.value_declaration_record(
        organisation=organisation,
        actor=actor,
        signatory_name=contact.name,
        signatory_title=contact.title,
        signed_on=signed_on,
        **dict.fromkeys(ValueDeclaration.POINT_FIELDS, True),
    )
