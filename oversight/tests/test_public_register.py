"""The public register (/offentligt/iop/): what it publishes, that it publishes no personal
data, that it needs no login, and that a crawler costs the database nothing."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.constants import TermKind
from agreements.tests.factories import agreement_at, drafting_case
from decisions.constants import MatterKind
from decisions.tests.factories import decide
from finance.timelines import timelines
from iop.constants import Role
from iop.models import Case, Committee, StaffProfile
from oversight import public_register
from oversight.public_register import build_register
from partners.models import ContactPerson, Organisation, ValueDeclaration

pytestmark = pytest.mark.django_db

# The register's build: the signed versions with their case (1), parties (2), budget lines
# (3) and purpose (4); the amount timelines (5–8); the decisions (9); the publisher (10).
BUILD_QUERIES = 10

PAGE = "oversight:public_register"
JSON = "oversight:public_register_json"
CSV = "oversight:public_register_csv"
SCHEMA = "oversight:public_register_schema"
ABOUT = "oversight:public_register_about"
ALL_URLS = (PAGE, JSON, CSV, SCHEMA, ABOUT)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def cases(django_db_setup, django_db_blocker):
    """Built once for the module (and rolled back after it): a signed IOP raised by the
    committee's decision from 600 000 to 650 000 kr per full year, a signed IOP at 600 000 kr,
    and two that have not started (a draft, and one approved but not yet signed)."""
    with django_db_blocker.unblock(), transaction.atomic():
        raised = agreement_at(None, "signed").agreement.case
        decide(
            raised,
            kind=MatterKind.RENEGOTIATION,
            amount_change=Decimal(50_000),
            change_from=datetime.date(2026, 6, 1),
        )
        plain = agreement_at(None, "signed").agreement.case
        drafting = drafting_case()
        unsigned = agreement_at(None, "signing").agreement.case
        yield {
            "raised": Case.objects.get(pk=raised.pk),
            "plain": Case.objects.get(pk=plain.pk),
            "drafting": drafting,
            "unsigned": unsigned,
        }
        transaction.set_rollback(True)


def validator() -> Draft202012Validator:
    checker = FormatChecker()
    # jsonschema checks "date" itself; "date-time" needs a package this project does not use.
    checker.checks("date-time", raises=ValueError)(
        lambda value: not isinstance(value, str) or bool(datetime.datetime.fromisoformat(value))
    )
    schema = public_register.schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=checker)


def item_of(payload: dict, case: Case) -> dict:
    return next(i for i in payload["items"] if i["registry_number"] == case.registry_number)


def get_json(client: Client, name: str = JSON) -> dict:
    return json.loads(client.get(reverse(name)).content)


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


# --- The demo: no personal data (first: the module's own cases are built after it) --------- --------------------------------------------------------------


def personal_data() -> set[str]:
    """Every name, e-mail address and phone number of a person in the database: the users,
    the organisations' contact persons, the parties' signatories and contacts, the
    signatories of value declarations, the officials named on matters and committees, and
    the organisations' own e-mail and phone."""
    from agreements.models import AgreementParty
    from decisions.models import Matter

    found: set[str] = set()
    for first, last, email in get_user_model().objects.values_list(
        "first_name", "last_name", "email"
    ):
        found |= {f"{first} {last}".strip(), email}
    found |= set(StaffProfile.objects.values_list("phone", flat=True))
    for row in ContactPerson.objects.values_list("name", "email", "phone"):
        found |= set(row)
    for row in AgreementParty.objects.values_list(
        "signatory_name", "contact_name", "contact_email", "contact_phone"
    ):
        found |= set(row)
    found |= set(ValueDeclaration.objects.values_list("signatory_name", flat=True))
    for row in Matter.objects.values_list("officer_name", "signing_official_name"):
        found |= set(row)
    found |= set(Committee.objects.values_list("signing_official_name", flat=True))
    for row in Organisation.objects.values_list("email", "phone"):
        found |= set(row)
    return {value.strip() for value in found if value and value.strip()}


# --- Built by the factories -------------------------------------------------------------------


