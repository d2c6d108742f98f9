"""The registry (diariet): one register for every document of a case — its numbers (shared by
the case's own documents and the organisation's, with no gaps), a rolled-back registration
that leaves nothing, the case's timeline, the migration of what was registered before, the
register pages (filters, search, sort, export), who may read them, constant query counts,
and the read-only admin."""

from __future__ import annotations

import csv
import datetime
import importlib
import io

import openpyxl
import pytest

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iop.constants import CaseEventKind, CaseStatus, DocumentDirection, DocumentKind, Role
from iop.diarium import document_kinds
from iop.models import CaseDocument, CaseEvent, RegistryEntry
from iop.services import case_document_register
from iop.services.diarium import diarium_register
from iop.tests.factories import (
    CaseDocumentFactory,
    CaseFactory,
    CommitteeFactory,
    PublicBodyFactory,
)
from partners.models import OrganisationDocument
from partners.services import document_register, document_update
from partners.tests import upload_files as files
from partners.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("registry:list")
EXPORT_URL = reverse("registry:export")
MIGRATION = importlib.import_module("iop.migrations.0009_registry_entries_from_documents")


@pytest.fixture(autouse=True)
def fresh_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def case(officer):
    return CaseFactory(officer=officer, status=CaseStatus.ACTIVE)


def register_case_document(case, actor, **kwargs):
    kwargs.setdefault("kind", CaseDocument.Kind.NOTICE_LETTER)
    kwargs.setdefault("title", "Uppsägning av avtalet")
    kwargs.setdefault("file", files.upload("brev.pdf", files.pdf_bytes()))
    kwargs.setdefault("direction", DocumentDirection.OUTGOING)
    kwargs.setdefault("counterpart", "Föreningens styrelse")
    return case_document_register(actor=actor, case=case, **kwargs)


def register_organisation_document(case, actor, **kwargs):
    kwargs.setdefault("kind", DocumentKind.FINANCIAL_REPORT)
    kwargs.setdefault("file", files.upload("arsredovisning.pdf", files.pdf_bytes()))
    kwargs.setdefault("received_on", datetime.date(2026, 3, 2))
    organisation = kwargs.pop("organisation", None) or case.organisations.get()
    return document_register(organisation=organisation, actor=actor, case=case, **kwargs)


def entry_of(document) -> RegistryEntry:
    return RegistryEntry.objects.get(
        content_type=ContentType.objects.get_for_model(document), object_id=document.pk
    )


# --- One register, one series of numbers per case ------------------------------------------


def test_both_kinds_of_document_are_numbered_in_one_series_per_case_without_gaps(case, officer):
    notice = register_case_document(case, officer)
    report = register_organisation_document(case, officer, year=2025, description="Bokslut")
    plan = register_case_document(
        case, officer, kind=CaseDocument.Kind.WIND_DOWN_PLAN, title="Avvecklingsplan"
    )
    other_case = CaseFactory(officer=officer, committee=case.committee)
    elsewhere = register_case_document(other_case, officer)

    entries = list(RegistryEntry.objects.filter(case=case).order_by("serial"))
    assert [e.serial for e in entries] == [1, 2, 3]
    assert [e.number for e in entries] == [f"{case.registry_number}-{n}" for n in (1, 2, 3)]
    # The documents keep a copy of their line's number.
    assert [notice.registry_number, report.registry_number, plan.registry_number] == [
        e.number for e in entries
    ]
    assert (report.matter_number, report.document_serial) == (case.registry_number, 2)
    assert [e.document for e in entries] == [notice, report, plan]
    assert entry_of(elsewhere).number == f"{other_case.registry_number}-1"


def test_a_line_says_what_came_in_or_went_out_from_or_to_whom_and_who_registered(case, officer):
    notice = register_case_document(case, officer, received_on=datetime.date(2026, 4, 1))
    report = register_organisation_document(case, officer, year=2025, description="Bokslut")
    line = entry_of(notice)
    assert (line.kind, line.description, line.direction, line.counterpart) == (
        "iop.notice_letter",
        "Uppsägning av avtalet",
        DocumentDirection.OUTGOING,
        "Föreningens styrelse",
    )
    assert (line.registered_on, line.registered_by) == (datetime.date(2026, 4, 1), officer)
    line = entry_of(report)
    assert (line.kind, line.direction, line.counterpart, line.registered_on) == (
        "partners.financial_report",
        DocumentDirection.INCOMING,
        report.organisation.name,
        datetime.date(2026, 3, 2),
    )
    assert line.description == f"{DocumentKind.FINANCIAL_REPORT.label} 2025 – Bokslut"
    assert line.kind_label == str(DocumentKind.FINANCIAL_REPORT.label)
    assert line.history.get(history_type="+").history_user == officer


