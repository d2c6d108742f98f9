"""Register an initiative (cases:create): the case, a new organisation and its contact
person in one transaction, or nothing at all."""

from __future__ import annotations

import datetime
import re

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from iop.constants import CaseEventKind, CaseStatus, LegalForm, Role
from iop.models import Case, CaseEvent, RegistrySequence
from iop.tests.factories import CommitteeFactory
from partners.models import ContactPerson, Organisation
from partners.tests.factories import OrganisationFactory
from partners.validators import luhn_check_digit

pytestmark = pytest.mark.django_db

URL = reverse("cases:create")

NEW_ORG_NUMBER = "802481-1658"  # valid check digit
assert luhn_check_digit("802481165") == 8
WRONG_CHECK_DIGIT = "802481-1657"


@pytest.fixture
def committee():
    return CommitteeFactory()


def form_data(committee, officer, **overrides):
    data = {
        "title": "Mötesplatser för äldre",
        "societal_challenge": "Ensamhet bland äldre på landsbygden.",
        "idea_description": "Föreningen vill bygga upp mötesplatser i fem byar.",
        "received_on": "2026-03-02",
        "plan_direction": "Ingen ska vara ofrivilligt ensam.",
        "plan_activities": "Mötesplatser, telefonvänner.",
        "plan_timetable": "Start hösten 2026.",
        "plan_concrete_results": "Fem mötesplatser.",
        "plan_intangible_results": "Tillit och gemenskap.",
        "plan_target_group": "Äldre på landsbygden.",
        "plan_core_team": "Föreningens ordförande och handläggaren.",
        "plan_stakeholders": "Kommunerna, kyrkan.",
        "plan_anchoring": "Styrelsen och nämnden.",
        "plan_next_step": "Första mötet i april.",
        "committee": committee.pk,
        "officer": officer.pk,
        "substitute": "",
        "org-legal_form": LegalForm.NON_PROFIT_ASSOCIATION,
    }
    data.update(overrides)
    return data


NEW_ORG = {
    "org-name": "Byalaget Norra Ny",
    "org-org_number": NEW_ORG_NUMBER,
    "org-legal_form": LegalForm.NON_PROFIT_ASSOCIATION,
    "org-email": "info@byalaget.se",
    "org-phone": "0563-123 45",
    "contact-name": "Sara Ordförande",
    "contact-title": "Ordförande",
}


def counts() -> tuple[int, int, int, int]:
    return (
        Case.objects.count(),
        Organisation.objects.count(),
        ContactPerson.objects.count(),
        CaseEvent.objects.count(),
    )


def error_codes(form) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in form.errors.as_data().items()}


# --- Registering ------------------------------------------------------------------------------


def test_the_form_offers_active_committees_and_defaults_the_officer_to_the_user(
    client, officer, make_user
):
    active = CommitteeFactory()
    retired = CommitteeFactory(name="Gamla nämnden", short_code="GN", is_active=False)
    auditor = make_user(Role.AUDITOR)
    client.force_login(officer)

    response = client.get(URL)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["committee"].queryset) == [active]
    assert retired not in form.fields["committee"].queryset
    assert form["officer"].value() == officer.pk
    assert auditor not in form.fields["officer"].queryset
    assert form["received_on"].value() == timezone.localdate()
    html = response.content.decode()
    assert f'<option value="{officer.pk}" selected>' in html
    for field in ("plan_direction", "plan_anchoring", "plan_next_step", "org-org_number"):
        assert f'name="{field}"' in html
    assert 'name="org-website"' not in html  # completed on the organisation's own page


def test_an_officer_registers_an_initiative_with_a_new_organisation(
    client, officer, committee, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    before = counts()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(committee, officer, **NEW_ORG))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.pk])
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 2)
    # Registry number from the committee's public body and the date received.
    assert re.fullmatch(r"RV 2026/\d{5}", case.registry_number)
    assert case.registry_year == 2026
    assert RegistrySequence.objects.get(year=2026).last_serial == case.registry_serial
    assert case.status == CaseStatus.RECEIVED
    assert case.received_on == datetime.date(2026, 3, 2)
    assert case.officer == officer and case.created_by == officer
    assert case.plan_direction == "Ingen ska vara ofrivilligt ensam."
    assert case.plan_next_step == "Första mötet i april."
    organisation = Organisation.objects.get(org_number="8024811658")
    assert list(case.organisations.all()) == [organisation]
    assert organisation.email == "info@byalaget.se"
    contact = organisation.contacts.get()
    assert (contact.name, contact.title, contact.is_primary) == (
        "Sara Ordförande",
        "Ordförande",
        True,
    )
    assert organisation.history.get().history_user == officer
    assert case.history.first().history_user == officer
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {CaseEventKind.CREATED, CaseEventKind.ASSIGNMENT}


