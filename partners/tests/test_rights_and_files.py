"""Regressions: who may register an organisation's document in a case (only someone who may
change the case), the admin's organisation and value-declaration pages for the reading roles,
and stored files served only through checked views."""

from __future__ import annotations

import datetime

import pytest

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from iop.constants import DocumentKind, Role
from iop.tests.factories import CaseFactory, PublicBodyFactory, UserFactory
from partners.models import OrganisationDocument
from partners.services import document_register
from partners.tests import upload_files as files
from partners.tests.factories import OrganisationFactory, ValueDeclarationFactory

pytestmark = pytest.mark.django_db

READING_ROLES = [Role.JURIST, Role.SECRETARY, Role.FINANCE, Role.AUDITOR]


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def others_case(organisation):
    """The organisation's case, handled by another case officer."""
    return CaseFactory(organisations=[organisation], officer=UserFactory(role=Role.CASE_OFFICER))


def register(organisation, actor, **kwargs):
    return document_register(
        organisation=organisation,
        actor=actor,
        kind=DocumentKind.STATUTES,
        file=files.upload("stadgar.pdf", files.pdf_bytes()),
        received_on=datetime.date(2026, 3, 2),
        **kwargs,
    )


# --- Registering in a case the user may not change ----------------------------------------


def test_the_service_refuses_an_officer_who_does_not_handle_the_case(
    officer, organisation, others_case
):
    with pytest.raises(PermissionDenied):
        register(organisation, officer, case=others_case)
    assert OrganisationDocument.objects.count() == 0


def test_the_substitute_and_the_coordinator_register_in_the_case(
    officer, coordinator, organisation, others_case
):
    others_case.substitute = officer
    others_case.save()
    numbers = [
        register(organisation, officer, case=others_case).registry_number,
        register(organisation, coordinator, case=others_case).registry_number,
    ]
    assert numbers == [f"{others_case.registry_number}-{n}" for n in (1, 2)]


def test_the_form_offers_only_the_cases_the_officer_handles_and_refuses_another(
    client, officer, organisation, others_case
):
    own = CaseFactory(organisations=[organisation], officer=officer)
    client.force_login(officer)
    url = reverse("partners:document_create", args=[organisation.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["case"].queryset) == [own]
    assert form.fields["case"].initial == own.pk

    response = client.post(
        url,
        {
            "kind": DocumentKind.STATUTES,
            "received_on": "2026-03-02",
            "case": others_case.pk,
            "file": files.upload("stadgar.pdf", files.pdf_bytes()),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["case"] == [
        "Du får inte registrera handlingar i det ärendet: välj ett av ärendena i listan."
    ]
    assert OrganisationDocument.objects.count() == 0


def test_the_admin_refuses_a_case_the_officer_does_not_handle(
    client, make_user, organisation, others_case
):
    officer = make_user(Role.CASE_OFFICER, username="anna", is_staff=True)
    client.force_login(officer)
    response = client.post(
        reverse("admin:partners_organisationdocument_add"),
        {
            "organisation": organisation.pk,
            "kind": DocumentKind.STATUTES,
            "file": files.upload("stadgar.pdf", files.pdf_bytes()),
            "received_on": "2026-03-02",
            "case": others_case.pk,
        },
    )
    assert response.status_code == 200
    assert "case" in response.context["adminform"].form.errors
    assert OrganisationDocument.objects.count() == 0


# --- The admin's pages for the reading roles -----------------------------------------------


@pytest.mark.parametrize("role", READING_ROLES)
def test_a_reading_role_opens_the_organisation_and_the_declaration_in_the_admin(
    client, make_user, role
):
    declaration = ValueDeclarationFactory(scanned_file=files.upload("intyg.png", files.png_bytes()))
    client.force_login(make_user(role, is_staff=True))
    for url in (
        reverse("admin:partners_organisation_change", args=[declaration.organisation.pk]),
        reverse("admin:partners_valuedeclaration_change", args=[declaration.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        # Read-only: nothing to save.
        assert 'name="_save"' not in response.content.decode(), url


def test_an_officer_opens_the_declaration_in_the_admin(client, make_user):
    declaration = ValueDeclarationFactory()
    client.force_login(make_user(Role.CASE_OFFICER, is_staff=True))
    url = reverse("admin:partners_valuedeclaration_change", args=[declaration.pk])
    assert client.get(url).status_code == 200


# --- Stored files, only through checked views ------------------------------------------------


@pytest.fixture
def stored(organisation, officer):
    document = register(organisation, officer, public_body=PublicBodyFactory())
    declaration = ValueDeclarationFactory(
        organisation=organisation, scanned_file=files.upload("intyg.png", files.png_bytes())
    )
    return {"document": document.file, "declaration": declaration.scanned_file}


@pytest.mark.parametrize("which", ["document", "declaration"])
@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_downloads_a_stored_file_at_its_url(
    client, make_user, stored, which, role
):
    client.force_login(make_user(role))
    response = client.get(stored[which].url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("which", ["document", "declaration"])
def test_a_user_without_a_role_is_refused_a_stored_file(client, make_user, stored, which):
    client.force_login(make_user(None))
    assert client.get(stored[which].url).status_code == 403


@pytest.mark.parametrize("which", ["document", "declaration"])
def test_an_anonymous_visitor_is_sent_to_log_in(client, stored, which):
    response = client.get(stored[which].url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_unknown_stored_file_is_not_found(client, auditor, stored):
    client.force_login(auditor)
    assert client.get(reverse("stored_file", args=["organisations/1/x.pdf"])).status_code == 404


def test_the_storage_directory_is_not_served(client, auditor, stored, settings):
    client.force_login(auditor)
    assert settings.MEDIA_URL == "/filer/"
    assert stored["document"].url.startswith("/filer/")
    assert client.get("/media/" + stored["document"].name).status_code == 404


def test_the_named_downloads_send_nosniff(client, auditor, organisation, stored):
    client.force_login(auditor)
    document = OrganisationDocument.objects.get()
    response = client.get(
        reverse("partners:document_download", args=[organisation.pk, document.pk])
    )
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