def test_an_organisation_document_registered_in_a_case_writes_a_case_event(case, officer):
    report = register_organisation_document(case, officer, year=2025)
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.DOCUMENT)
    assert event.actor == officer
    assert event.note.startswith(f"{report.registry_number} ")


def test_a_case_less_organisation_document_stays_in_its_own_file_and_out_of_the_register(
    officer,
):
    document = document_register(
        organisation=OrganisationFactory(),
        actor=officer,
        kind=DocumentKind.STATUTES,
        file=files.upload("stadgar.pdf", files.pdf_bytes()),
        received_on=datetime.date(2026, 3, 2),
        public_body=PublicBodyFactory(),
    )
    assert document.registry_number.endswith("-1")
    assert not RegistryEntry.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEventKind.DOCUMENT).exists()


def test_a_case_document_that_fails_after_its_line_was_drawn_leaves_no_line(case, officer):
    with pytest.raises(ValidationError):
        register_case_document(case, officer, title="x" * 301)  # longer than the title may be
    assert not RegistryEntry.objects.exists()
    assert not CaseDocument.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEventKind.DOCUMENT).exists()
    assert register_case_document(case, officer).registry_number == f"{case.registry_number}-1"


def test_an_organisation_document_that_fails_after_its_line_was_drawn_leaves_no_line(case, officer):
    with pytest.raises(ValidationError):
        register_organisation_document(case, officer, description="x" * 301)
    assert not RegistryEntry.objects.exists()
    assert not OrganisationDocument.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEventKind.DOCUMENT).exists()
    document = register_organisation_document(case, officer)
    assert document.registry_number == f"{case.registry_number}-1"


def test_a_corrected_organisation_document_corrects_its_line(case, officer):
    report = register_organisation_document(case, officer, year=2025)
    document_update(
        document=report,
        actor=officer,
        kind=DocumentKind.AUDITOR_REPORT,
        year=2024,
        received_on=datetime.date(2026, 3, 1),
    )
    line = entry_of(report)
    assert (line.number, line.kind, line.registered_on) == (
        report.registry_number,
        "partners.auditor_report",
        datetime.date(2026, 3, 1),
    )
    assert line.description == f"{DocumentKind.AUDITOR_REPORT.label} 2024"
    assert line.history.first().history_user == officer


def test_the_apps_kinds_are_named_for_the_register():
    kinds = document_kinds()
    assert str(kinds["iop.wind_down_plan"]) == str(CaseDocument.Kind.WIND_DOWN_PLAN.label)
    assert str(kinds["partners.statutes"]) == str(DocumentKind.STATUTES.label)


# --- The migration of what was registered before the register ------------------------------


def test_the_migration_gives_every_registered_document_its_line(case, officer):
    plan = CaseDocumentFactory(
        case=case,
        kind=CaseDocument.Kind.WIND_DOWN_PLAN,
        title="Avvecklingsplan",
        document_serial=1,
        registry_number=f"{case.registry_number}-1",
        direction=DocumentDirection.INCOMING,
        counterpart="Föreningen",
        received_on=datetime.date(2026, 2, 1),
        uploaded_by=officer,
    )
    statutes = OrganisationDocument.objects.create(
        organisation=case.organisations.get(),
        kind=DocumentKind.STATUTES,
        file=files.upload("stadgar.pdf", files.pdf_bytes()),
        received_on=datetime.date(2026, 2, 3),
        year=2024,
        case=case,
        public_body=case.public_body,
        matter_number=case.registry_number,
        document_serial=2,
        registry_number=f"{case.registry_number}-2",
        uploaded_by=officer,
    )
    CaseDocumentFactory(case=case)  # never registered: no number, no line
    OrganisationDocument.objects.create(  # registered in the organisation's own file
        organisation=case.organisations.get(),
        kind=DocumentKind.OTHER,
        file=files.upload("annat.pdf", files.pdf_bytes()),
        received_on=datetime.date(2026, 2, 3),
        public_body=case.public_body,
        matter_number="RV 2026/09999",
        document_serial=1,
        registry_number="RV 2026/09999-1",
    )

    MIGRATION.create_registry_entries(django_apps, None)

    lines = list(RegistryEntry.objects.order_by("serial"))
    assert [(e.case, e.serial, e.number) for e in lines] == [
        (case, 1, plan.registry_number),
        (case, 2, statutes.registry_number),
    ]
    first, second = lines
    assert (first.document, first.kind, first.description, first.registered_on) == (
        plan,
        "iop.wind_down_plan",
        "Avvecklingsplan",
        datetime.date(2026, 2, 1),
    )
    assert (first.direction, first.counterpart, first.registered_by) == (
        DocumentDirection.INCOMING,
        "Föreningen",
        officer,
    )
    assert (second.document, second.kind, second.direction, second.counterpart) == (
        statutes,
        "partners.statutes",
        DocumentDirection.INCOMING,
        statutes.organisation.name,
    )
    assert second.description == f"{DocumentKind.STATUTES.label} 2024"
    assert second.history.get().history_user == officer

    # Run again: nothing more; and the next registration continues the series.
    MIGRATION.create_registry_entries(django_apps, None)
    assert RegistryEntry.objects.count() == 2
    assert register_case_document(case, officer).registry_number == f"{case.registry_number}-3"