def test_existing_organisations_are_chosen_and_a_substitute_set(
    client, coordinator, officer, committee
):
    first, second, _other = OrganisationFactory.create_batch(3)
    client.force_login(coordinator)
    before = Organisation.objects.count()

    response = client.post(
        URL,
        form_data(
            committee,
            officer,
            organisations=[first.pk, second.pk],
            substitute=coordinator.pk,
        ),
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert set(case.organisations.all()) == {first, second}
    assert Organisation.objects.count() == before
    assert (case.officer, case.substitute, case.created_by) == (officer, coordinator, coordinator)
    # The coordinator registered it for someone else: the assignment names the officer.
    assignment = case.events.get(kind=CaseEventKind.ASSIGNMENT)
    assert assignment.assignee == officer


def test_a_chosen_and_a_new_organisation_together(client, officer, committee):
    existing = OrganisationFactory()
    client.force_login(officer)

    response = client.post(
        URL, form_data(committee, officer, organisations=[existing.pk], **NEW_ORG)
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert set(case.organisations.values_list("name", flat=True)) == {
        existing.name,
        "Byalaget Norra Ny",
    }


# --- Bad input: the page again with every value, nothing saved ------------------------------


def test_an_empty_form_is_refused_and_nothing_saved(client, officer, committee):
    client.force_login(officer)
    before = counts()

    response = client.post(URL, {})

    assert response.status_code == 200
    assert counts() == before
    codes = error_codes(response.context["intake"].case_form)
    assert codes["organisations"] == ["no_organisation"]
    for field in ("title", "societal_challenge", "idea_description", "committee", "officer"):
        assert codes[field] == ["required"], field
    html = response.content.decode()
    assert 'role="alert"' in html and 'id="form-errors"' in html
    assert 'href="#id_title"' in html  # the summary links to the field


def test_a_wrong_check_digit_keeps_every_value_and_saves_nothing(client, officer, committee):
    existing = OrganisationFactory()
    client.force_login(officer)
    before = counts()
    data = form_data(
        committee,
        officer,
        organisations=[existing.pk],
        **{**NEW_ORG, "org-org_number": WRONG_CHECK_DIGIT},
    )

    response = client.post(URL, data)

    assert response.status_code == 200
    assert counts() == before
    assert RegistrySequence.objects.count() == 0
    intake = response.context["intake"]
    assert error_codes(intake.organisation_form) == {"org_number": ["check_digit"]}
    assert not intake.case_form.errors
    html = response.content.decode()
    # Everything typed is still there, including the wrong number and the planning sheets.
    assert f'value="{WRONG_CHECK_DIGIT}"' in html
    assert 'value="Byalaget Norra Ny"' in html
    assert 'value="Mötesplatser för äldre"' in html
    assert "Ensamhet bland äldre på landsbygden.</textarea>" in html
    assert "Första mötet i april.</textarea>" in html
    assert 'value="2026-03-02"' in html
    assert f'<option value="{existing.pk}" selected>' in html
    assert f'<option value="{committee.pk}" selected>' in html
    assert "<details" in html and 'id="new-organisation" open' in html
    assert 'href="#id_org-org_number"' in html  # in the summary at the top


def test_no_organisation_chosen_nor_created_is_refused(client, officer, committee):
    client.force_login(officer)
    before = counts()

    response = client.post(URL, form_data(committee, officer))

    assert response.status_code == 200
    assert counts() == before
    intake = response.context["intake"]
    assert error_codes(intake.case_form) == {"organisations": ["no_organisation"]}
    assert 'value="Mötesplatser för äldre"' in response.content.decode()


def test_a_contact_person_alone_asks_for_the_new_organisation(client, officer, committee):
    client.force_login(officer)
    before = counts()

    response = client.post(URL, form_data(committee, officer, **{"contact-name": "Sara"}))

    assert response.status_code == 200
    assert counts() == before
    codes = error_codes(response.context["intake"].organisation_form)
    assert codes == {"name": ["required"], "org_number": ["required"]}


def test_a_contact_role_without_a_name_is_refused(client, officer, committee):
    client.force_login(officer)
    before = counts()
    data = form_data(committee, officer, **{**NEW_ORG, "contact-name": ""})

    response = client.post(URL, data)

    assert counts() == before
    assert error_codes(response.context["intake"].contact_form) == {"name": ["required"]}


def test_a_new_organisation_without_a_contact_person(client, officer, committee):
    client.force_login(officer)
    data = form_data(committee, officer, **{**NEW_ORG, "contact-name": "", "contact-title": ""})

    response = client.post(URL, data)

    assert response.status_code == 302
    organisation = Organisation.objects.get(org_number="8024811658")
    assert not organisation.contacts.exists()


def test_an_organisation_number_already_registered_is_refused(client, officer, committee):
    existing = OrganisationFactory()
    client.force_login(officer)
    before = counts()

    response = client.post(
        URL, form_data(committee, officer, **{**NEW_ORG, "org-org_number": existing.org_number})
    )

    assert counts() == before
    codes = error_codes(response.context["intake"].organisation_form)
    assert codes == {"org_number": ["already_registered"]}


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"received_on": "2999-01-01"}, "received_on", "future"),
        ({"substitute": "officer"}, "substitute", "same_person"),
        ({"officer": "auditor"}, "officer", "invalid_choice"),
        ({"committee": "retired"}, "committee", "invalid_choice"),
    ],
)
def test_invalid_case_fields_are_refused(
    client, officer, auditor, committee, overrides, field, code
):
    retired = CommitteeFactory(name="Gamla nämnden", short_code="GN", is_active=False)
    people = {"officer": officer.pk, "auditor": auditor.pk, "retired": retired.pk}
    overrides = {k: people.get(v, v) for k, v in overrides.items()}
    client.force_login(officer)
    before = counts()

    data = {**form_data(committee, officer, **NEW_ORG), **overrides}

    response = client.post(URL, data)

    assert response.status_code == 200
    assert counts() == before
    assert error_codes(response.context["intake"].case_form) == {field: [code]}


