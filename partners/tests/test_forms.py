"""The organisation number as typed by people: with or without the hyphen it is accepted
and stored as ten digits; anything else is refused with a message saying what is wrong,
and the form comes back with what was typed."""

from __future__ import annotations

import datetime

import pytest

from django.utils import timezone, translation

from partners.forms import ContactPersonForm, OrganisationForm, ValueDeclarationForm
from partners.models import Organisation, ValueDeclaration
from partners.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def organisation_data(**overrides) -> dict:
    return {
        "name": "Fritidsbanken Karlstad",
        "org_number": "802002-3456",
        "legal_form": "ideell_forening",
        "city": "Karlstad",
        **overrides,
    }


def org_number_errors(form) -> list[tuple[str, str]]:
    """(code, English message) of each error on the organisation number."""
    with translation.override("en"):
        return [(e.code, e.messages[0]) for e in form.errors.as_data().get("org_number", [])]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("802002-3456", "8020023456"),
        ("5560160680", "5560160680"),
        ("556016-0680", "5560160680"),
        (" 802002 3456 ", "8020023456"),
    ],
)
def test_an_organisation_number_is_accepted_with_or_without_the_hyphen(typed, stored):
    form = OrganisationForm(organisation_data(org_number=typed))
    assert form.is_valid(), form.errors
    organisation = form.save()
    assert Organisation.objects.get(pk=organisation.pk).org_number == stored


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        (
            "802002-3457",
            "check_digit",
            "The organisation number 802002-3457 is not valid: the check digit (the last digit) "
            "does not match. Check the number against the registration certificate.",
        ),
        (
            "80200234",
            "wrong_length",
            "An organisation number has ten digits (e.g. 802002-3456); you entered 8.",
        ),
        (
            "802002-345",
            "wrong_length",
            "An organisation number has ten digits (e.g. 802002-3456); you entered 9.",
        ),
        (
            "802002-34567",
            "wrong_length",
            "An organisation number has ten digits (e.g. 802002-3456); you entered 11.",
        ),
        (
            "80200A-3456",
            "not_digits",
            "An organisation number may only contain digits and a hyphen, e.g. 802002-3456.",
        ),
        (
            "Fritidsbanken Karlstad",
            "not_digits",
            "An organisation number may only contain digits and a hyphen, e.g. 802002-3456.",
        ),
    ],
)
def test_a_wrong_organisation_number_is_refused_with_what_is_wrong(typed, code, message):
    form = OrganisationForm(organisation_data(org_number=typed))
    assert not form.is_valid()
    assert org_number_errors(form) == [(code, message)]
    assert Organisation.objects.count() == 0
    # The form comes back with what was typed, so it can be corrected rather than retyped.
    assert f'value="{typed}"' in form.as_div()
    assert 'value="Fritidsbanken Karlstad"' in form.as_div()


def test_an_organisation_number_already_registered_is_refused_naming_the_organisation():
    OrganisationFactory(name="Fritidsbanken Karlstad", org_number="8020023456")
    form = OrganisationForm(organisation_data(name="Fritidsbanken", org_number="8020023456"))
    assert not form.is_valid()
    assert org_number_errors(form) == [
        (
            "already_registered",
            "The organisation number 802002-3456 is already registered, for Fritidsbanken "
            "Karlstad. Open that organisation instead of registering it again.",
        )
    ]
    hyphenated = OrganisationForm(organisation_data(org_number="802002-3456"))
    assert [code for code, _ in org_number_errors(hyphenated)] == ["already_registered"]
    assert Organisation.objects.count() == 1


def test_editing_an_organisation_keeps_its_own_number_valid_and_shows_it_with_the_hyphen():
    organisation = OrganisationFactory(org_number="8020023456")
    unbound = OrganisationForm(instance=organisation)
    assert 'value="802002-3456"' in unbound.as_div()
    form = OrganisationForm(
        organisation_data(name="Nytt namn", org_number="802002-3456"), instance=organisation
    )
    assert form.is_valid(), form.errors
    form.save()
    organisation.refresh_from_db()
    assert (organisation.name, organisation.org_number) == ("Nytt namn", "8020023456")


def test_a_contact_person_needs_a_name():
    assert ContactPersonForm({"name": "Sara Ordförande", "is_primary": "on"}).is_valid()
    form = ContactPersonForm({"email": "sara@example.se"})
    assert [e.code for e in form.errors.as_data()["name"]] == ["required"]


# --- Value declaration ------------------------------------------------------------------------


def declaration_data(**overrides) -> dict:
    return {
        "signatory_name": "Sara Ordförande",
        "signatory_title": "Ordförande",
        "signed_on": "2026-01-15",
        **dict.fromkeys(ValueDeclaration.POINT_FIELDS, "on"),
        **overrides,
    }


def test_a_declaration_with_every_point_confirmed_is_signed():
    form = ValueDeclarationForm(declaration_data())
    assert form.is_valid(), form.errors
    assert form.is_complete
    form.instance.organisation = OrganisationFactory()
    assert form.save().is_signed


@pytest.mark.parametrize("missing", ValueDeclaration.POINT_FIELDS)
def test_a_declaration_with_a_point_left_unconfirmed_is_kept_but_not_signed(missing):
    data = declaration_data()
    del data[missing]
    form = ValueDeclarationForm(data)
    assert form.is_valid(), form.errors
    assert not form.is_complete
    assert form.unconfirmed_points == [str(form.fields[missing].label)]
    form.instance.organisation = OrganisationFactory()
    declaration = form.save()
    assert not declaration.is_signed
    assert not declaration.organisation.has_signed_value_declaration()


def test_a_declaration_cannot_be_signed_in_the_future():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = ValueDeclarationForm(declaration_data(signed_on=tomorrow.isoformat()))
    assert [e.code for e in form.errors.as_data()["signed_on"]] == ["future"]
    assert f'value="{tomorrow.isoformat()}"' in form.as_div()
