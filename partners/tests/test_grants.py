"""Declared grants: the model and its services (validation, duplicates, withdrawal instead of
deletion), the section on the organisation page and its two screens, per role."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from iop.constants import Role
from iop.tests.factories import UserFactory
from partners.models import DeclaredGrant
from partners.services import declare_grant, withdraw_grant
from partners.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 12)
YEAR_RANGE = "The year must be between %(first)s and %(last)s."
WRITERS = {Role.CASE_OFFICER, Role.COORDINATOR}
READERS = {Role.JURIST, Role.SECRETARY, Role.AUDITOR, Role.FINANCE}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 5, 12, 10, 0), tick=False):
        yield


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Bildningsförbundet Klarälvdalen")


def _grant_fields(**overrides):
    fields = {
        "giver": "Arvsfonden",
        "purpose": "Digitala träffpunkter för äldre",
        "amount": Decimal("450000"),
        "year": 2026,
        "declared_on": datetime.date(2026, 5, 1),
    }
    fields.update(overrides)
    return fields


def _declare(organisation, actor, **overrides):
    return declare_grant(organisation=organisation, actor=actor, **_grant_fields(**overrides))


# --- The services -----------------------------------------------------------------------------


def test_declaring_records_the_grant_who_recorded_it_and_its_history(organisation, officer):
    grant = _declare(organisation, officer, giver="  Arvsfonden ")
    grant.refresh_from_db()
    assert (grant.giver, grant.amount, grant.year) == ("Arvsfonden", Decimal("450000"), 2026)
    assert grant.recorded_by == officer
    assert not grant.is_withdrawn
    assert grant.history.get().history_user == officer
    assert list(organisation.declared_grants.all()) == [grant]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"giver": " "}, "giver", "Enter who gives the grant."),
        ({"purpose": ""}, "purpose", "Enter what the grant pays for."),
        ({"amount": Decimal("-1")}, "amount", "The amount cannot be negative."),
        ({"amount": None}, "amount", "Enter the grant's amount in kronor."),
        ({"year": 1989}, "year", YEAR_RANGE),
        ({"year": 2032}, "year", YEAR_RANGE),
        (
            {"declared_on": datetime.date(2026, 5, 13)},
            "declared_on",
            "The date declared cannot be later than today.",
        ),
    ],
)
def test_a_grant_that_is_wrong_is_refused_in_swedish_and_nothing_saved(
    organisation, officer, overrides, field, message
):
    with pytest.raises(ValidationError) as refused:
        _declare(organisation, officer, **overrides)
    expected = (
        gettext(message) % {"first": 1990, "last": 2031}
        if message == YEAR_RANGE
        else gettext(message)
    )
    assert refused.value.message_dict[field] == [expected]
    assert not DeclaredGrant.objects.exists()


def test_the_same_grant_twice_is_refused_until_the_first_is_withdrawn(organisation, officer):
    first = _declare(organisation, officer)
    with pytest.raises(ValidationError) as refused:
        _declare(
            organisation, officer, giver="ARVSFONDEN", purpose="digitala träffpunkter för äldre"
        )
    assert refused.value.code == "duplicate"
    # Another year, or another purpose, is another grant.
    _declare(organisation, officer, year=2025)
    _declare(organisation, officer, purpose="Sommarläger")
    withdraw_grant(grant=first, actor=officer, reason="Fel belopp.")
    _declare(organisation, officer, amount=Decimal("400000"))
    assert DeclaredGrant.objects.count() == 4


def test_withdrawing_keeps_the_grant_with_the_reason_and_who(organisation, officer, coordinator):
    grant = _declare(organisation, officer)
    withdrawn = withdraw_grant(grant=grant, actor=coordinator, reason="  Anmält av misstag. ")
    grant.refresh_from_db()
    assert grant.is_withdrawn and withdrawn.pk == grant.pk
    assert (grant.withdrawn_by, grant.withdrawn_reason) == (coordinator, "Anmält av misstag.")
    assert [h.history_user for h in grant.history.order_by("history_date")] == [
        officer,
        coordinator,
    ]
    assert DeclaredGrant.objects.in_force().count() == 0
    assert DeclaredGrant.objects.count() == 1


def test_withdrawing_needs_a_reason_and_happens_once(organisation, officer):
    grant = _declare(organisation, officer)
    with pytest.raises(ValidationError) as refused:
        withdraw_grant(grant=grant, actor=officer, reason="  ")
    assert refused.value.message_dict["reason"] == [gettext("Say why the grant is withdrawn.")]
    withdraw_grant(grant=grant, actor=officer, reason="Dubblett.")
    with pytest.raises(ValidationError) as again:
        withdraw_grant(grant=grant, actor=officer, reason="Igen.")
    assert again.value.code == "withdrawn"
    grant.refresh_from_db()
    assert grant.withdrawn_reason == "Dubblett."


@pytest.mark.parametrize("role", sorted(READERS))
def test_reading_roles_may_neither_declare_nor_withdraw(organisation, officer, make_user, role):
    reader = make_user(role)
    with pytest.raises(PermissionDenied):
        _declare(organisation, reader)
    grant = _declare(organisation, officer)
    with pytest.raises(PermissionDenied):
        withdraw_grant(grant=grant, actor=reader, reason="Nej.")
    grant.refresh_from_db()
    assert not grant.is_withdrawn


def test_the_database_refuses_a_negative_amount_and_a_withdrawal_without_reason(organisation):
    base = {"organisation": organisation, "giver": "X", "purpose": "Y", "year": 2026}
    with pytest.raises(IntegrityError), transaction.atomic():
        DeclaredGrant.objects.create(**base, amount=-1, declared_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeclaredGrant.objects.create(
            **base, amount=1, declared_on=TODAY, withdrawn_at=datetime.datetime.now().astimezone()
        )


def test_an_organisation_with_grants_is_not_deleted(organisation, officer):
    from django.db.models import ProtectedError

    _declare(organisation, officer)
    with pytest.raises(ProtectedError):
        organisation.delete()


# --- The organisation page's section ----------------------------------------------------------


def _page(client, user, organisation):
    client.force_login(user)
    return client.get(reverse("partners:detail", args=[organisation.pk]))


@pytest.mark.parametrize("role", sorted(WRITERS | READERS))
def test_every_role_reads_the_grants_and_only_writers_get_the_buttons(
    client, organisation, officer, make_user, role
):
    kept = _declare(organisation, officer)
    gone = _declare(organisation, officer, giver="Svenska Akademien", purpose="Läsestunder")
    withdraw_grant(grant=gone, actor=officer, reason="Beviljades inte.")
    response = _page(client, make_user(role), organisation)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="grant-table"' in html
    assert "Arvsfonden" in html and "450\xa0000&nbsp;kr" in html
    # The withdrawn one is shown as withdrawn, with its reason, not silently dropped.
    assert gettext("Withdrawn") in html and "Beviljades inte." in html
    add_url = reverse("partners:grant_create", args=[organisation.pk])
    withdraw_kept = reverse("partners:grant_withdraw", args=[organisation.pk, kept.pk])
    withdraw_gone = reverse("partners:grant_withdraw", args=[organisation.pk, gone.pk])
    assert (add_url in html) is (role in WRITERS)
    assert (withdraw_kept in html) is (role in WRITERS)
    assert withdraw_gone not in html


def test_an_organisation_without_grants_says_so(client, organisation, officer):
    html = _page(client, officer, organisation).content.decode()
    assert 'id="no-grants"' in html


def test_the_page_costs_the_same_queries_with_one_grant_and_with_many(
    client, organisation, officer
):
    _declare(organisation, officer)
    client.force_login(officer)
    url = reverse("partners:detail", args=[organisation.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(5):
        grant = _declare(organisation, officer, giver=f"Stiftelse {n}")
        if n % 2:
            withdraw_grant(grant=grant, actor=officer, reason="Fel.")
    with CaptureQueriesContext(connection) as six:
        assert client.get(url).content.decode().count('id="grant-') == 6 + 1  # + the table
    assert len(six) == len(one)


# --- Recording a grant ------------------------------------------------------------------------


def _create_url(organisation):
    return reverse("partners:grant_create", args=[organisation.pk])


def _typed(**overrides):
    data = {
        "giver": "Arvsfonden",
        "purpose": "Digitala träffpunkter för äldre",
        "amount": "450 000 kr",
        "year": "2026",
        "declared_on": "2026-05-02",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_log_in(client, organisation):
    response = client.get(_create_url(organisation))
    assert response.status_code == 302 and "logga-in" in response["Location"]


@pytest.mark.parametrize("role", sorted(WRITERS | READERS))
def test_who_may_record_a_grant(client, organisation, make_user, role):
    user = make_user(role)
    client.force_login(user)
    get = client.get(_create_url(organisation))
    post = client.post(_create_url(organisation), _typed())
    if role in WRITERS:
        assert get.status_code == 200 and 'id="grant-form"' in get.content.decode()
        assert get["Cache-Control"].count("no-store") == 1
        assert post.status_code == 302
        assert post["Location"].endswith(f"/organisationer/{organisation.pk}/#grants")
        grant = DeclaredGrant.objects.get()
        assert (grant.amount, grant.year, grant.recorded_by) == (Decimal("450000"), 2026, user)
        assert grant.declared_on == datetime.date(2026, 5, 2)
    else:
        assert (get.status_code, post.status_code) == (403, 403)
        assert not DeclaredGrant.objects.exists()


def test_a_wrong_grant_comes_back_with_what_was_typed_and_the_reason(client, organisation, officer):
    client.force_login(officer)
    response = client.post(
        _create_url(organisation),
        _typed(giver="Stiftelsen Läsande Barn", amount="femtio", year="1800"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Stiftelsen Läsande Barn"' in html
    assert "Digitala träffpunkter för äldre</textarea>" in html
    assert gettext("Enter the amount in whole kronor, e.g. 250 000.") in html
    assert not DeclaredGrant.objects.exists()


def test_the_services_refusal_is_shown_next_to_its_field(client, organisation, officer):
    client.force_login(officer)
    response = client.post(_create_url(organisation), _typed(year="1800"))
    html = response.content.decode()
    assert response.status_code == 200
    assert gettext(YEAR_RANGE) % {"first": 1990, "last": 2031} in html
    assert 'value="1800"' in html
    client.post(_create_url(organisation), _typed())
    duplicate = client.post(_create_url(organisation), _typed(amount="1"))
    assert 'id="form-errors"' in duplicate.content.decode()
    assert DeclaredGrant.objects.count() == 1


def test_an_invisible_organisation_is_404(client, officer):
    client.force_login(officer)
    assert client.get(reverse("partners:grant_create", args=[999_999])).status_code == 404


# --- Withdrawing a grant ----------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(WRITERS | READERS))
def test_who_may_withdraw_a_grant(client, organisation, officer, make_user, role):
    grant = _declare(organisation, officer)
    url = reverse("partners:grant_withdraw", args=[organisation.pk, grant.pk])
    user = officer if role == Role.CASE_OFFICER else make_user(role)
    client.force_login(user)
    get = client.get(url)
    post = client.post(url, {"reason": "Anmält av misstag."})
    grant.refresh_from_db()
    if role in WRITERS:
        assert get.status_code == 200 and "Arvsfonden" in get.content.decode()
        assert "no-store" in get["Cache-Control"]
        assert post.status_code == 302 and grant.is_withdrawn
        assert grant.withdrawn_by == user
    else:
        assert (get.status_code, post.status_code) == (403, 403)
        assert not grant.is_withdrawn


def test_withdrawing_without_a_reason_shows_the_form_again(client, organisation, officer):
    grant = _declare(organisation, officer)
    url = reverse("partners:grant_withdraw", args=[organisation.pk, grant.pk])
    client.force_login(officer)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert gettext("Say why the grant is withdrawn.") in response.content.decode()
    grant.refresh_from_db()
    assert not grant.is_withdrawn


def test_a_withdrawn_grant_offers_no_second_withdrawal(client, organisation, officer):
    grant = _declare(organisation, officer)
    withdraw_grant(grant=grant, actor=officer, reason="Dubblett.")
    url = reverse("partners:grant_withdraw", args=[organisation.pk, grant.pk])
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert 'id="already-withdrawn"' in page and "Dubblett." in page
    assert 'id="grant-withdraw-form"' not in page
    again = client.post(url, {"reason": "Igen."})
    assert again.status_code == 409
    grant.refresh_from_db()
    assert grant.withdrawn_reason == "Dubblett."


def test_a_grant_of_another_organisation_is_404(client, organisation, officer):
    other = OrganisationFactory()
    grant = _declare(other, officer)
    client.force_login(officer)
    url = reverse("partners:grant_withdraw", args=[organisation.pk, grant.pk])
    assert client.get(url).status_code == 404


# --- The admin writes through the services ----------------------------------------------------


def test_the_admin_records_and_withdraws_through_the_services(client, organisation):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    add = client.post(
        reverse("admin:partners_declaredgrant_add"),
        {"organisation": organisation.pk, **_typed(amount="450 000")},
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    grant = DeclaredGrant.objects.get()
    assert grant.recorded_by == admin and grant.amount == Decimal("450000")
    change = client.post(
        reverse("admin:partners_declaredgrant_change", args=[grant.pk]),
        {"withdrawn_reason": "Fel år."},
    )
    assert change.status_code == 302
    grant.refresh_from_db()
    assert grant.is_withdrawn and grant.withdrawn_by == admin
    assert client.get(reverse("admin:partners_declaredgrant_changelist")).status_code == 200


# --- The demo ---------------------------------------------------------------------------------