def test_if_the_case_cannot_be_registered_the_new_organisation_is_not_saved_either(
    client, officer, committee, monkeypatch
):
    """One transaction: the organisation is created first; a failure after it undoes it."""
    from iop.services import intake as services_intake

    def refuse(**kwargs):
        assert Organisation.objects.filter(name="Byalaget Norra Ny").exists()
        raise ValidationError({"title": ValidationError("Refused for the test.", code="test")})

    monkeypatch.setattr(services_intake, "case_register", refuse)
    client.force_login(officer)
    before = counts()

    response = client.post(URL, form_data(committee, officer, **NEW_ORG))

    assert response.status_code == 200
    assert counts() == before
    assert error_codes(response.context["intake"].case_form) == {"title": ["test"]}
    assert 'value="Byalaget Norra Ny"' in response.content.decode()


def test_an_unexpected_failure_also_saves_nothing(officer, committee, monkeypatch):
    from iop.services import intake as services_intake

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services_intake, "case_register", boom)
    before = counts()
    with pytest.raises(RuntimeError):
        services_intake.initiative_register(
            actor=officer,
            new_organisation={"name": "X", "org_number": "8024811658"},
            new_contact={"name": "Y"},
            title="T",
            committee=committee,
            societal_challenge="S",
            idea_description="I",
        )
    assert counts() == before


def test_the_service_refuses_users_who_may_not_register(jurist, committee):
    from django.core.exceptions import PermissionDenied

    from iop.services.intake import initiative_register

    with pytest.raises(PermissionDenied):
        initiative_register(
            actor=jurist,
            organisations=[OrganisationFactory()],
            title="T",
            committee=committee,
            societal_challenge="S",
            idea_description="I",
        )
    assert Case.objects.count() == 0


# --- Who may register -------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CASE_OFFICER, True),
        (Role.COORDINATOR, True),
        (Role.JURIST, False),
        (Role.SECRETARY, False),
        (Role.FINANCE, False),
        (Role.AUDITOR, False),
    ],
)
def test_permission_matrix(client, make_user, committee, role, allowed):
    user = make_user(role)
    client.force_login(user)
    other_officer = make_user(Role.CASE_OFFICER, username="bo")

    get = client.get(URL)
    post = client.post(
        URL, form_data(committee, other_officer, organisations=[OrganisationFactory().pk])
    )

    if allowed:
        assert get.status_code == 200
        assert post.status_code == 302
        assert Case.objects.count() == 1
    else:
        assert get.status_code == 403
        assert post.status_code == 403
        assert Case.objects.count() == 0


def test_a_user_without_a_role_gets_403(client, make_user):
    client.force_login(make_user(None))
    assert client.get(URL).status_code == 403