def test_the_migration_can_be_reversed(case, officer):
    CaseDocumentFactory(case=case, document_serial=1, registry_number=f"{case.registry_number}-1")
    MIGRATION.create_registry_entries(django_apps, None)
    MIGRATION.remove_registry_entries(django_apps, None)
    assert not RegistryEntry.objects.exists()


# --- The register pages ----------------------------------------------------------------------


def numbers(response) -> list[str]:
    return [e.number for e in response.context["entries"]]


def get(client, user, url=LIST_URL, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response


@pytest.fixture
def registry(db, officer):
    """Two public bodies, two committees, four lines of three kinds and all directions."""
    region = PublicBodyFactory(name="Region Värmland", short_code="RV")
    town = PublicBodyFactory(name="Karlstads kommun", short_code="KK")
    kbn = CommitteeFactory(public_body=region, name="Kultur- och bildningsnämnden")
    sn = CommitteeFactory(public_body=town, name="Socialnämnden")
    brottsoffer = OrganisationFactory(name="Brottsofferjouren Värmland")
    culture = CaseFactory(officer=officer, committee=kbn, organisations=[brottsoffer])
    social = CaseFactory(officer=officer, committee=sn)
    lines = {
        "notice": register_case_document(
            culture,
            officer,
            counterpart="Brottsofferjouren",
            received_on=datetime.date(2026, 1, 10),
        ),
        "report": register_organisation_document(
            culture,
            officer,
            description="Verksamhetsåret 2025",
            received_on=datetime.date(2026, 2, 1),
        ),
        "plan": register_case_document(
            social,
            officer,
            kind=CaseDocument.Kind.WIND_DOWN_PLAN,
            title="Avvecklingsplan",
            direction=DocumentDirection.INCOMING,
            counterpart="Stadsmissionen",
            received_on=datetime.date(2026, 3, 5),
        ),
        "notes": register_case_document(
            social,
            officer,
            kind=CaseDocument.Kind.MEETING_NOTES,
            title="Minnesanteckningar dialogmöte",
            direction=DocumentDirection.DRAWN_UP,
            counterpart="",
            received_on=datetime.date(2026, 4, 20),
        ),
    }
    return {
        "cases": {"culture": culture, "social": social},
        "committees": {"kbn": kbn, "sn": sn},
        "bodies": {"region": region, "town": town},
        "numbers": {k: d.registry_number for k, d in lines.items()},
        "documents": lines,
    }


def test_the_register_lists_every_line_newest_first(client, auditor, registry):
    n = registry["numbers"]
    assert numbers(get(client, auditor)) == [n["notes"], n["plan"], n["report"], n["notice"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"direction": DocumentDirection.OUTGOING}, ["notice"]),
        ({"direction": DocumentDirection.INCOMING}, ["plan", "report"]),
        ({"kind": "partners.financial_report"}, ["report"]),
        ({"kind": "iop.wind_down_plan"}, ["plan"]),
        ({"registered_from": "2026-02-01", "registered_to": "2026-03-31"}, ["plan", "report"]),
        ({"registered_from": "2026-03-06"}, ["notes"]),
        ({"q": "avveckling"}, ["plan"]),  # the description
        ({"q": "stadsmission"}, ["plan"]),  # the counterpart
        ({"q": "Verksamhetsåret"}, ["report"]),
    ],
)
def test_filters_and_search(client, auditor, registry, params, expected):
    assert numbers(get(client, auditor, **params)) == [registry["numbers"][k] for k in expected]


