"""Documents registered in a case: the service (numbers shared with the organisation's
documents, direction, who, the timeline), its screens, the checked download, and the close
transition that waits for a registered wind-down plan."""

from __future__ import annotations

import datetime

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from iop.constants import CaseEventKind, CaseStatus, DocumentDirection, DocumentKind, Role
from iop.exceptions import TransitionRefused
from iop.models import CaseDocument, CaseEvent
from iop.services import case_document_register, case_transition
from iop.tests.factories import CaseDocumentFactory, CaseFactory, UserFactory
from partners.services import document_register
from partners.tests import upload_files as files

pytestmark = pytest.mark.django_db

WIND_DOWN = CaseDocument.Kind.WIND_DOWN_PLAN


@pytest.fixture
def case(officer):
    return CaseFactory(officer=officer, status=CaseStatus.WINDING_DOWN)


def register(case, actor, **kwargs):
    kwargs.setdefault("kind", WIND_DOWN)
    kwargs.setdefault("title", "Avvecklingsplan")
    kwargs.setdefault("file", files.upload("plan.pdf", files.pdf_bytes()))
    return case_document_register(actor=actor, case=case, **kwargs)


def form_data(**overrides) -> dict:
    return {
        "kind": WIND_DOWN,
        "title": "Avvecklingsplan",
        "file": files.upload("plan.pdf", files.pdf_bytes()),
        "received_on": "2026-03-02",
        "direction": DocumentDirection.INCOMING,
        "counterpart": "Föreningens styrelse",
        **overrides,
    }


# --- The service ------------------------------------------------------------------------------


def test_a_document_is_registered_with_the_case_number_direction_counterpart_and_who(case, officer):
    document = register(
        case,
        officer,
        direction=DocumentDirection.INCOMING,
        counterpart="Föreningens styrelse",
        received_on=datetime.date(2026, 3, 2),
    )
    assert document.registry_number == f"{case.registry_number}-1"
    assert (document.direction, document.counterpart, document.uploaded_by) == (
        DocumentDirection.INCOMING,
        "Föreningens styrelse",
        officer,
    )
    assert document.history.get().history_user == officer
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.DOCUMENT)
    assert (event.actor, event.note) == (officer, f"{document.registry_number} Avvecklingsplan")


def test_case_and_organisation_documents_share_the_numbers_of_the_case(case, officer):
    organisation = case.organisations.get()
    first = register(case, officer, kind=CaseDocument.Kind.NOTICE_LETTER, title="Uppsägning")
    statutes = document_register(
        organisation=organisation,
        actor=officer,
        kind=DocumentKind.STATUTES,
        file=files.upload("stadgar.pdf", files.pdf_bytes()),
        received_on=datetime.date(2026, 3, 2),
        case=case,
    )
    plan = register(case, officer, direction=DocumentDirection.DRAWN_UP)
    assert [first.registry_number, statutes.registry_number, plan.registry_number] == [
        f"{case.registry_number}-{n}" for n in (1, 2, 3)
    ]


@pytest.mark.parametrize("who", ["other officer", "jurist", "no role"])
def test_only_who_may_change_the_case_registers_in_it(case, who):
    actor = {
        "other officer": lambda: UserFactory(role=Role.CASE_OFFICER),
        "jurist": lambda: UserFactory(role=Role.JURIST),
        "no role": lambda: UserFactory(),
    }[who]()
    with pytest.raises(PermissionDenied):
        register(case, actor)
    assert not CaseDocument.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEventKind.DOCUMENT).exists()


def test_the_substitute_and_the_coordinator_register(case, coordinator):
    case.substitute = UserFactory(role=Role.CASE_OFFICER)
    case.save()
    assert register(case, case.substitute).document_serial == 1
    assert register(case, coordinator).document_serial == 2


def test_a_refused_file_uses_up_no_number(case, officer):
    with pytest.raises(ValidationError):
        register(case, officer, file=files.upload("plan.pdf", files.EXE_BYTES))
    assert register(case, officer).registry_number == f"{case.registry_number}-1"


def test_the_case_closes_once_the_wind_down_plan_is_registered_through_the_service(case, officer):
    register(case, officer, kind=CaseDocument.Kind.MEETING_NOTES, title="Minnesanteckningar")
    with pytest.raises(TransitionRefused):
        case_transition(case=case, name="close", actor=officer)
    register(case, officer)
    case = case_transition(case=case, name="close", actor=officer)
    assert case.status == CaseStatus.CLOSED


