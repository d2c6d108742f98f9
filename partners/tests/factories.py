import datetime

import factory

from partners.models import ContactPerson, Organisation, ValueDeclaration
from partners.validators import luhn_check_digit


def _org_number(n: int) -> str:
    nine = f"802{n:06d}"
    return f"{nine}{luhn_check_digit(nine)}"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("org_number",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Föreningen {n}")
    org_number = factory.Sequence(_org_number)
    city = "Karlstad"

    class Params:
        declared = factory.Trait(
            declaration=factory.RelatedFactory(
                "partners.tests.factories.ValueDeclarationFactory", "organisation"
            )
        )


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Faker("name", locale="sv_SE")
    is_primary = True


class ValueDeclarationFactory(factory.django.DjangoModelFactory):
    """A complete, signed declaration; pass a point as False for an incomplete one."""

    class Meta:
        model = ValueDeclaration

    organisation = factory.SubFactory(OrganisationFactory)
    signatory_name = "Sara Ordförande"
    signatory_title = "Ordförande"
    signed_on = factory.LazyFunction(lambda: datetime.date(2026, 1, 15))
    no_violence = True
    no_child_rights_violation = True
    no_exploitation = True
    no_discrimination = True
    no_incitement = True
    no_anti_democracy = True
    has_routines = True
