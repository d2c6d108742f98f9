"""The co-financing budget and the action plan: the arithmetic, the formats, and the two
editing pages with their rules of access, validation and optimistic locking."""

from __future__ import annotations

from decimal import Decimal

import pytest

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from iop.constants import CaseStatus, Role

from .. import services
from ..budget import budget_summary, is_profit_line
from ..constants import BudgetKind, VersionStatus
from ..forms import BudgetLineForm
from ..models import ActionPlanActivity, AgreementVersion, BudgetLine
from ..selectors import version_detail
from ..templatetags.agreement_format import kr, number, percent
from .factories import agreement_at, complete_draft, drafting_case

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\xa0"


@pytest.fixture
def draft(officer):
    return complete_draft(drafting_case(officer=officer))


def _parties(version):
    public, organisation = list(version.parties.order_by("order"))
    return public, organisation


# --- Arithmetic and formats -------------------------------------------------------------------


def test_domain_example_gives_public_share_45_5_percent_and_no_flag(draft):
    summary = budget_summary(draft)
    assert summary.total == Decimal("1320000")
    assert summary.public_total == Decimal("600000")
    assert summary.public_share == Decimal("45.5")
    assert summary.flags == []
    assert summary.problems == []
    assert not summary.fully_public
    assert [p.contributes for p in summary.parties] == [True, True]
    assert [(k.kind, k.total) for k in summary.parties[1].kinds] == [
        (BudgetKind.VOLUNTEER, Decimal("600000")),
        (BudgetKind.PREMISES, Decimal("120000")),
    ]


def test_volunteer_line_value_is_hours_times_rate():
    line = BudgetLine(kind=BudgetKind.VOLUNTEER, hours=Decimal("2000"), hourly_value=Decimal("300"))
    assert line.value == Decimal("600000")
    # An amount typed on a volunteer line does not count; the hours do.
    line.amount = Decimal("5")
    assert line.value == Decimal("600000")


def test_public_paying_everything_is_flagged(draft):
    _public, organisation = _parties(draft)
    draft.budget_lines.filter(party=organisation).update(
        kind=BudgetKind.MONEY, amount=Decimal("0"), hours=None, hourly_value=None
    )
    summary = budget_summary(draft)
    assert summary.public_share == Decimal("100.0")
    assert summary.fully_public
    assert len(summary.flags) == 1
    assert "100,0" in summary.flags[0]


def test_party_contributing_nothing_is_a_problem(draft):
    _public, organisation = _parties(draft)
    draft.budget_lines.filter(party=organisation).delete()
    summary = budget_summary(draft)
    assert [p.contributes for p in summary.parties] == [True, False]
    assert summary.problems == [
        gettext("%(party)s contributes nothing in the budget: every party contributes.")
        % {"party": organisation.name}
    ]


def test_profit_line_is_a_problem_of_the_summary(draft):
    public, _organisation = _parties(draft)
    BudgetLine.objects.create(
        version=draft,
        party=public,
        year=2027,
        kind=BudgetKind.MONEY,
        description="Vinstpåslag 5 %",
        amount=Decimal("1000"),
    )
    assert is_profit_line("Vinstpåslag 5 %")
    assert not is_profit_line("Lokalhyra")
    problems = budget_summary(draft).problems
    assert len(problems) == 1 and "Vinstpåslag 5 %" in problems[0]


def test_empty_budget_has_no_share_and_a_problem(draft):
    draft.budget_lines.all().delete()
    summary = budget_summary(draft)
    assert summary.public_share is None
    assert summary.problems == [
        gettext("The budget has no lines: every party's contribution must be shown.")
    ]


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("600000"), f"600{NNBSP}000{NBSP}kr"),
        (Decimal("600000.00"), f"600{NNBSP}000{NBSP}kr"),
        (Decimal("1250.5"), f"1{NNBSP}250,50{NBSP}kr"),
        (Decimal("300"), f"300{NBSP}kr"),
        (0, f"0{NBSP}kr"),
        (None, "–"),
        ("", "–"),
    ],
)
def test_kr_filter(value, expected):
    assert kr(value) == expected


