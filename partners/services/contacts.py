"""The organisation's contact persons: added, changed, and removed when they leave (personal
data kept no longer than needed; the history records the removal)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import ContactPerson, Organisation
from .common import delete_recorded, save_recorded


def _only_primary(contact: ContactPerson, actor: Any) -> None:
    """An organisation has at most one primary contact: marking one unmarks the others."""
    if not contact.is_primary:
        return
    others = ContactPerson.objects.filter(organisation_id=contact.organisation_id, is_primary=True)
    for other in others.exclude(pk=contact.pk):
        other.is_primary = False
        other._history_user = actor
        other.save(update_fields=["is_primary"])


@transaction.atomic
def contact_person_create(
    *, organisation: Organisation, actor: Any, **fields: Any
) -> ContactPerson:
    contact = save_recorded(ContactPerson(organisation=organisation, **fields), actor)
    _only_primary(contact, actor)
    return contact


@transaction.atomic
def contact_person_update(*, contact: ContactPerson, actor: Any, **fields: Any) -> ContactPerson:
    contact = ContactPerson.objects.select_for_update().get(pk=contact.pk)
    for name, value in fields.items():
        setattr(contact, name, value)
    save_recorded(contact, actor)
    _only_primary(contact, actor)
    return contact


@transaction.atomic
def contact_person_delete(*, contact: ContactPerson, actor: Any) -> None:
    contact = ContactPerson.objects.select_for_update().get(pk=contact.pk)
    delete_recorded(contact, actor)
