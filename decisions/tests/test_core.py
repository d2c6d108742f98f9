"""The committee's core: a case reaching awaiting decision gets its matter, the secretary's
recorded decision moves the case, and nothing moves without one."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from agreements.tests.factories import agreement_at
from iop.constants import CaseEventKind, CaseStatus, Role, Transition
from iop.exceptions import TransitionRefused
from iop.models import RegistryEntry
from iop.services import case_transition
from iop.tests.factories import UserFactory

from .. import services
from ..constants import MatterKind, MatterStatus, Outcome
from ..models import Decision, Matter
from .factories import decide, final_matter

pytestmark = pytest.mark.django_db


def awaiting_case():
    version = agreement_at(None, "approved")
    return version.agreement.case


def test_reaching_awaiting_decision_drafts_the_new_iop_matter():
    case = awaiting_case()
    assert case.status == CaseStatus.AWAITING_DECISION
    matter = Matter.objects.get(case=case)
    assert matter.kind == MatterKind.NEW_IOP
    assert matter.status == MatterStatus.DRAFT
    texts = [p.text for p in matter.points.all()]
    assert texts and "godkänns" in texts[0]
    organisation = case.organisations.first().name
    assert organisation in texts[0]
    assert any("kronor per helår" in t for t in texts)


def test_approval_without_a_recorded_decision_is_refused():
    case = awaiting_case()
    with pytest.raises(TransitionRefused) as refused:
        case_transition(
            case=case, name=Transition.RECORD_APPROVAL, actor=UserFactory(role=Role.SECRETARY)
        )
    assert "nämndsekreterare" in " ".join(refused.value.reasons) or refused.value.reasons


def test_recorded_approval_moves_the_case_to_signing_and_registers_documents():
    case = awaiting_case()
    decision = decide(case, Outcome.APPROVED, paragraph=45)
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNING
    assert decision.case_event.transition == Transition.RECORD_APPROVAL
    kinds = set(RegistryEntry.objects.filter(case=case).values_list("kind", flat=True))
    assert {"decisions.report", "decisions.agreement", "decisions.extract"} <= kinds


def test_recording_twice_and_reusing_a_paragraph_are_refused():
    case = awaiting_case()
    decision = decide(case, Outcome.REFERRED_BACK, paragraph=7, note="Budgeten")
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFTING
    with pytest.raises(services.DecisionRefused):
        services.record_decision(
            matter=decision.matter,
            actor=UserFactory(role=Role.SECRETARY),
            meeting=decision.meeting,
            paragraph=8,
            outcome=Outcome.APPROVED,
        )
    assert Decision.objects.count() == 1


def test_follow_up_and_renegotiation_moves_an_active_case_to_renegotiation():
    version = agreement_at(None, "signed")
    case = version.agreement.case
    assert case.status == CaseStatus.ACTIVE
    matter = final_matter(
        case,
        kind=MatterKind.FOLLOW_UP_RENEGOTIATION,
        amount_change=Decimal(50000),
        change_from=datetime.date(2026, 6, 1),
    )
    texts = [p.text for p in matter.points.all()]
    assert len(texts) == 2
    assert texts[0].startswith("Uppföljning av idéburet offentligt partnerskap (IOP) mellan")
    assert "utökas med 50 000 kronor per helår med start från 1 juni 2026." in texts[1]
    decide(case, Outcome.APPROVED, kind=MatterKind.FOLLOW_UP_RENEGOTIATION)
    case.refresh_from_db()
    assert case.status == CaseStatus.RENEGOTIATION
    assert case.events.filter(kind=CaseEventKind.TRANSITION).latest("pk").transition == (
        Transition.START_RENEGOTIATION
    )
