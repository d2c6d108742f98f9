import factory

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from iop.constants import CaseStatus, Criterion, PublicBodyKind, Role
from iop.models import Case, CaseDocument, Checklist, ChecklistAnswer, Committee, PublicBody
from iop.services import next_registry_number
from partners.tests.factories import OrganisationFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.se")
    password = factory.PostGenerationMethodCall("set_password", "lösenord-för-test")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """UserFactory(role=Role.JURIST) puts the user in that role's group."""
        if create and extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))
        if create:
            self.save()


class PublicBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicBody
        django_get_or_create = ("short_code",)

    name = "Region Värmland"
    short_code = "RV"
    kind = PublicBodyKind.REGION


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee
        django_get_or_create = ("public_body", "short_code")

    public_body = factory.SubFactory(PublicBodyFactory)
    name = "Kultur- och bildningsnämnden"
    short_code = "KBN"


class CaseFactory(factory.django.DjangoModelFactory):
    """A case at any stage: CaseFactory(status=CaseStatus.ACTIVE). The registry number is
    drawn from the real sequence, so factories and services never collide."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    committee = factory.SubFactory(CommitteeFactory)
    public_body = factory.SelfAttribute("committee.public_body")
    title = factory.Sequence(lambda n: f"Partnerskap {n}")
    societal_challenge = "Ensamhet bland äldre på landsbygden."
    idea_description = "Föreningen vill tillsammans med regionen bygga upp mötesplatser."
    officer = factory.SubFactory(UserFactory, role=Role.CASE_OFFICER)
    status = CaseStatus.RECEIVED
    registry_year = 2026

    @factory.lazy_attribute_sequence
    def registry_serial(self, n):
        return 0

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The sequence row is locked until the case is saved, as in case_register; atomic also
        # in tests that run in autocommit (django_db(transaction=True)).
        with transaction.atomic():
            serial, number = next_registry_number(
                public_body=kwargs["public_body"], year=kwargs["registry_year"]
            )
            kwargs.update(registry_serial=serial, registry_number=number)
            return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if not create:
            return
        self.organisations.set(
            extracted if extracted is not None else [OrganisationFactory(declared=True)]
        )
        self.public_bodies.add(self.public_body)

    class Params:
        # A case ready to leave preparation: checklist all met, every declaration signed.
        ready_for_drafting = factory.Trait(
            status=CaseStatus.PREPARATION,
            checklist=factory.RelatedFactory(
                "iop.tests.factories.ChecklistFactory", "case", all_met=True
            ),
        )


class ChecklistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checklist
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)

    @factory.post_generation
    def all_met(self, create, extracted, **kwargs):
        """ChecklistFactory(all_met=True) answers every criterion yes; False leaves them open."""
        if create:
            ChecklistAnswer.objects.bulk_create(
                [
                    ChecklistAnswer(checklist=self, criterion=c, answer=True if extracted else None)
                    for c in Criterion
                ]
            )


class CaseDocumentFactory(factory.django.DjangoModelFactory):
    """A document registered in a case; CaseDocumentFactory(case=c, kind=CaseDocument.Kind.WIND_DOWN_PLAN)."""

    class Meta:
        model = CaseDocument

    case = factory.SubFactory(CaseFactory)
    kind = CaseDocument.Kind.OTHER
    title = factory.LazyAttribute(lambda d: str(CaseDocument.Kind(d.kind).label))
    file = factory.django.FileField(filename="dokument.pdf", data=b"%PDF-1.4 test")
