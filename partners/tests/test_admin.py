"""The organisation admin: the organisation number rules of the form, registration of
documents through the service, declarations marked incomplete, nothing deletable except
contact persons (whose deletion is itself recorded)."""

from __future__ import annotations

import datetime

import pytest

from django.urls import reverse

from iop.constants import DocumentKind, Role
from iop.tests.factories import CaseFactory
from partners.models import ContactPerson, Organisation, OrganisationDocument, ValueDeclaration
from partners.tests import upload_files as files
from partners.tests.factories import (
    ContactPersonFactory,
    OrganisationFactory,
    ValueDeclarationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_officer(client, make_user):
    user = make_user(Role.CASE_OFFICER, username="anna", is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def superuser(client, make_user):
    user = make_user(None, username="admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def organisation_post(**overrides) -> dict:
    data = {
        "name": "Fritidsbanken Karlstad",
        "org_number": "802002-3456",
        "legal_form": "ideell_forening",
        "city": "Karlstad",
        **overrides,
    }
    # Only the contact persons are entered with a new organisation.
    data |= {"contacts-TOTAL_FORMS": 0, "contacts-INITIAL_FORMS": 0}
    return data


def test_an_officer_registers_an_organisation_with_a_hyphenated_number(client, staff_officer):
    response = client.post(reverse("admin:partners_organisation_add"), organisation_post())
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.org_number == "8020023456"
    assert organisation.history.get().history_user == staff_officer


def test_a_wrong_number_comes_back_with_the_message_and_what_was_typed(client, staff_officer):
    response = client.post(
        reverse("admin:partners_organisation_add"), organisation_post(org_number="802002-3457")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["org_number"]
    assert [e.code for e in errors] == ["check_digit"]
    page = response.content.decode()
    assert 'value="802002-3457"' in page
    assert 'value="Fritidsbanken Karlstad"' in page
    assert "802002-3457" in page.split('class="errorlist')[1]  # the message names the number
    assert Organisation.objects.count() == 0


def test_a_duplicate_number_names_the_registered_organisation(client, staff_officer):
    OrganisationFactory(name="Fritidsbanken i Värmland", org_number="8020023456")
    response = client.post(
        reverse("admin:partners_organisation_add"), organisation_post(org_number="8020023456")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["org_number"]
    assert [e.code for e in errors] == ["already_registered"]
    assert "Fritidsbanken i Värmland" in response.content.decode()


def test_organisations_are_found_by_number_with_or_without_hyphen(client, staff_officer):
    wanted = OrganisationFactory(name="Suicide Zero", org_number="8020023456")
    OrganisationFactory(name="Agera Värmland")
    for term in ("802002-3456", "8020023456", "Suicide"):
        response = client.get(reverse("admin:partners_organisation_changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == [wanted], term


def test_the_list_shows_whether_a_signed_declaration_exists(client, staff_officer):
    signed = OrganisationFactory(declared=True)
    incomplete = OrganisationFactory()
    ValueDeclarationFactory(organisation=incomplete, has_routines=False)
    response = client.get(reverse("admin:partners_organisation_changelist"))
    rows = {o.pk: o._has_signed_declaration for o in response.context["cl"].result_list}
    assert rows == {signed.pk: True, incomplete.pk: False}


# --- Value declarations -------------------------------------------------------------------


def declaration_post(organisation, **overrides) -> dict:
    return {
        "organisation": organisation.pk,
        "signatory_name": "Sara Ordförande",
        "signatory_title": "Ordförande",
        "signed_on": "2026-01-15",
        **dict.fromkeys(ValueDeclaration.POINT_FIELDS, "on"),
        **overrides,
    }


def test_a_complete_declaration_recorded_in_the_admin_is_signed(client, staff_officer):
    organisation = OrganisationFactory()
    response = client.post(
        reverse("admin:partners_valuedeclaration_add"), declaration_post(organisation)
    )
    assert response.status_code == 302
    declaration = ValueDeclaration.objects.get()
    assert declaration.is_signed
    assert declaration.recorded_by == staff_officer


def test_an_incomplete_declaration_is_kept_and_clearly_marked_incomplete(client, staff_officer):
    organisation = OrganisationFactory()
    data = declaration_post(organisation)
    del data["no_anti_democracy"]
    response = client.post(reverse("admin:partners_valuedeclaration_add"), data, follow=True)
    assert response.status_code == 200
    declaration = ValueDeclaration.objects.get()
    assert not declaration.is_signed
    assert "warning" in [m.level_tag for m in response.context["messages"]]
    listing = client.get(reverse("admin:partners_valuedeclaration_changelist"))
    assert 'alt="False"' in listing.content.decode()


def test_a_scanned_declaration_must_be_a_real_scan(client, staff_officer):
    organisation = OrganisationFactory()
    data = declaration_post(organisation, scanned_file=files.upload("intyg.pdf", files.EXE_BYTES))
    response = client.post(reverse("admin:partners_valuedeclaration_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["scanned_file"]
    assert [e.code for e in errors] == ["mismatch"]
    assert ValueDeclaration.objects.count() == 0


# --- Documents ----------------------------------------------------------------------------


def test_a_document_uploaded_in_the_admin_is_registered_in_its_case(client, staff_officer):
    organisation = OrganisationFactory()
    case = CaseFactory(officer=staff_officer, organisations=[organisation])
    response = client.post(
        reverse("admin:partners_organisationdocument_add"),
        {
            "organisation": organisation.pk,
            "kind": DocumentKind.STATUTES,
            "file": files.upload("stadgar.pdf", files.pdf_bytes()),
            "received_on": "2026-03-02",
            "case": case.pk,
        },
    )
    assert response.status_code == 302
    document = OrganisationDocument.objects.get()
    assert document.registry_number == f"{case.registry_number}-1"
    assert document.uploaded_by == staff_officer
    assert document.received_on == datetime.date(2026, 3, 2)


def test_a_document_needs_a_case_or_a_public_body(client, staff_officer):
    organisation = OrganisationFactory()
    response = client.post(
        reverse("admin:partners_organisationdocument_add"),
        {
            "organisation": organisation.pk,
            "kind": DocumentKind.STATUTES,
            "file": files.upload("stadgar.pdf", files.pdf_bytes()),
            "received_on": "2026-03-02",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()["public_body"]
    assert [e.code for e in errors] == ["required"]
    assert OrganisationDocument.objects.count() == 0


# --- Deleting -----------------------------------------------------------------------------


def test_organisations_declarations_and_documents_cannot_be_deleted(client, superuser):
    organisation = OrganisationFactory(declared=True)
    declaration = organisation.value_declarations.get()
    case = CaseFactory(organisations=[organisation])
    from partners.services import document_register

    document = document_register(
        organisation=organisation,
        actor=superuser,
        kind=DocumentKind.STATUTES,
        file=files.upload("stadgar.pdf", files.pdf_bytes()),
        received_on=datetime.date(2026, 3, 2),
        case=case,
    )
    for name, obj in [
        ("organisation", organisation),
        ("valuedeclaration", declaration),
        ("organisationdocument", document),
    ]:
        url = reverse(f"admin:partners_{name}_delete", args=[obj.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403, name
        assert type(obj).objects.filter(pk=obj.pk).exists()


def test_a_contact_person_can_be_deleted_and_the_deletion_is_recorded(client, superuser):
    contact = ContactPersonFactory(name="Sara Ordförande")
    url = reverse("admin:partners_contactperson_delete", args=[contact.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not ContactPerson.objects.filter(pk=contact.pk).exists()
    deleted = ContactPerson.history.filter(id=contact.pk).latest("history_date")
    assert (deleted.history_type, deleted.history_user, deleted.name) == (
        "-",
        superuser,
        "Sara Ordförande",
    )


def test_an_officer_may_not_delete_a_contact_person(client, staff_officer):
    contact = ContactPersonFactory()
    url = reverse("admin:partners_contactperson_delete", args=[contact.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403


def test_contact_persons_edited_on_the_organisation_are_written_through_the_services(
    client, superuser
):
    organisation = OrganisationFactory()
    old = ContactPersonFactory(organisation=organisation, name="Gammal Kontakt", is_primary=True)
    leaving = ContactPersonFactory(organisation=organisation, name="Slutar Nu", is_primary=False)
    data = {
        "name": organisation.name,
        "org_number": organisation.org_number,
        "legal_form": organisation.legal_form,
        "contacts-TOTAL_FORMS": 3,
        "contacts-INITIAL_FORMS": 2,
        "contacts-0-id": old.pk,
        "contacts-0-organisation": organisation.pk,
        "contacts-0-name": "Gammal Kontakt",
        "contacts-0-is_primary": "on",
        "contacts-1-id": leaving.pk,
        "contacts-1-organisation": organisation.pk,
        "contacts-1-name": "Slutar Nu",
        "contacts-1-DELETE": "on",
        "contacts-2-organisation": organisation.pk,
        "contacts-2-name": "Ny Ordförande",
        "contacts-2-is_primary": "on",
        **{f"{p}-TOTAL_FORMS": 0 for p in ("value_declarations", "documents")},
        **{f"{p}-INITIAL_FORMS": 0 for p in ("value_declarations", "documents")},
    }
    response = client.post(
        reverse("admin:partners_organisation_change", args=[organisation.pk]), data
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    contacts = {c.name: c.is_primary for c in organisation.contacts.all()}
    # The new primary contact unmarks the old one (the service's rule), the leaver is gone.
    assert contacts == {"Gammal Kontakt": False, "Ny Ordförande": True}
    new = ContactPerson.objects.get(name="Ny Ordförande")
    assert new.history.get().history_user == superuser
    assert ContactPerson.history.filter(id=leaving.pk, history_type="-").get().history_user == (
        superuser
    )