def test_the_factory_still_makes_a_document_without_a_number(case):
    document = CaseDocumentFactory(case=case, kind=WIND_DOWN)
    assert document.registry_number == "" and document.document_serial is None
    assert case.wind_down_plan_registered()


# --- The screens ------------------------------------------------------------------------------


def create_url(case):
    return reverse("cases:document_create", args=[case.pk])


def list_url(case):
    return reverse("cases:documents", args=[case.pk])


def test_the_officer_registers_a_document_on_the_case_screen(client, case, officer):
    client.force_login(officer)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'href="{create_url(case)}"' in page and f'href="{list_url(case)}"' in page
    assert client.get(create_url(case)).status_code == 200
    response = client.post(create_url(case), form_data(direction=DocumentDirection.OUTGOING))
    assert response.status_code == 302 and response.url == list_url(case)
    document = CaseDocument.objects.get()
    assert (document.registry_number, document.direction, document.uploaded_by) == (
        f"{case.registry_number}-1",
        DocumentDirection.OUTGOING,
        officer,
    )
    listing = client.get(list_url(case)).content.decode()
    assert document.registry_number in listing and "Utgående" in listing
    assert reverse("cases:document_download", args=[case.pk, document.pk]) in listing


def test_a_program_renamed_to_pdf_is_refused_by_its_content(client, case, officer):
    client.force_login(officer)
    response = client.post(create_url(case), form_data(file=files.upload("p.pdf", files.EXE_BYTES)))
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not CaseDocument.objects.exists()


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.JURIST, Role.AUDITOR, None])
def test_who_may_not_change_the_case_gets_403_on_the_form(client, case, make_user, role):
    client.force_login(make_user(role))
    assert client.get(create_url(case)).status_code == 403
    assert client.post(create_url(case), form_data()).status_code == 403
    assert not CaseDocument.objects.exists()


def test_a_reading_role_sees_the_list_without_the_register_button(client, case, officer, auditor):
    register(case, officer)
    client.force_login(auditor)
    assert 'id="register-case-document"' not in client.get(list_url(case)).content.decode()
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="case-documents-link"' in page and 'id="register-case-document"' not in page


# --- Downloads: every stored file through a checked view --------------------------------------


@pytest.fixture
def document(case, officer):
    return register(case, officer)


def download_url(document):
    return reverse("cases:document_download", args=[document.case_id, document.pk])


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_downloads_a_case_document(client, make_user, document, role):
    client.force_login(make_user(role))
    for url in (download_url(document), document.file.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_download_is_named_by_the_registry_number(client, auditor, document):
    client.force_login(auditor)
    disposition = client.get(download_url(document)).headers["Content-Disposition"]
    assert document.registry_number.replace("/", "-") in disposition


def test_a_user_without_a_role_may_not_download(client, make_user, document):
    client.force_login(make_user(None))
    assert client.get(download_url(document)).status_code == 403
    assert client.get(document.file.url).status_code == 403
    assert client.get(list_url(document.case)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, document):
    for url in (download_url(document), document.file.url):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_unknown_document_is_not_found(client, auditor, document):
    client.force_login(auditor)
    other_case = CaseFactory()
    assert (
        client.get(
            reverse("cases:document_download", args=[other_case.pk, document.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("cases:document_download", args=[document.case_id, 999])).status_code
        == 404
    )
    assert client.get(reverse("stored_file", args=["cases/1/other/x.pdf"])).status_code == 404


def test_no_settings_serve_the_storage_directory(client, auditor, document, settings):
    client.force_login(auditor)
    assert not document.file.url.startswith("/media/")
    assert client.get("/media/" + document.file.name).status_code == 404


# --- The admin registers through the service --------------------------------------------------


def test_a_document_added_in_the_admin_is_registered(client, make_user, case):
    officer = make_user(Role.CASE_OFFICER, is_staff=True)
    case.officer = officer
    case.save()
    client.force_login(officer)
    response = client.post(
        reverse("admin:iop_casedocument_add"),
        {**form_data(), "case": case.pk},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    document = CaseDocument.objects.get()
    assert (document.registry_number, document.uploaded_by) == (
        f"{case.registry_number}-1",
        officer,
    )
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.DOCUMENT).count() == 1


def test_the_admin_offers_no_case_the_officer_does_not_handle(client, make_user, case):
    client.force_login(make_user(Role.CASE_OFFICER, is_staff=True))
    response = client.post(reverse("admin:iop_casedocument_add"), {**form_data(), "case": case.pk})
    assert response.status_code == 200
    assert "case" in response.context["adminform"].form.errors
    assert not CaseDocument.objects.exists()