class TestContent:
    def test_the_json_validates_against_its_schema(self, cases, client):
        payload = get_json(client)
        validator().validate(payload)
        assert payload["schema"].endswith(reverse(SCHEMA))
        assert payload["licence"]["id"] == "CC0-1.0"
        assert payload["publisher"]["name"] == "Region Värmland"
        assert datetime.datetime.fromisoformat(payload["generated_at"]).tzinfo is not None

    def test_the_schema_is_served_and_refuses_what_it_does_not_describe(self, cases, client):
        schema = get_json(client, SCHEMA)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        payload = get_json(client)
        payload["items"][0]["contact_email"] = "someone@example.se"
        payload["items"][1]["term"]["start"] = "1 mars 2024"
        errors = list(
            Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(payload)
        )
        assert {e.validator for e in errors} == {"additionalProperties", "format"}

    def test_only_partnerships_that_have_started_are_published(self, cases, client):
        numbers = {i["registry_number"] for i in get_json(client)["items"]}
        assert numbers == {cases["raised"].registry_number, cases["plain"].registry_number}

    def test_the_money_is_the_timelines_amount_in_force_after_the_decision(self, cases, client):
        case = cases["raised"]
        item = item_of(get_json(client), case)
        timeline = timelines([case.pk])[case.pk][case.public_body_id]
        assert item["public_amount_per_year"] == timeline.current_amount(timezone.localdate())
        assert item["public_amount_per_year"] == 650_000
        assert item["public_funding"] == [
            {"public_body": "Region Värmland", "amount_per_year": 650_000}
        ]
        assert item_of(get_json(client), cases["plain"])["public_amount_per_year"] == 600_000

    def test_an_item_holds_organisation_committee_purpose_term_and_co_financing(
        self, cases, client
    ):
        case = cases["plain"]
        item = item_of(get_json(client), case)
        organisation = case.organisations.get()
        assert item["organisations"] == [
            {"name": organisation.name, "org_number": organisation.org_number_display}
        ]
        assert item["committee"] == "Kultur- och bildningsnämnden"
        assert item["purpose"].startswith("Partnerskapet ger mötesplatser")
        assert item["status"] == "active"
        # complete_draft: from 1 January 2027 for five years.
        assert item["term"] == {
            "start": "2027-01-01",
            "end": "2031-12-31",
            "until_further_notice": False,
            "kind": "fixed",
            "kind_label": str(TermKind.FIXED.label),
        }
        # The region's 600 000 kr; the organisation's 2 000 h × 300 kr and premises 120 000 kr.
        assert item["co_financing"] == {
            "budget_total": 1_320_000,
            "public_total": 600_000,
            "partners_money": 0,
            "partners_in_kind": 720_000,
            "partners_total": 720_000,
            "partners_share_percent": 54.5,
        }

    def test_the_decisions_approving_the_agreement_and_its_change_are_listed(self, cases, client):
        decisions = item_of(get_json(client), cases["raised"])["decisions"]
        assert [d["kind"] for d in decisions] == ["new_iop", "renegotiation"]
        for d in decisions:
            assert d["date"] == timezone.localdate().isoformat()
            assert d["reference"].endswith(f"§ {d['paragraph']}")
        assert item_of(get_json(client), cases["plain"])["decisions"][0]["kind"] == "new_iop"

    def test_the_csv_is_utf8_with_a_bom_and_semicolons(self, cases, client):
        response = client.get(reverse(CSV))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        header, *rows = csv_rows(response.content)
        assert header == [heading for heading, _value in public_register.csv_columns()]
        assert len(header) == 18
        assert len(rows) == 2
        row = dict(
            zip(
                header,
                next(r for r in rows if r[0] == cases["raised"].registry_number),
                strict=True,
            )
        )
        values = list(row.values())
        assert "Kultur- och bildningsnämnden" in values  # å, ä, ö intact
        assert "650000" in values  # kronor without grouping
        assert "54,5" in values  # the decimal comma of Swedish spreadsheets
        assert "2031-12-31" in values

    def test_the_build_costs_the_same_queries_whatever_the_number_of_cases(
        self, cases, django_assert_num_queries
    ):
        with django_assert_num_queries(BUILD_QUERIES):
            register = build_register()
        assert len(register.items) == 2
        # The demo's seven published IOPs cost the same: TestDemoHasNoPersonalData.


