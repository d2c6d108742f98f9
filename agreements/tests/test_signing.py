"""The signing page: parties sign the approved version in order, the last signature makes the
partnership active, and only whoever handles the case records signatures."""

from __future__ import annotations

import datetime
import re

import pytest

from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from agreements import services
from agreements.constants import PartyKind, VersionStatus
from agreements.models import AgreementParty, AgreementVersion
from agreements.tests.factories import agreement_at
from decisions.constants import MatterKind, Outcome
from decisions.tests.factories import decide
from iop.constants import CaseStatus, Role
from partners.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signing_version():
    """The committee approved the IOP; nobody has signed yet."""
    return agreement_at(None, "signing")


def _url(version: AgreementVersion) -> str:
    return reverse("agreements:signing", args=[version.agreement.case_id])


def _parties(version: AgreementVersion) -> list[AgreementParty]:
    return list(version.parties.order_by("order", "pk"))


def _post(client, version, party, *, signed_on=None, method="paper"):
    return client.post(
        _url(version),
        {
            "party": party.pk,
            "signed_on": (signed_on or timezone.localdate()).isoformat(),
            "method": method,
        },
    )


# --- Access ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, signing_version):
    response = client.get(_url(signing_version))
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))


def test_user_without_role_is_refused(client, make_user, signing_version):
    client.force_login(make_user(None))
    assert client.get(_url(signing_version)).status_code == 403
    assert _post(client, signing_version, _parties(signing_version)[0]).status_code == 403


@pytest.mark.parametrize(
    ("role", "records"),
    [
        ("case_officer", True),
        (Role.COORDINATOR, True),
        (Role.CASE_OFFICER, False),  # an officer, but not this case's
        (Role.JURIST, False),
        (Role.SECRETARY, False),
        (Role.FINANCE, False),
        (Role.AUDITOR, False),
    ],
)
def test_role_matrix(client, make_user, signing_version, role, records):
    case = signing_version.agreement.case
    user = case.officer if role == "case_officer" else make_user(role)
    client.force_login(user)
    response = client.get(_url(signing_version))
    assert response.status_code == 200
    assert (response.context["form"] is not None) == records
    first = _parties(signing_version)[0]
    response = _post(client, signing_version, first)
    if records:
        assert response.status_code == 302
        first.refresh_from_db()
        assert first.has_signed and first.signature_recorded_by == user
    else:
        assert response.status_code == 403
        first.refresh_from_db()
        assert not first.has_signed


def test_the_substitute_records_signatures(client, make_user, signing_version):
    case = signing_version.agreement.case
    case.substitute = make_user(Role.CASE_OFFICER)
    case.save()
    client.force_login(case.substitute)
    assert _post(client, signing_version, _parties(signing_version)[0]).status_code == 302


# --- Signing -----------------------------------------------------------------------------


def test_page_lists_parties_in_order_with_the_next_to_sign(client, auditor, signing_version):
    client.force_login(auditor)
    response = client.get(_url(signing_version))
    state = response.context["state"]
    assert state.is_open
    assert state.version == signing_version
    assert state.parties == _parties(signing_version)
    assert state.next_party == state.parties[0]
    assert response.context["form"] is None
    content = response.content.decode()
    assert f'id="signing-party-{state.parties[0].pk}" data-signed="no" aria-current="step"' in (
        content
    )
    assert 'id="signing-readonly"' in content


def test_signing_out_of_order_is_refused(client, signing_version):
    case = signing_version.agreement.case
    first, second = _parties(signing_version)
    client.force_login(case.officer)
    response = _post(client, signing_version, second, method="digital")
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert (
        gettext("The parties sign in order: first %(parties)s.") % {"parties": first.name} in errors
    )
    second.refresh_from_db()
    assert not second.has_signed
    # What was typed is kept.
    form = response.context["form"]
    assert form.data["method"] == "digital"
    assert re.search(r'value="digital"[^>]*checked', response.content.decode())
    # The form is offered again for whoever is next, not for the party that was refused.
    assert form["party"].value() == str(first.pk)


def test_a_future_date_is_refused_and_kept(client, signing_version):
    case = signing_version.agreement.case
    first = _parties(signing_version)[0]
    client.force_login(case.officer)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(client, signing_version, first, signed_on=tomorrow)
    assert response.status_code == 200
    assert gettext("The date of signing cannot be in the future.") in (
        response.context["form"].non_field_errors()
    )
    assert f'value="{tomorrow.isoformat()}"' in response.content.decode()
    first.refresh_from_db()
    assert not first.has_signed


