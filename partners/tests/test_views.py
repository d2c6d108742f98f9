"""The organisation screens: who may do what, search, constant queries, and what each
page and form does."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iop.constants import CaseStatus, DocumentKind, LegalForm, Role
from iop.tests.factories import CaseFactory, PublicBodyFactory, UserFactory
from partners.models import ContactPerson, Organisation, OrganisationDocument, ValueDeclaration
from partners.services import document_register
from partners.tests import upload_files as files
from partners.tests.factories import (
    ContactPersonFactory,
    OrganisationFactory,
    ValueDeclarationFactory,
)
from partners.validators import luhn_check_digit

User = get_user_model()

WRITERS = {Role.CASE_OFFICER, Role.COORDINATOR}
ROLES = list(Role)


def _valid_org_number(n: int) -> str:
    nine = f"802{n:06d}"
    return f"{nine}{luhn_check_digit(nine)}"


@pytest.fixture
def organisation(db):
    return OrganisationFactory(
        name="Brottsofferjouren Värmland", org_number="8020023456", city="Karlstad"
    )


@pytest.fixture
def world(organisation):
    """An organisation with one of everything a page or a download needs."""
    uploader = UserFactory(role=Role.CASE_OFFICER, username="uppladdare")
    body = PublicBodyFactory()
    document = document_register(
        organisation=organisation,
        actor=uploader,
        kind=DocumentKind.STATUTES,
        file=files.upload("stadgar.pdf", files.pdf_bytes()),
        received_on=datetime.date(2026, 2, 1),
        year=2024,
        public_body=body,
    )
    declaration = ValueDeclarationFactory(
        organisation=organisation,
        scanned_file=files.upload("intyg.png", files.png_bytes()),
    )
    contact = ContactPersonFactory(organisation=organisation, name="Sara Kontakt")
    return {
        "organisation": organisation,
        "document": document,
        "declaration": declaration,
        "contact": contact,
    }


def _urls(world) -> dict[str, tuple[str, bool]]:
    """name -> (url, whether only case officers and the coordinator may use it)."""
    o = world["organisation"].pk
    return {
        "list": (reverse("partners:list"), False),
        "detail": (reverse("partners:detail", args=[o]), False),
        "create": (reverse("partners:create"), True),
        "update": (reverse("partners:update", args=[o]), True),
        "contact_create": (reverse("partners:contact_create", args=[o]), True),
        "contact_update": (reverse("partners:contact_update", args=[o, world["contact"].pk]), True),
        "document_create": (reverse("partners:document_create", args=[o]), True),
        "document_download": (
            reverse("partners:document_download", args=[o, world["document"].pk]),
            False,
        ),
        "declaration_create": (reverse("partners:declaration_create", args=[o]), True),
        "declaration_pdf_blank": (reverse("partners:declaration_pdf", args=[o]), False),
        "declaration_pdf": (
            reverse("partners:declaration_pdf", args=[o, world["declaration"].pk]),
            False,
        ),
        "declaration_scan": (
            reverse("partners:declaration_scan", args=[o, world["declaration"].pk]),
            False,
        ),
    }


VIEW_NAMES = [
    "list",
    "detail",
    "create",
    "update",
    "contact_create",
    "contact_update",
    "document_create",
    "document_download",
    "declaration_create",
    "declaration_pdf_blank",
    "declaration_pdf",
    "declaration_scan",
]


@pytest.mark.parametrize("name", VIEW_NAMES)
def test_anonymous_is_sent_to_the_login_page(client, world, name):
    url, _ = _urls(world)[name]
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", VIEW_NAMES)
@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_permission_matrix(client, world, make_user, name, role):
    url, writers_only = _urls(world)[name]
    client.force_login(make_user(role))
    response = client.get(url)
    allowed = role in WRITERS or not writers_only
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("name", VIEW_NAMES)
def test_a_user_without_a_role_is_refused(client, world, make_user, name):
    url, _ = _urls(world)[name]
    client.force_login(make_user(None))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", sorted(set(Role) - WRITERS), ids=lambda r: r.name)
def test_a_crafted_post_from_a_reading_role_changes_nothing(client, world, make_user, role):
    client.force_login(make_user(role))
    o = world["organisation"]
    posts = [
        (reverse("partners:create"), {"name": "Ny", "org_number": _valid_org_number(77)}),
        (reverse("partners:update", args=[o.pk]), {"name": "Omdöpt", "org_number": o.org_number}),
        (reverse("partners:contact_create", args=[o.pk]), {"name": "Smygare"}),
        (
            reverse("partners:document_create", args=[o.pk]),
            {"kind": "statutes", "file": files.upload("a.pdf", files.pdf_bytes())},
        ),
        (
            reverse("partners:declaration_create", args=[o.pk]),
            {"signatory_name": "X", "signed_on": "2026-01-01"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert Organisation.objects.count() == 1
    assert Organisation.objects.get().name == "Brottsofferjouren Värmland"
    assert ContactPerson.objects.count() == 1
    assert OrganisationDocument.objects.count() == 1
    assert ValueDeclaration.objects.count() == 1


def test_an_unknown_organisation_is_404(client, officer):
    client.force_login(officer)
    assert client.get(reverse("partners:detail", args=[999999])).status_code == 404
    assert client.get(reverse("partners:update", args=[999999])).status_code == 404


def test_a_document_is_only_reachable_through_its_own_organisation(client, officer, world):
    client.force_login(officer)
    other = OrganisationFactory()
    url = reverse("partners:document_download", args=[other.pk, world["document"].pk])
    assert client.get(url).status_code == 404


# --- List and search ---------------------------------------------------------------------


def _names(response) -> list[str]:
    return [o.name for o in response.context["organisations"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("brottsoffer", ["Brottsofferjouren Värmland"]),
        ("802002-3456", ["Brottsofferjouren Värmland"]),
        ("8020023456", ["Brottsofferjouren Värmland"]),
        ("802002 3456", ["Brottsofferjouren Värmland"]),
        ("0023456", ["Brottsofferjouren Värmland"]),
        ("mora", ["Navet"]),
        ("fritids", ["Fritidsbanken"]),
        ("ingenting sådant", []),
        ("", ["Brottsofferjouren Värmland", "Fritidsbanken", "Navet"]),
    ],
)
def test_search_by_name_org_number_and_city(client, auditor, organisation, query, expected):
    OrganisationFactory(name="Navet", city="Mora", org_number=_valid_org_number(4711))
    OrganisationFactory(name="Fritidsbanken", city="Karlstad", org_number=_valid_org_number(4712))
    client.force_login(auditor)
    response = client.get(reverse("partners:list"), {"q": query})
    assert response.status_code == 200
    assert _names(response) == expected


def test_the_list_is_paginated_and_keeps_the_search(client, auditor):
    for n in range(30):
        OrganisationFactory(name=f"Förening {n:02d}", org_number=_valid_org_number(1000 + n))
    client.force_login(auditor)
    response = client.get(reverse("partners:list"), {"q": "förening", "page": 2})
    assert _names(response) == [f"Förening {n:02d}" for n in range(25, 30)]
    assert response.context["page_obj"].paginator.count == 30
    assert "q=f%C3%B6rening&amp;page=1" in response.content.decode()


def test_the_list_shows_the_case_count_and_whether_the_declaration_is_signed(client, auditor):
    signed = OrganisationFactory(name="A-föreningen", declared=True)
    incomplete = OrganisationFactory(name="B-föreningen")
    ValueDeclarationFactory(organisation=incomplete, no_anti_democracy=False)
    CaseFactory(organisations=[signed])
    CaseFactory(organisations=[signed, incomplete])
    client.force_login(auditor)
    rows = {o.name: o for o in client.get(reverse("partners:list")).context["organisations"]}
    assert (rows["A-föreningen"].case_count, rows["A-föreningen"].has_signed_declaration) == (
        2,
        True,
    )
    assert (rows["B-föreningen"].case_count, rows["B-föreningen"].has_signed_declaration) == (
        1,
        False,
    )


def _populate(n: int) -> None:
    for i in range(n):
        organisation = OrganisationFactory(org_number=_valid_org_number(5000 + i))
        ValueDeclarationFactory(organisation=organisation)
    CaseFactory.create_batch(2, organisations=list(Organisation.objects.all()[:3]))


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_makes_the_same_number_of_queries_for_1_and_50_rows(client, auditor):
    client.force_login(auditor)
    _populate(1)
    one = _count_queries(client, reverse("partners:list") + "?per_page=50")
    _populate(49)
    fifty = _count_queries(client, reverse("partners:list") + "?per_page=50")
    assert fifty == one
    assert one <= 15  # session, user, permissions, the page; whatever the layout adds


def test_the_organisation_page_makes_the_same_number_of_queries_for_1_and_50_of_everything(
    client, officer
):
    organisation = OrganisationFactory()
    body = PublicBodyFactory()
    client.force_login(officer)

    def add(n):
        for _ in range(n):
            uploader = UserFactory(role=Role.CASE_OFFICER)
            case = CaseFactory(organisations=[organisation], officer=uploader)
            document_register(
                organisation=organisation,
                actor=uploader,
                kind=DocumentKind.AUDITOR_REPORT,
                file=files.upload("r.pdf", files.pdf_bytes()),
                received_on=datetime.date(2026, 1, 2),
                case=case if n % 2 else None,
                public_body=body,
            )
            ContactPersonFactory(organisation=organisation, is_primary=False)
            ValueDeclarationFactory(organisation=organisation, recorded_by=uploader)

    url = reverse("partners:detail", args=[organisation.pk])
    add(1)
    one = _count_queries(client, url)
    add(49)
    fifty = _count_queries(client, url)
    assert fifty == one
    assert one <= 15


# --- The organisation page ---------------------------------------------------------------


def test_the_page_shows_cases_contacts_documents_and_declarations(client, jurist, world):
    organisation = world["organisation"]
    case = CaseFactory(organisations=[organisation], status=CaseStatus.PREPARATION)
    CaseFactory()  # someone else's
    client.force_login(jurist)
    response = client.get(reverse("partners:detail", args=[organisation.pk]))
    page = response.context["page"]
    assert page.cases == [case]
    assert [c.name for c in page.contacts] == ["Sara Kontakt"]
    assert page.documents == [world["document"]]
    assert page.declarations == [world["declaration"]]
    html = response.content.decode()
    assert f'href="{case.get_absolute_url()}"' in html
    document = world["document"]
    assert document.registry_number in html
    assert reverse("partners:document_download", args=[organisation.pk, document.pk]) in html
    assert "uppladdare" in html or document.uploaded_by.get_full_name() in html
    assert "2026-02-01" in html
    assert (
        reverse("partners:declaration_pdf", args=[organisation.pk, world["declaration"].pk]) in html
    )
    # A reading role sees no buttons for changes.
    for element in ("edit-organisation", "add-contact", "add-document", "add-declaration"):
        assert f'id="{element}"' not in html


def test_an_officer_sees_the_buttons_for_changes(client, officer, world):
    client.force_login(officer)
    html = client.get(reverse("partners:detail", args=[world["organisation"].pk])).content.decode()
    for element in ("edit-organisation", "add-contact", "add-document", "add-declaration"):
        assert f'id="{element}"' in html


def test_the_page_lists_which_requested_documents_are_missing(client, auditor, world):
    client.force_login(auditor)
    page = client.get(reverse("partners:detail", args=[world["organisation"].pk])).context["page"]
    received = {str(label): document for label, document in page.requested_documents}
    assert received[str(DocumentKind.STATUTES.label)] == world["document"]
    assert received[str(DocumentKind.AUDITOR_REPORT.label)] is None
    assert len(received) == len(DocumentKind) - 1  # all but "other"


# --- Create and edit ----------------------------------------------------------------------


def test_an_officer_registers_an_organisation(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("partners:create"),
        {
            "name": "Afasiföreningen i Värmland",
            "org_number": "802002-3456",
            "legal_form": LegalForm.NON_PROFIT_ASSOCIATION,
            "city": "Karlstad",
            "member_count": "120",
        },
    )
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("partners:detail", args=[organisation.pk])
    assert organisation.org_number == "8020023456"
    assert organisation.member_count == 120
    assert organisation.history.get().history_user == officer


def test_a_wrong_check_digit_is_refused_and_the_typed_values_kept(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("partners:create"),
        {
            "name": "Föreningen Fel",
            "org_number": "802002-3457",
            "city": "Arvika",
            "legal_form": LegalForm.NON_PROFIT_ASSOCIATION,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "check_digit" in [e.code for e in form.errors.as_data()["org_number"]]
    assert Organisation.objects.count() == 0
    html = response.content.decode()
    assert 'value="Föreningen Fel"' in html and 'value="Arvika"' in html and "802002-3457" in html


def test_an_empty_form_is_refused(client, officer):
    client.force_login(officer)
    response = client.post(reverse("partners:create"), {})
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["name"]] == ["required"]
    assert [e.code for e in errors["org_number"]] == ["required"]
    assert Organisation.objects.count() == 0


def test_an_org_number_already_registered_is_refused(client, officer, organisation):
    client.force_login(officer)
    response = client.post(
        reverse("partners:create"),
        {
            "name": "Dubblett",
            "org_number": "8020023456",
            "legal_form": LegalForm.NON_PROFIT_ASSOCIATION,
        },
    )
    assert response.status_code == 200
    assert "org_number" in response.context["form"].errors
    assert Organisation.objects.count() == 1


def test_the_coordinator_edits_an_organisation(client, coordinator, organisation):
    client.force_login(coordinator)
    response = client.post(
        reverse("partners:update", args=[organisation.pk]),
        {
            "name": "Brottsofferjouren Värmland",
            "org_number": "802002-3456",
            "legal_form": LegalForm.NON_PROFIT_ASSOCIATION,
            "city": "Arvika",
        },
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.city == "Arvika"
    assert organisation.history.first().history_user == coordinator


def test_contact_persons_are_added_and_edited_with_one_primary(client, officer, organisation):
    first = ContactPersonFactory(organisation=organisation, name="Första", is_primary=True)
    client.force_login(officer)
    response = client.post(
        reverse("partners:contact_create", args=[organisation.pk]),
        {"name": "Andra", "title": "Kassör", "email": "kassor@example.se", "is_primary": "on"},
    )
    assert response.status_code == 302
    second = ContactPerson.objects.get(name="Andra")
    first.refresh_from_db()
    assert (second.is_primary, first.is_primary) == (True, False)
    response = client.post(
        reverse("partners:contact_update", args=[organisation.pk, first.pk]),
        {"name": "Första Person", "title": "Ordförande", "is_primary": "on"},
    )
    assert response.status_code == 302
    assert {c.name: c.is_primary for c in ContactPerson.objects.all()} == {
        "Första Person": True,
        "Andra": False,
    }


def test_a_contact_of_another_organisation_is_404(client, officer, organisation):
    contact = ContactPersonFactory()
    client.force_login(officer)
    url = reverse("partners:contact_update", args=[organisation.pk, contact.pk])
    assert client.get(url).status_code == 404


# --- Value declarations -------------------------------------------------------------------


def _declaration_data(**overrides):
    return {
        "signatory_name": "Sara Ordförande",
        "signatory_title": "Ordförande",
        "signed_on": "2026-01-15",
        **dict.fromkeys(ValueDeclaration.POINT_FIELDS, "on"),
        **overrides,
    }


def test_an_officer_records_a_signed_declaration_with_its_scan(client, officer, organisation):
    client.force_login(officer)
    data = _declaration_data(scanned_file=files.upload("intyg.pdf", files.pdf_bytes()))
    response = client.post(reverse("partners:declaration_create", args=[organisation.pk]), data)
    assert response.status_code == 302
    declaration = ValueDeclaration.objects.get()
    assert declaration.is_signed
    assert declaration.recorded_by == officer
    assert declaration.signed_on == datetime.date(2026, 1, 15)
    assert declaration.scanned_file.read() == files.pdf_bytes()
    assert organisation.has_signed_value_declaration()


def test_a_declaration_with_a_point_unconfirmed_is_kept_as_incomplete(
    client, officer, organisation
):
    client.force_login(officer)
    data = _declaration_data()
    del data["no_discrimination"]
    response = client.post(
        reverse("partners:declaration_create", args=[organisation.pk]), data, follow=True
    )
    declaration = ValueDeclaration.objects.get()
    assert not declaration.is_signed
    assert not organisation.has_signed_value_declaration()
    assert response.context["page"].has_signed_declaration is False


def test_a_declaration_without_signatory_and_date_is_refused(client, officer, organisation):
    client.force_login(officer)
    data = _declaration_data(signatory_name="", signed_on="")
    response = client.post(reverse("partners:declaration_create", args=[organisation.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"signatory_name", "signed_on"} <= set(errors)
    assert response.context["form"]["signatory_title"].value() == "Ordförande"
    assert ValueDeclaration.objects.count() == 0


# --- Downloads ----------------------------------------------------------------------------


def test_a_document_is_downloaded_with_its_type_and_name(client, secretary, world):
    client.force_login(secretary)
    document = world["document"]
    response = client.get(
        reverse("partners:document_download", args=[world["organisation"].pk, document.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    number = document.registry_number.replace("/", "-")  # "RV 2026-00001-1"
    name = f"{number} {document.get_kind_display()}.pdf"
    # Plain when the name is ASCII, RFC 5987-encoded when it has å, ä, ö.
    assert f'filename="{name}"' in disposition or f"filename*=utf-8''{quote(name)}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == files.pdf_bytes()


def test_the_scanned_declaration_is_downloaded_as_an_image(client, auditor, world):
    client.force_login(auditor)
    response = client.get(
        reverse(
            "partners:declaration_scan", args=[world["organisation"].pk, world["declaration"].pk]
        )
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith(".png")
    assert b"".join(response.streaming_content) == files.png_bytes()


def test_a_declaration_without_a_scan_has_nothing_to_download(client, auditor, organisation):
    declaration = ValueDeclarationFactory(organisation=organisation)
    client.force_login(auditor)
    url = reverse("partners:declaration_scan", args=[organisation.pk, declaration.pk])
    assert client.get(url).status_code == 404


def test_organisation_get_absolute_url_is_its_page(organisation):
    assert organisation.get_absolute_url() == f"/organisationer/{organisation.pk}/"