def test_percent_and_number_filters():
    assert percent(Decimal("45.5")) == f"45,5{NBSP}%"
    assert percent(100) == f"100,0{NBSP}%"
    assert percent(None) == "–"
    assert number(Decimal("2000.0")) == f"2{NNBSP}000"
    assert number(Decimal("12.5")) == "12,5"


def test_budget_table_shows_lines_totals_and_share(draft):
    detail = version_detail(draft)
    html = render_to_string(
        "agreements/_budget_table.html", {"budget": detail.budget, "lines": detail.lines}
    )
    assert f"45,5{NBSP}%" in html
    assert f"1{NNBSP}320{NNBSP}000{NBSP}kr" in html
    assert (
        gettext("%(hours)s h × %(rate)s") % {"hours": f"2{NNBSP}000", "rate": f"300{NBSP}kr"}
        in html
    )
    assert 'scope="rowgroup"' in html and "<caption" in html
    assert 'id="budget-problems"' not in html and 'id="budget-flags"' not in html


# --- The budget page: access ------------------------------------------------------------------


def _budget_url(case_pk: int) -> str:
    return reverse("agreements:budget", args=[case_pk])


def _plan_url(case_pk: int) -> str:
    return reverse("agreements:plan", args=[case_pk])


def _line_data(version, rows: list[dict] | None = None, *, revision=None, keep=True) -> dict:
    """The POST of the budget form: every saved line as it is (``keep``), then ``rows``."""
    existing = list(version.budget_lines.order_by("year", "party__order", "pk")) if keep else []
    data = {
        "revision": str(version.revision if revision is None else revision),
        "lines-INITIAL_FORMS": str(len(existing)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    forms = [
        {
            "id": line.pk,
            "party": line.party_id,
            "year": line.year,
            "kind": line.kind,
            "description": line.description,
            "amount": "" if line.amount is None else line.amount,
            "hours": "" if line.hours is None else line.hours,
            "hourly_value": "" if line.hourly_value is None else line.hourly_value,
        }
        for line in existing
    ] + (rows or [])
    for i, form in enumerate(forms):
        for name, value in form.items():
            data[f"lines-{i}-{name}"] = "" if value is None else str(value)
    data["lines-TOTAL_FORMS"] = str(len(forms))
    return data


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.COORDINATOR])
def test_officer_and_coordinator_edit_the_budget(client, draft, role, coordinator):
    user = draft.agreement.case.officer if role == Role.CASE_OFFICER else coordinator
    client.force_login(user)
    url = _budget_url(draft.agreement.case_id)
    page = client.get(url)
    assert page.status_code == 200
    assert f"45,5{NBSP}%" in page.content.decode()
    public, organisation = _parties(draft)
    data = _line_data(
        draft,
        [
            {
                "party": organisation.pk,
                "year": 2027,
                "kind": BudgetKind.EQUIPMENT,
                "description": "Kaffebryggare",
                "amount": "3 500",
            }
        ],
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    line = BudgetLine.objects.get(description="Kaffebryggare")
    assert (line.version_id, line.party_id, line.amount) == (draft.pk, organisation.pk, 3500)
    assert AgreementVersion.objects.get(pk=draft.pk).revision == draft.revision + 1
    assert line.history.first().history_user == user


@pytest.mark.parametrize("role", [Role.JURIST, Role.SECRETARY, Role.AUDITOR, Role.FINANCE])
@pytest.mark.parametrize("screen", ["budget", "plan"])
def test_other_roles_may_not_edit(client, draft, make_user, role, screen):
    client.force_login(make_user(role))
    url = reverse(f"agreements:{screen}", args=[draft.agreement.case_id])
    assert client.get(url).status_code == 403
    assert client.post(url, _line_data(draft)).status_code == 403
    assert AgreementVersion.objects.get(pk=draft.pk).revision == draft.revision


def test_another_officer_may_not_edit(client, draft, make_user):
    client.force_login(make_user(Role.CASE_OFFICER))
    assert client.get(_budget_url(draft.agreement.case_id)).status_code == 403


def test_anonymous_is_sent_to_login(client, draft):
    response = client.get(_budget_url(draft.agreement.case_id))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("screen", ["budget", "plan"])
def test_frozen_version_is_refused(client, screen):
    version = agreement_at(None, "submitted")
    case = version.agreement.case
    client.force_login(case.officer)
    url = reverse(f"agreements:{screen}", args=[case.pk])
    response = client.get(url)
    assert response.status_code == 409
    assert "reasons" in response.context and response.context["reasons"]
    before = list(version.budget_lines.values_list("pk", "amount"))
    assert client.post(url, _line_data(version)).status_code == 409
    assert list(version.budget_lines.values_list("pk", "amount")) == before
    assert AgreementVersion.objects.get(pk=version.pk).status == VersionStatus.SUBMITTED


def test_no_agreement_yet_is_refused(client, officer):
    case = drafting_case(officer=officer)
    client.force_login(officer)
    assert client.get(_budget_url(case.pk)).status_code == 409


def test_wrong_stage_is_refused(client, draft):
    case = draft.agreement.case
    type(case).objects.filter(pk=case.pk).update(status=CaseStatus.PREPARATION)
    client.force_login(case.officer)
    assert client.get(_budget_url(case.pk)).status_code == 409


# --- The budget page: validation ----------------------------------------------------------


def _form(parties, **data):
    row = {"year": 2027, "description": "Bidrag", **data}
    return BudgetLineForm(data=row, parties=parties)


def test_form_rules(draft):
    parties = list(draft.parties.all())
    public = parties[0]
    volunteer = _form(parties, party=public.pk, kind=BudgetKind.VOLUNTEER, hours="10")
    assert not volunteer.is_valid()
    assert set(volunteer.errors) == {"hourly_value"}
    both = _form(
        parties,
        party=public.pk,
        kind=BudgetKind.VOLUNTEER,
        hours="10",
        hourly_value="300",
        amount="1",
    )
    assert set(both.errors) == {"amount"}
    money = _form(parties, party=public.pk, kind=BudgetKind.MONEY, hours="10")
    assert set(money.errors) == {"amount", "hours"}
    negative = _form(parties, party=public.pk, kind=BudgetKind.MONEY, amount="-5")
    assert (
        negative.errors["amount"][0]
        == BudgetLineForm.base_fields["amount"].error_messages["not_positive"]
    )
    year = _form(parties, party=public.pk, kind=BudgetKind.MONEY, amount="5", year="1850")
    assert set(year.errors) == {"year"}
    stranger = _form(parties, party=999999, kind=BudgetKind.MONEY, amount="5")
    assert set(stranger.errors) == {"party"}
    swedish = _form(
        parties, party=public.pk, kind=BudgetKind.VOLUNTEER, hours="1 500,5", hourly_value="300 kr"
    )
    assert swedish.is_valid(), swedish.errors
    assert swedish.cleaned_data["hours"] == Decimal("1500.5")


def test_profit_line_is_refused_by_the_form(draft):
    parties = list(draft.parties.all())
    form = _form(
        parties, party=parties[1].pk, kind=BudgetKind.MONEY, amount="5000", description="Vinst"
    )
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["description"]] == ["profit"]