class TestAccess:
    @pytest.mark.parametrize("name", ALL_URLS)
    def test_anyone_may_read_it_without_logging_in(self, cases, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "csrftoken" not in response.cookies  # nothing to set on a shared page
        assert response["Cache-Control"] in ("public, max-age=600", "max-age=600, public")

    def test_other_pages_still_require_login(self, client):
        for url in (reverse("home"), reverse("oversight:portfolio")):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("role", [*Role, None])
    def test_every_role_reads_the_same_data(self, cases, client, make_user, role):
        anonymous = Client().get(reverse(JSON)).content
        client.force_login(make_user(role))
        assert client.get(reverse(JSON)).content == anonymous
        page = client.get(reverse(PAGE))
        assert page.status_code == 200
        assert cases["raised"].registry_number in page.content.decode()
        # Logged in, the page has the menu (and the user's name): only their browser keeps it.
        assert "private" in page["Cache-Control"]
        assert not page.has_header("ETag")

    @pytest.mark.parametrize("name", ALL_URLS)
    def test_writing_is_refused(self, client, name):
        assert client.post(reverse(name)).status_code == 405


class TestPage:
    def test_the_table_and_the_links_to_the_open_data(self, cases, client):
        html = client.get(reverse(PAGE)).content.decode()
        assert '<table class="table align-top" id="public-register">' in html
        assert "<caption" in html and '<th scope="col">' in html and '<th scope="row">' in html
        for name in (JSON, CSV, SCHEMA, ABOUT):
            assert f'href="{reverse(name)}"' in html
        assert "650\u202f000\xa0kr" in html
        assert "54,5\xa0%" in html

    def test_filters_by_committee_and_status(self, cases, client):
        other = Committee.objects.create(
            public_body=cases["plain"].public_body,
            name="Regionala utvecklingsnämnden",
            short_code="RUN",
        )
        Case.objects.filter(pk=cases["plain"].pk).update(committee=other)

        def shown(**params) -> set[str]:
            html = client.get(reverse(PAGE), params).content.decode()
            return set(re.findall(r'data-registry-number="([^"]+)"', html))

        raised, plain = cases["raised"].registry_number, cases["plain"].registry_number
        assert shown() == {raised, plain}
        assert shown(committee="Regionala utvecklingsnämnden") == {plain}
        assert shown(committee="Kultur- och bildningsnämnden", status="active") == {raised}
        assert shown(status="ended") == set()
        assert shown(status="nonsense", committee="nonsense") == {raised, plain}

    def test_the_documentation_describes_every_field_and_the_licence(self, client):
        html = client.get(reverse(ABOUT)).content.decode()
        for doc in public_register.field_docs():
            assert f"<code>{doc.name}</code>" in html
        assert "items[].co_financing.partners_share_percent" in html
        assert "CC0-1.0" in html and "https://creativecommons.org/publicdomain/zero/1.0/" in html
        assert "http://testserver" not in html  # the stable addresses are SITE_URL's
        assert public_register.site_url(JSON) in html


class TestCache:
    @pytest.mark.parametrize("name", [PAGE, JSON, CSV])
    def test_a_second_request_costs_no_query(self, cases, client, name, django_assert_num_queries):
        first = client.get(reverse(name))
        with django_assert_num_queries(0):
            second = client.get(reverse(name))
        assert second.content == first.content

    @pytest.mark.parametrize("name", [PAGE, JSON, CSV, SCHEMA])
    def test_a_matching_etag_gets_304(self, cases, client, name, django_assert_num_queries):
        etag = client.get(reverse(name))["ETag"]
        with django_assert_num_queries(0):
            response = client.get(reverse(name), headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert response.content == b""
        assert "public" in response["Cache-Control"]
        assert client.get(reverse(name), headers={"If-None-Match": '"other"'}).status_code == 200

    def test_the_page_etag_depends_on_the_filter(self, cases, client):
        plain = client.get(reverse(PAGE))["ETag"]
        assert client.get(reverse(PAGE), {"status": "ended"})["ETag"] != plain

    def test_the_cache_time_is_a_setting(self, cases, client, settings):
        settings.PUBLIC_REGISTER_CACHE_SECONDS = 120
        assert "max-age=120" in client.get(reverse(JSON))["Cache-Control"]

    def test_rebuilding_unchanged_data_keeps_the_etag(self, cases, client):
        etag = client.get(reverse(JSON))["ETag"]
        cache.clear()
        assert client.get(reverse(JSON))["ETag"] == etag

    def test_a_committee_decision_outdates_the_cached_register(
        self, cases, client, django_capture_on_commit_callbacks
    ):
        case = cases["plain"]
        before = client.get(reverse(JSON))
        with django_capture_on_commit_callbacks(execute=True):
            decide(
                case,
                kind=MatterKind.RENEGOTIATION,
                amount_change=Decimal(100_000),
                change_from=datetime.date(2026, 6, 1),
            )
        after = client.get(reverse(JSON))
        assert after["ETag"] != before["ETag"]
        assert item_of(json.loads(after.content), case)["public_amount_per_year"] == 700_000