def test_filter_by_committee_and_by_public_body(client, auditor, registry):
    n = registry["numbers"]
    committee = registry["committees"]["kbn"].pk
    assert numbers(get(client, auditor, committee=committee)) == [n["report"], n["notice"]]
    town = registry["bodies"]["town"].pk
    assert numbers(get(client, auditor, public_body=town)) == [n["notes"], n["plan"]]


def test_search_by_registry_number(client, auditor, registry):
    number = registry["numbers"]["plan"]
    assert numbers(get(client, auditor, q=number)) == [number]
    case_number = registry["cases"]["social"].registry_number
    assert set(numbers(get(client, auditor, q=case_number))) == {
        registry["numbers"]["plan"],
        registry["numbers"]["notes"],
    }


def test_an_invalid_filter_lists_nothing_and_says_why(client, auditor, registry):
    response = get(client, auditor, registered_from="not a date")
    assert numbers(response) == []
    assert 'id="filter-errors"' in response.content.decode()


def test_sort_by_number_and_counterpart(client, auditor, registry):
    n = registry["numbers"]
    culture, social = n["notice"], n["plan"]
    by_number = numbers(get(client, auditor, sort="number"))
    assert by_number == [culture, n["report"], social, n["notes"]]
    assert numbers(get(client, auditor, sort="-number")) == list(reversed(by_number))
    assert numbers(get(client, auditor, sort="counterpart"))[-1] == n["plan"]
    page = get(client, auditor, sort="date").content.decode()
    assert 'aria-sort="ascending" data-sort="date"' in page


def test_pages_of_25(client, auditor, officer, db):
    case = CaseFactory(officer=officer)
    for i in range(30):
        diarium_register(case=case, actor=officer, kind="iop.other", description=f"Brev {i}")
    first = get(client, auditor)
    assert len(first.context["entries"]) == 25
    assert len(get(client, auditor, page=2).context["entries"]) == 5
    assert len(get(client, auditor, per_page=50).context["entries"]) == 30


def test_each_line_links_to_its_document(client, auditor, registry):
    docs = registry["documents"]
    page = get(client, auditor).content.decode()
    notice, report = docs["notice"], docs["report"]
    assert reverse("cases:document_download", args=[notice.case_id, notice.pk]) in page
    assert reverse("partners:document_download", args=[report.organisation_id, report.pk]) in page
    # The link serves the file to the reader.
    response = client.get(reverse("cases:document_download", args=[notice.case_id, notice.pk]))
    assert response.status_code == 200


def test_a_line_whose_file_is_not_stored_yet_says_being_printed(client, auditor, case, officer):
    document = CaseDocumentFactory(case=case, file="")
    diarium_register(
        case=case,
        actor=officer,
        kind="iop.other",
        description="Tjänsteskrivelse",
        document=document,
    )
    diarium_register(case=case, actor=officer, kind="iop.other", description="Utan handling")
    page = get(client, auditor).content.decode()
    assert page.count('data-state="being-printed"') == 1
    assert "Skrivs ut" in page
    case_page = get(client, auditor, reverse("cases:registry", args=[case.pk])).content.decode()
    assert case_page.count('data-state="being-printed"') == 1


def test_the_case_register_lists_the_case_in_number_order(client, auditor, registry):
    social = registry["cases"]["social"]
    response = get(client, auditor, reverse("cases:registry", args=[social.pk]))
    assert numbers(response) == [registry["numbers"]["plan"], registry["numbers"]["notes"]]
    content = response.content.decode()
    assert registry["numbers"]["notice"] not in content
    assert f"{EXPORT_URL}?case={social.pk}&amp;format=csv" in content


def test_the_case_page_and_the_menu_link_to_the_register(client, auditor, case):
    page = get(client, auditor, reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'href="{reverse("cases:registry", args=[case.pk])}"' in page
    assert f'href="{LIST_URL}"' in page and 'id="nav-registry"' in page


# --- Exports ---------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_holds_the_filtered_lines(client, auditor, registry):
    response = get(client, auditor, EXPORT_URL, format="csv", direction="incoming", sort="number")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "diarium-" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:6] == [
        "Diarienummer",
        "Datum",
        "Riktning",
        "Typ av handling",
        "Beskrivning",
        "Avsändare eller mottagare",
    ]
    report, plan = registry["documents"]["report"], registry["documents"]["plan"]
    assert [r[0] for r in rows[1:]] == [report.registry_number, plan.registry_number]
    assert rows[2][1:6] == [
        "2026-03-05",
        "Inkommande",
        str(CaseDocument.Kind.WIND_DOWN_PLAN.label),
        "Avvecklingsplan",
        "Stadsmissionen",
    ]
    assert rows[2][6:] == [
        registry["cases"]["social"].title,
        "Socialnämnden",
        rows[2][8],
    ]
    assert rows[2][8]  # who registered


