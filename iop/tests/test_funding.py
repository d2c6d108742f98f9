"""The double-funding check (``iop.funding``): the organisation's other IOPs in every public
body, its declared grants, the warning when the same activity appears funded twice, in a
constant number of queries, and the check on the case page, the agreement and the review."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iop.constants import CaseStatus, PublicBodyKind, Role
from iop.funding import funding_overview, shared_words, significant_words
from iop.models import Case
from iop.tests.factories import CaseFactory, CommitteeFactory, PublicBodyFactory
from partners.services import declare_grant, withdraw_grant
from partners.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TITLE = "Digital delaktighet för äldre i norra Värmland"
IDEA = (
    "Bildningsförbundet Klarälvdalen vill starta digitala träffpunkter i bygdegårdar och "
    "bibliotek, där äldre får hjälp av frivilliga handledare."
)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 5, 12, 10, 0), tick=False):
        yield


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Bildningsförbundet Klarälvdalen", declared=True)


@pytest.fixture
def case(organisation, officer):
    return CaseFactory(
        title=TITLE,
        idea_description=IDEA,
        organisations=[organisation],
        officer=officer,
        status=CaseStatus.PREPARATION,
        received_on=datetime.date(2026, 3, 20),
    )


@pytest.fixture
def municipality_committee():
    body = PublicBodyFactory(
        name="Torsby kommun", short_code="TK", kind=PublicBodyKind.MUNICIPALITY
    )
    return CommitteeFactory(public_body=body, name="Kultur- och fritidsnämnden", short_code="KFN")


def grant(organisation, officer, **fields):
    values = {
        "giver": "Arvsfonden",
        "purpose": "Digitala träffpunkter för äldre i bygdegårdar",
        "amount": Decimal("450000"),
        "year": 2026,
        "declared_on": datetime.date(2026, 3, 23),
    }
    values.update(fields)
    return declare_grant(organisation=organisation, actor=officer, **values)


# --- The words --------------------------------------------------------------------------------


def test_significant_words_leave_out_short_stop_common_and_name_words():
    words = significant_words(
        "Föreningen Läsande bygd vill ordna läsestunder för barn i Värmland, och även i "
        "bygdegårdarna.",
        ignore=["läsande", "bygd"],
    )
    # «bygd», «barn» … are kept by length only when they are not ignored; «för», «och», «i»
    # are too short; «vill», «även» are function words; «föreningen», «värmland» common.
    assert sorted(words.values()) == ["barn", "bygdegårdarna", "läsestunder", "ordna"]


def test_words_meet_on_their_stem_and_are_reported_as_this_case_writes_them():
    these = significant_words("Digitala träffpunkter för äldre")
    those = significant_words("En digital träffpunkt för äldre")
    assert shared_words(these, those) == ("digitala", "träffpunkter", "äldre")
    assert shared_words(these, significant_words("Sommarläger för unga")) == ()


# --- Grants -----------------------------------------------------------------------------------


def test_a_grant_for_the_same_activity_in_the_cases_year_warns_with_the_words(
    case, organisation, officer
):
    declared = grant(organisation, officer)
    overview = funding_overview(case)
    assert [g.pk for g in overview.grants] == [declared.pk]
    assert overview.grants[0].overlaps
    (warning,) = overview.warnings
    assert warning.kind == "grant"
    # As this case writes them: its title says «Digital», before the idea's «digitala».
    assert warning.words == ("bygdegårdar", "digital", "träffpunkter", "äldre")
    assert "Arvsfonden 2026" in warning.message
    assert "«träffpunkter»" in warning.message


def test_a_grant_for_another_activity_is_listed_without_a_warning(case, organisation, officer):
    grant(
        organisation,
        officer,
        giver="Region Värmland kultur",
        purpose="Organisationsbidrag till förbundets ordinarie studieverksamhet",
    )
    overview = funding_overview(case)
    assert len(overview.grants) == 1
    assert overview.warnings == ()


def test_one_shared_word_is_not_enough(case, organisation, officer):
    grant(organisation, officer, purpose="Sommarkollo för äldre")
    assert funding_overview(case).warnings == ()


def test_a_grant_before_the_cases_years_is_listed_as_not_overlapping_and_does_not_warn(
    case, organisation, officer
):
    grant(organisation, officer, year=2025)
    overview = funding_overview(case)
    assert [g.overlaps for g in overview.grants] == [False]
    assert overview.warnings == ()


def test_a_grant_after_a_closed_case_does_not_warn(organisation, officer):
    closed = CaseFactory(
        title=TITLE,
        idea_description=IDEA,
        organisations=[organisation],
        status=CaseStatus.NOT_PURSUED,
        received_on=datetime.date(2024, 2, 1),
        status_changed_at=datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC),
    )
    grant(organisation, officer, year=2026)
    grant(organisation, officer, year=2024)
    overview = funding_overview(closed)
    assert [(g.year, g.overlaps) for g in overview.grants] == [(2026, False), (2024, True)]
    assert [w.subject.split(" «")[0] for w in overview.warnings] == ["Arvsfonden 2024"]


def test_withdrawn_grants_are_ignored(case, organisation, officer):
    withdraw_grant(grant=grant(organisation, officer), actor=officer, reason="Fel.")
    overview = funding_overview(case)
    assert overview.grants == () and overview.warnings == ()


def test_grants_of_other_organisations_are_not_this_cases(case, officer):
    grant(OrganisationFactory(), officer)
    assert funding_overview(case).grants == ()


# --- Other IOPs -------------------------------------------------------------------------------


def test_other_iops_of_the_organisation_in_every_public_body_are_listed(
    case, organisation, municipality_committee
):
    elsewhere = CaseFactory(
        committee=municipality_committee,
        title="Läsombud i Torsby",
        idea_description="Läsombud på äldreboenden.",
        organisations=[organisation],
        status=CaseStatus.ACTIVE,
    )
    unrelated = CaseFactory(title="Någon annans", organisations=[OrganisationFactory()])
    overview = funding_overview(case)
    assert [o.pk for o in overview.other_cases] == [elsewhere.pk]
    (other,) = overview.other_cases
    assert (other.registry_number, other.public_body, other.committee) == (
        elsewhere.registry_number,
        "Torsby kommun",
        "Kultur- och fritidsnämnden",
    )
    assert other.status_label == CaseStatus.ACTIVE.label and other.is_ongoing
    assert other.url == elsewhere.get_absolute_url()
    assert unrelated.pk not in {o.pk for o in overview.other_cases}
    assert overview.warnings == ()  # «äldreboenden» is not «äldre»; «läsombud» is not here


def test_an_ongoing_iop_for_the_same_activity_warns_and_an_ended_one_does_not(
    case, organisation, municipality_committee
):
    ongoing = CaseFactory(
        committee=municipality_committee,
        title="Digitala träffpunkter i Torsby",
        idea_description="Träffpunkter för äldre i bygdegårdar.",
        organisations=[organisation],
        status=CaseStatus.ACTIVE,
    )
    CaseFactory(
        title="Digitala träffpunkter förr",
        idea_description="Träffpunkter för äldre i bygdegårdar.",
        organisations=[organisation],
        status=CaseStatus.CLOSED,
    )
    overview = funding_overview(case)
    assert len(overview.other_cases) == 2
    (warning,) = overview.warnings
    assert warning.kind == "case" and warning.url == ongoing.get_absolute_url()
    assert ongoing.registry_number in warning.subject and "Torsby kommun" in warning.subject
    assert warning.words == ("bygdegårdar", "digital", "träffpunkter", "äldre")


def test_a_case_with_two_organisations_reads_both_and_lists_a_shared_case_once(officer):
    first, second = OrganisationFactory(), OrganisationFactory()
    case = CaseFactory(organisations=[first, second])
    shared = CaseFactory(organisations=[first, second])
    grant(second, officer, purpose="Något")
    overview = funding_overview(case)
    assert [o.pk for o in overview.other_cases] == [shared.pk]
    assert sorted(overview.other_cases[0].organisations) == sorted([first.name, second.name])
    assert [g.organisation for g in overview.grants] == [second.name]


def test_a_case_without_organisation_has_nothing_to_compare():
    case = CaseFactory(organisations=[])
    with CaptureQueriesContext(connection) as queries:
        overview = funding_overview(case)
    assert overview.is_empty and overview.organisations == ()
    assert len(queries) == 1


# --- Queries ----------------------------------------------------------------------------------


_numbers = itertools.count()


def _other_cases(organisation, officer, n):
    for _ in range(n):
        i = next(_numbers)
        CaseFactory(
            title=f"Digitala träffpunkter {i}",
            idea_description="Träffpunkter för äldre.",
            organisations=[organisation],
            status=CaseStatus.ACTIVE,
        )
        grant(organisation, officer, giver=f"Stiftelse {i}")


def test_the_overview_costs_three_queries_with_one_other_case_and_with_five(
    case, organisation, officer, django_assert_num_queries
):
    _other_cases(organisation, officer, 1)
    fresh = Case.objects.get(pk=case.pk)
    with django_assert_num_queries(3):
        one = funding_overview(fresh)
    _other_cases(organisation, officer, 4)
    fresh = Case.objects.get(pk=case.pk)
    with django_assert_num_queries(3):
        five = funding_overview(fresh)
    assert (len(one.other_cases), len(five.other_cases)) == (1, 5)
    assert len(five.warnings) == 10  # five IOPs and five grants
    prefetched = Case.objects.prefetch_related("organisations").get(pk=case.pk)
    with django_assert_num_queries(2):
        funding_overview(prefetched)


# --- On the pages -----------------------------------------------------------------------------


def _html(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _assert_check_with_warning(html, case_registry_number=None):
    assert 'id="funding-check"' in html
    start = html.index('id="funding-warnings"')
    alert = html[html.rindex("<div", 0, start) : html.index("</div>", start)]
    assert 'role="alert"' in alert
    assert "Arvsfonden 2026" in alert and "«träffpunkter»" in alert
    assert 'id="funding-grants"' in html


@pytest.mark.parametrize(
    "role",
    [Role.CASE_OFFICER, Role.COORDINATOR, Role.JURIST, Role.SECRETARY, Role.AUDITOR, Role.FINANCE],
)
def test_the_case_page_shows_the_check_to_every_role(
    client, case, organisation, officer, make_user, role
):
    grant(organisation, officer)
    user = officer if role == Role.CASE_OFFICER else make_user(role)
    _assert_check_with_warning(_html(client, user, case.get_absolute_url()))


def test_the_case_page_without_anything_to_compare_says_so(client, case, officer):
    html = _html(client, officer, case.get_absolute_url())
    assert 'id="funding-no-warning"' in html
    assert 'id="funding-no-cases"' in html and 'id="funding-no-grants"' in html
    assert reverse("partners:detail", args=[case.organisations.get().pk]) + "#grants" in html


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_case_page_costs_the_same_with_one_other_case_and_with_five(
    client, case, organisation, officer
):
    _other_cases(organisation, officer, 1)
    client.force_login(officer)
    url = case.get_absolute_url()
    client.get(url)
    one = _queries(client, url)
    _other_cases(organisation, officer, 4)
    assert _queries(client, url) == one


def test_the_agreement_page_shows_the_check_before_and_after_the_draft_is_started(
    client, case, organisation, officer
):
    from agreements.tests.factories import complete_draft

    grant(organisation, officer)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DRAFTING)
    url = reverse("agreements:detail", args=[case.pk])
    before = _html(client, officer, url)
    assert 'id="no-agreement"' in before
    _assert_check_with_warning(before)
    complete_draft(Case.objects.get(pk=case.pk), actor=officer)
    after = _html(client, officer, url)
    assert 'id="agreement-actions"' in after
    _assert_check_with_warning(after)
    assert after.count('id="funding-check"') == 1


def test_the_agreement_page_costs_the_same_with_one_other_case_and_with_five(
    client, case, organisation, officer
):
    from agreements.tests.factories import complete_draft

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DRAFTING)
    complete_draft(Case.objects.get(pk=case.pk), actor=officer)
    _other_cases(organisation, officer, 1)
    client.force_login(officer)
    url = reverse("agreements:detail", args=[case.pk])
    client.get(url)
    one = _queries(client, url)
    _other_cases(organisation, officer, 4)
    assert _queries(client, url) == one


def test_the_jurists_review_shows_the_check(client, case, organisation, officer, jurist):
    from agreements.tests.factories import agreement_at

    grant(organisation, officer)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.DRAFTING)
    agreement_at(Case.objects.get(pk=case.pk), "submitted")
    url = reverse("agreements:review", args=[case.pk])
    html = _html(client, jurist, url)
    assert 'id="assessment-form"' in html
    _assert_check_with_warning(html)
    client.get(url)
    one = _queries(client, url)
    _other_cases(organisation, officer, 5)
    assert _queries(client, url) == one
