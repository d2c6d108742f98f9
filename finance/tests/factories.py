"""Cases with a payment plan, for finance's tests.

``planned_case(start=…, amount=…)`` writes the rows the plan reads (a case, its agreement and
a signed version naming the public party's amount per full year) directly: cheap enough for
the query-count tests' many cases. ``signed_case(start=…)`` goes the whole way through the
agreements' and the committee's services (``agreement_at(…, "signed")``) and then moves the
signed version's start date, for the tests that also record a committee decision.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from agreements.constants import PartyKind, TermKind, VersionStatus
from agreements.models import Agreement, AgreementParty, AgreementVersion
from agreements.tests.factories import agreement_at
from iop.constants import CaseStatus, PublicBodyKind
from iop.models import Case, PublicBody
from iop.tests.factories import CaseFactory, PublicBodyFactory


def planned_case(
    *,
    start: datetime.date = datetime.date(2024, 3, 1),
    amount: Decimal | int = 600_000,
    public_body: PublicBody | None = None,
    others: dict[PublicBody, Decimal | int] | None = None,
    **case_kwargs,
) -> Case:
    """An active case whose signed agreement (until further notice) gives ``amount`` per full
    year from ``start`` (and ``others`` from other public parties)."""
    case = CaseFactory(status=CaseStatus.ACTIVE, **case_kwargs)
    body = public_body or case.public_body
    agreement = Agreement.objects.create(case=case)
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        status=VersionStatus.SIGNED,
        start_date=start,
        term_kind=TermKind.UNTIL_FURTHER_NOTICE,
        signed_at=timezone.now(),
    )
    parties = {body: amount, **(others or {})}
    for order, (party_body, party_amount) in enumerate(parties.items(), start=1):
        AgreementParty.objects.create(
            version=version,
            order=order,
            kind=PartyKind.PUBLIC_BODY,
            public_body=party_body,
            annual_amount=Decimal(party_amount),
        )
        case.public_bodies.add(party_body)
    for organisation in case.organisations.all():
        AgreementParty.objects.create(
            version=version,
            order=len(parties) + 1,
            kind=PartyKind.ORGANISATION,
            organisation=organisation,
        )
    return case


def signed_case(*, start: datetime.date = datetime.date(2024, 3, 1)) -> Case:
    """An active case through the real services: the agreement of 600 000 kr per full year,
    signed, with its start moved to ``start``."""
    version = agreement_at(None, "signed")
    AgreementVersion.objects.filter(pk=version.pk).update(start_date=start)
    return Case.objects.get(pk=version.agreement.case_id)


def other_body() -> PublicBody:
    return PublicBodyFactory(
        name="Karlstads kommun", short_code="KK", kind=PublicBodyKind.MUNICIPALITY
    )