def test_xlsx_export_holds_the_filtered_lines(client, auditor, registry):
    social = registry["cases"]["social"]
    response = get(client, auditor, EXPORT_URL, format="xlsx", case=social.pk, sort="number")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Diarienummer"
    assert [row[0] for row in values[1:]] == [
        registry["numbers"]["plan"],
        registry["numbers"]["notes"],
    ]
    assert values[1][1] == datetime.datetime(2026, 3, 5)
    assert values[2][2] == "Upprättad"


def test_export_refuses_an_unknown_format(client, auditor, registry):
    client.force_login(auditor)
    assert client.get(EXPORT_URL, {"format": "pdf"}).status_code == 400


# --- Who may read it -------------------------------------------------------------------------


def urls(case) -> list[str]:
    return [
        LIST_URL,
        f"{EXPORT_URL}?format=csv",
        f"{EXPORT_URL}?format=xlsx",
        reverse("cases:registry", args=[case.pk]),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_reads_the_register(client, make_user, case, officer, role):
    register_case_document(case, officer)
    client.force_login(make_user(role))
    for url in urls(case):
        assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_login_and_a_user_without_a_role_is_refused(client, make_user, case):
    for url in urls(case):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    client.force_login(make_user(None))
    for url in urls(case):
        assert client.get(url).status_code == 403, url
    assert 'id="nav-registry"' not in client.get(reverse("home")).content.decode()


def test_every_role_has_the_view_permission():
    permission = Permission.objects.get(
        content_type__app_label="iop", codename="view_registryentry"
    )
    for role in Role:
        assert Group.objects.get(name=role.value).permissions.filter(pk=permission.pk).exists()


# --- Constant query counts -------------------------------------------------------------------


def count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            response.content  # noqa: B018
    return len(ctx.captured_queries)


def add_lines(officer, cases: int) -> None:
    """``cases`` cases, each with a case document and an organisation document."""
    for _ in range(cases):
        case = CaseFactory(officer=officer)
        register_case_document(case, officer)
        register_organisation_document(case, officer)


REQUESTS = [
    (LIST_URL, {}),
    (LIST_URL, {"per_page": 50, "sort": "number", "direction": "incoming"}),
    (LIST_URL, {"q": "brev", "sort": "counterpart", "registered_from": "2020-01-01"}),
    (EXPORT_URL, {"format": "csv"}),
    (EXPORT_URL, {"format": "xlsx"}),
]


@pytest.mark.parametrize(("url", "params"), REQUESTS)
def test_query_count_is_the_same_for_2_and_40_lines(client, auditor, officer, url, params):
    client.force_login(auditor)
    add_lines(officer, 1)
    client.get(url, params)  # warm the session and the content types
    few = count_queries(client, url, params)
    add_lines(officer, 19)
    assert RegistryEntry.objects.count() == 40
    many = count_queries(client, url, params)
    assert few == many
    assert many <= 14


def test_query_count_of_the_case_register_is_the_same_for_2_and_20_lines(
    client, auditor, officer, case
):
    client.force_login(auditor)
    url = reverse("cases:registry", args=[case.pk])
    register_case_document(case, officer)
    register_organisation_document(case, officer)
    client.get(url)
    few = count_queries(client, url, {})
    for _ in range(9):
        register_case_document(case, officer)
        register_organisation_document(case, officer)
    many = count_queries(client, url, {})
    assert few == many


# --- The admin: read-only --------------------------------------------------------------------


def test_the_admin_shows_the_register_and_changes_nothing(client, make_user, case, officer):
    document = register_case_document(case, officer)
    line = entry_of(document)
    auditor = make_user(Role.AUDITOR, is_staff=True)
    client.force_login(auditor)
    assert client.get(reverse("admin:iop_registryentry_changelist")).status_code == 200
    change = client.get(reverse("admin:iop_registryentry_change", args=[line.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:iop_registryentry_add")).status_code == 403
    assert client.post(reverse("admin:iop_registryentry_delete", args=[line.pk])).status_code == 403
    root = make_user(None, username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    client.post(reverse("admin:iop_registryentry_change", args=[line.pk]), {"description": "x"})
    line.refresh_from_db()
    assert line.description == "Uppsägning av avtalet"