def test_invalid_input_is_shown_again_with_what_was_typed(client, draft):
    case = draft.agreement.case
    client.force_login(case.officer)
    _public, organisation = _parties(draft)
    data = _line_data(
        draft,
        [
            {
                "party": organisation.pk,
                "year": 2027,
                "kind": BudgetKind.VOLUNTEER,
                "description": "Läxhjälp av frivilliga",
                "hours": "350",
            }
        ],
    )
    response = client.post(_budget_url(case.pk), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.forms[3].errors.keys() == {"hourly_value"}
    html = response.content.decode()
    assert "Läxhjälp av frivilliga" in html and 'value="350"' in html
    assert 'id="form-errors"' in html
    assert not BudgetLine.objects.filter(description="Läxhjälp av frivilliga").exists()
    assert AgreementVersion.objects.get(pk=draft.pk).revision == draft.revision


def test_deleting_a_line_keeps_its_history(client, draft):
    case = draft.agreement.case
    client.force_login(case.officer)
    data = _line_data(draft)
    premises = draft.budget_lines.get(kind=BudgetKind.PREMISES)
    index = next(
        k.split("-")[1] for k, v in data.items() if k.endswith("-id") and v == str(premises.pk)
    )
    data[f"lines-{index}-DELETE"] = "on"
    assert client.post(_budget_url(case.pk), data).status_code == 302
    assert not BudgetLine.objects.filter(pk=premises.pk).exists()
    deleted = BudgetLine.history.filter(id=premises.pk, history_type="-").get()
    assert deleted.history_user == case.officer
    assert budget_summary(draft).total == Decimal("1200000")


def test_concurrent_save_is_refused_and_keeps_the_typed_rows(client, draft):
    case = draft.agreement.case
    client.force_login(case.officer)
    stale = draft.revision
    # Someone else saves the draft in the meantime.
    services.version_update(
        version=draft, data={"checkins_per_year": 3}, revision=stale, actor=case.officer
    )
    _public, organisation = _parties(draft)
    data = _line_data(
        draft,
        [
            {
                "party": organisation.pk,
                "year": 2027,
                "kind": BudgetKind.COMPETENCE,
                "description": "Handledning i föreningen",
                "amount": "40000",
            }
        ],
        revision=stale,
    )
    response = client.post(_budget_url(case.pk), data)
    assert response.status_code == 200
    assert response.context["conflict"] is True
    assert response.context["revision"] == stale + 1
    assert "Handledning i föreningen" in response.content.decode()
    assert not BudgetLine.objects.filter(description="Handledning i föreningen").exists()
    # Saving again from the page as shown now goes through.
    data["revision"] = str(response.context["revision"])
    assert client.post(_budget_url(case.pk), data).status_code == 302
    assert BudgetLine.objects.filter(description="Handledning i föreningen").exists()


def test_budget_page_flags_full_public_funding(client, draft):
    _public, organisation = _parties(draft)
    draft.budget_lines.filter(party=organisation).delete()
    client.force_login(draft.agreement.case.officer)
    html = client.get(_budget_url(draft.agreement.case_id)).content.decode()
    assert 'id="budget-flags"' in html and 'id="budget-problems"' in html
    assert f"100,0{NBSP}%" in html


def _add_lines(version, count: int) -> None:
    public, organisation = _parties(version)
    BudgetLine.objects.bulk_create(
        BudgetLine(
            version=version,
            party=public if i % 2 else organisation,
            year=2028 + i % 3,
            kind=BudgetKind.MONEY,
            description=f"Rad {i}",
            amount=Decimal(1000 + i),
        )
        for i in range(count)
    )


def _count(client, method: str, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code in (200, 302)
    return len(queries)


def test_budget_page_queries_do_not_grow_with_the_lines(client, officer):
    small = complete_draft(drafting_case(officer=officer))
    large = complete_draft(drafting_case(officer=officer))
    _add_lines(large, 40)
    client.force_login(officer)
    client.get(_budget_url(small.agreement.case_id))  # warm the session and caches
    for method in ("get", "post"):
        counts = []
        for version in (small, large):
            data = None
            if method == "post":
                version.refresh_from_db()
                data = _line_data(version)
                data["lines-0-amount"] = "not a number"  # re-rendered, nothing written
            counts.append(_count(client, method, _budget_url(version.agreement.case_id), data))
        assert counts[0] == counts[1], (method, counts)


# --- The action plan ----------------------------------------------------------------------


def _plan_data(version, rows: list[dict] | None = None, *, revision=None, **fields) -> dict:
    activities = list(version.activities.order_by("order", "pk"))
    data = {
        "revision": str(version.revision if revision is None else revision),
        "plan-concrete_results": version.concrete_results,
        "plan-intangible_results": version.intangible_results,
        "plan-checkins_per_year": str(version.checkins_per_year),
        "plan-annual_evaluation": version.annual_evaluation,
        "activities-INITIAL_FORMS": str(len(activities)),
        "activities-MIN_NUM_FORMS": "0",
        "activities-MAX_NUM_FORMS": "1000",
    }
    data.update({f"plan-{k}": v for k, v in fields.items()})
    forms = [
        {
            "id": a.pk,
            "order": a.order,
            "description": a.description,
            "owner": a.owner,
            "timetable": a.timetable,
            "expected_result": a.expected_result,
        }
        for a in activities
    ] + (rows or [])
    for i, form in enumerate(forms):
        for name, value in form.items():
            data[f"activities-{i}-{name}"] = str(value)
    data["activities-TOTAL_FORMS"] = str(len(forms))
    return data


@pytest.mark.parametrize("role", [Role.CASE_OFFICER, Role.COORDINATOR])
def test_plan_is_saved_with_one_revision(client, draft, role, coordinator):
    user = draft.agreement.case.officer if role == Role.CASE_OFFICER else coordinator
    client.force_login(user)
    url = _plan_url(draft.agreement.case_id)
    assert client.get(url).status_code == 200
    first = draft.activities.get()
    data = _plan_data(
        draft,
        [
            {
                "order": 2,
                "description": "Studiecirkel om digital vardag",
                "owner": "Regionen",
                "timetable": "Hösten 2027",
                "expected_result": "Tio deltagare",
            }
        ],
        concrete_results="Fyrtio träffar per år",
        intangible_results="Tillit och gemenskap",
        checkins_per_year="4",
    )
    data["activities-0-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and (
        response.context["form"].errors,
        response.context["formset"].errors,
    )
    version = AgreementVersion.objects.get(pk=draft.pk)
    assert version.revision == draft.revision + 1
    assert (version.concrete_results, version.checkins_per_year) == ("Fyrtio träffar per år", 4)
    assert list(version.activities.values_list("description", flat=True)) == [
        "Studiecirkel om digital vardag"
    ]
    assert not ActionPlanActivity.objects.filter(pk=first.pk).exists()


def test_plan_needs_two_checkins_a_year(client, draft):
    client.force_login(draft.agreement.case.officer)
    data = _plan_data(draft, checkins_per_year="1", annual_evaluation="Varje höst")
    response = client.post(_plan_url(draft.agreement.case_id), data)
    assert response.status_code == 200
    assert response.context["form"].errors["checkins_per_year"] == [
        gettext("The parties check in at least twice a year.")
    ]
    assert "Varje höst" in response.content.decode()
    assert AgreementVersion.objects.get(pk=draft.pk).checkins_per_year == 2


def test_plan_activity_needs_who_and_when(client, draft):
    client.force_login(draft.agreement.case.officer)
    data = _plan_data(
        draft, [{"order": 2, "description": "Sommarfest", "owner": "", "timetable": ""}]
    )
    response = client.post(_plan_url(draft.agreement.case_id), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors.keys() == {"owner", "timetable"}
    assert "Sommarfest" in response.content.decode()


def test_plan_conflict_keeps_what_was_typed(client, draft):
    case = draft.agreement.case
    client.force_login(case.officer)
    stale = draft.revision
    services.version_update(
        version=draft, data={"concrete_results": "Annans text"}, revision=stale, actor=case.officer
    )
    data = _plan_data(draft, revision=stale, concrete_results="Min egen text")
    response = client.post(_plan_url(case.pk), data)
    assert response.status_code == 200 and response.context["conflict"] is True
    html = response.content.decode()
    assert "Min egen text" in html and "Annans text" in html
    assert AgreementVersion.objects.get(pk=draft.pk).concrete_results == "Annans text"


def test_plan_page_queries_do_not_grow_with_the_activities(client, officer):
    small = complete_draft(drafting_case(officer=officer))
    large = complete_draft(drafting_case(officer=officer))
    ActionPlanActivity.objects.bulk_create(
        ActionPlanActivity(
            version=large, order=i + 2, description=f"A {i}", owner="X", timetable="Y"
        )
        for i in range(40)
    )
    client.force_login(officer)
    client.get(_plan_url(small.agreement.case_id))
    counts = [_count(client, "get", _plan_url(v.agreement.case_id)) for v in (small, large)]
    assert counts[0] == counts[1]
