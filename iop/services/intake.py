"""Registering an initiative (DOMAIN.md §3, stage 1) from the intake screen: the case and,
when the organisation is new to us, the organisation and its contact person, together."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners import permissions as partner_permissions
from partners.models import Organisation
from partners.services import contact_person_create, organisation_create

from .. import permissions
from ..models import Case
from .registration import case_register


@transaction.atomic
def initiative_register(
    *,
    actor: Any,
    organisations: Iterable[Organisation] = (),
    new_organisation: dict[str, Any] | None = None,
    new_contact: dict[str, Any] | None = None,
    **case_fields: Any,
) -> Case:
    """Register an initiative in one transaction: the new organisation (if any) and its
    contact person, then the case through ``case_register`` with the chosen and the new
    organisations. If any part fails, nothing is saved: no organisation without its case,
    and no registry number used up.

    ``case_fields`` are ``case_register``'s arguments (title, committee, societal_challenge,
    idea_description, received_on, officer, substitute, and the planning-sheet fields).
    """
    if not permissions.can_register_case(actor):
        raise PermissionDenied(_("You may not register initiatives."))
    chosen = list(organisations)
    if new_organisation and not partner_permissions.can_add_organisation(actor):
        raise PermissionDenied(_("You may not register organisations."))
    if new_organisation:
        organisation = organisation_create(actor=actor, **new_organisation)
        if new_contact:
            contact_person_create(
                organisation=organisation, actor=actor, is_primary=True, **new_contact
            )
        chosen.append(organisation)
    if not chosen:
        raise ValidationError(
            {
                "organisations": ValidationError(
                    _("Choose at least one organisation, or register a new one."),
                    code="no_organisation",
                )
            }
        )
    return case_register(actor=actor, organisations=chosen, **case_fields)
