"""One small world of real objects, built through the real factories and services, that the
fuzz tests point their choice and hidden fields at (their own ids and other cases' ids)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agreements.models import AgreementParty, AgreementVersion
from agreements.tests.factories import agreement_at, complete_draft
from decisions.models import Matter, Meeting
from iop.constants import Role
from iop.models import Case
from iop.tests.factories import CaseFactory, UserFactory
from partners.models import Organisation
from partners.tests.factories import OrganisationFactory


@dataclass
class World:
    officer: Any
    coordinator: Any
    jurist: Any
    secretary: Any
    signed: AgreementVersion  # an active case's signed agreement
    draft: AgreementVersion  # another case's draft, in drafting
    other_case: Case  # a case in preparation (no agreement)
    matter: Matter | None
    meeting: Meeting | None

    @property
    def signed_case(self) -> Case:
        return self.signed.agreement.case

    @property
    def draft_parties(self) -> list[AgreementParty]:
        return list(self.draft.parties.order_by("order"))


def build_world() -> World:
    officer = UserFactory(role=Role.CASE_OFFICER, username="fuzz-officer")
    coordinator = UserFactory(role=Role.COORDINATOR, username="fuzz-coordinator")
    jurist = UserFactory(role=Role.JURIST, username="fuzz-jurist")
    secretary = UserFactory(role=Role.SECRETARY, username="fuzz-secretary")
    signed = agreement_at(None, "signed", jurist=jurist, secretary=secretary)
    draft = complete_draft()
    OrganisationFactory.create_batch(3)
    other_case = CaseFactory(organisations=[Organisation.objects.first()])
    case = signed.agreement.case
    return World(
        officer=officer,
        coordinator=coordinator,
        jurist=jurist,
        secretary=secretary,
        signed=signed,
        draft=draft,
        other_case=other_case,
        matter=Matter.objects.filter(case=case).first(),
        meeting=Meeting.objects.first(),
    )