def test_missing_fields_are_explained(client, signing_version):
    client.force_login(signing_version.agreement.case.officer)
    response = client.post(_url(signing_version), {"party": _parties(signing_version)[0].pk})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"signed_on", "method"}
    assert b'id="form-errors"' in response.content


def test_an_unknown_party_is_refused(client, signing_version):
    other = agreement_at(None, "signing")
    client.force_login(signing_version.agreement.case.officer)
    response = _post(client, signing_version, _parties(other)[0])
    assert response.status_code == 200
    assert "party" in response.context["form"].errors


def test_already_signed_is_refused(client, signing_version):
    """A page left open while someone else recorded the signature."""
    first, second = _parties(signing_version)
    client.force_login(signing_version.agreement.case.officer)
    assert _post(client, signing_version, first).status_code == 302
    response = _post(client, signing_version, first)
    assert response.status_code == 200
    form = response.context["form"]
    assert gettext("%(party)s has already signed.") % {"party": first.name} in (
        form.non_field_errors()
    )
    assert form["party"].value() == str(second.pk)


def test_the_last_signature_activates_the_case(client, signing_version):
    case = signing_version.agreement.case
    first, second = _parties(signing_version)
    client.force_login(case.officer)
    response = _post(client, signing_version, first)
    assert response.status_code == 302
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(gettext("Next to sign: %(party)s.") % {"party": second.name} in n for n in notes)
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNING

    response = _post(client, signing_version, second, method="digital")
    assert response.status_code == 302
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(
        gettext("Every party has signed: the partnership is now active.") in n for n in notes
    )
    case.refresh_from_db()
    signing_version.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert signing_version.status == VersionStatus.SIGNED

    response = client.get(_url(signing_version))
    state = response.context["state"]
    assert not state.is_open and response.context["form"] is None
    assert all(p.has_signed for p in state.parties)


@pytest.mark.parametrize("state", ["approved", "signed"])
def test_wrong_stage_is_refused_with_the_reason(client, state):
    version = agreement_at(None, state)
    case = version.agreement.case
    client.force_login(case.officer)
    response = client.get(_url(version))
    assert response.status_code == 200
    assert not response.context["state"].is_open
    assert response.context["form"] is None
    before = [(p.pk, p.signed_on) for p in _parties(version)]
    response = _post(client, version, _parties(version)[0])
    assert response.status_code == 409
    assert response.context["refusal"]
    assert [(p.pk, p.signed_on) for p in _parties(version)] == before


def test_case_without_agreement_says_nothing_to_sign(client, officer):
    from agreements.tests.factories import drafting_case

    case = drafting_case()
    client.force_login(officer)
    response = client.get(reverse("agreements:signing", args=[case.pk]))
    assert response.status_code == 200
    assert response.context["state"].version is None


def test_renegotiated_version_is_signed_here(client, secretary, jurist):
    from agreements.tests.factories import record_assessment

    signed = agreement_at(None, "signed")
    case = signed.agreement.case
    decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    draft = services.start_revision(case=case, actor=case.officer)
    services.submit_draft(case=case, actor=case.officer)
    record_assessment(AgreementVersion.objects.get(pk=draft.pk), jurist)
    services.approve_version(case=case, actor=jurist)
    client.force_login(case.officer)
    response = client.get(_url(signed))
    assert response.context["state"].version.pk == draft.pk
    for party in _parties(draft):
        assert _post(client, draft, party).status_code == 302
    case.refresh_from_db()
    signed.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert signed.status == VersionStatus.SUPERSEDED


# --- Query counts ------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_signing_page_queries_do_not_grow(client, signing_version):
    case = signing_version.agreement.case
    client.force_login(case.officer)
    few = _queries(client, _url(signing_version))
    for order in range(3, 13):
        AgreementParty.objects.create(
            version=signing_version,
            order=order,
            kind=PartyKind.ORGANISATION,
            organisation=OrganisationFactory(),
            signatory_name=f"Firmatecknare {order}",
        )
    first = _parties(signing_version)[0]
    services.record_signature(
        party=first, actor=case.officer, signed_on=timezone.localdate(), method="paper"
    )
    assert _queries(client, _url(signing_version)) == few
