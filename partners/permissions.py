"""Who may do what with organisations. Every staff role reads them (public records); case
officers and the IOP coordinator register and change them. Deny by default: a user acts
only through a role (a group) carrying the permission."""

from __future__ import annotations

from typing import Any

VIEW_ORGANISATION = "partners.view_organisation"
ADD_ORGANISATION = "partners.add_organisation"
CHANGE_ORGANISATION = "partners.change_organisation"
ADD_CONTACT = "partners.add_contactperson"
CHANGE_CONTACT = "partners.change_contactperson"
VIEW_DOCUMENT = "partners.view_organisationdocument"
ADD_DOCUMENT = "partners.add_organisationdocument"
VIEW_DECLARATION = "partners.view_valuedeclaration"
ADD_DECLARATION = "partners.add_valuedeclaration"
VIEW_GRANT = "partners.view_declaredgrant"
ADD_GRANT = "partners.add_declaredgrant"
CHANGE_GRANT = "partners.change_declaredgrant"


def has(user: Any, perm: str) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.has_perm(perm)
    )


def can_view_organisations(user: Any) -> bool:
    return has(user, VIEW_ORGANISATION)


def can_add_organisation(user: Any) -> bool:
    return has(user, ADD_ORGANISATION)


def can_change_organisation(user: Any) -> bool:
    return has(user, CHANGE_ORGANISATION)


def can_add_contact(user: Any) -> bool:
    return has(user, ADD_CONTACT)


def can_change_contact(user: Any) -> bool:
    return has(user, CHANGE_CONTACT)


def can_view_documents(user: Any) -> bool:
    return has(user, VIEW_DOCUMENT)


def can_add_document(user: Any) -> bool:
    return has(user, ADD_DOCUMENT)


def can_view_declarations(user: Any) -> bool:
    return has(user, VIEW_DECLARATION)


def can_add_declaration(user: Any) -> bool:
    return has(user, ADD_DECLARATION)


def can_view_grants(user: Any) -> bool:
    return has(user, VIEW_GRANT)


def can_add_grant(user: Any) -> bool:
    return has(user, ADD_GRANT)


def can_change_grant(user: Any) -> bool:
    """Withdraw a declared grant (it is never edited or deleted)."""
    return has(user, CHANGE_GRANT)
