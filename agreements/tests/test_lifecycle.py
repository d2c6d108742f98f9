"""The agreement follows its case: frozen on submission, a new draft on return, approved with
an assessment, signed by all in order, and the case moves with it."""

import datetime

import pytest

from agreements import services
from agreements.constants import SectionKey, VersionStatus
from agreements.tests.factories import (
    agreement_at,
    complete_draft,
    drafting_case,
    record_assessment,
)
from iop.constants import CaseStatus
from iop.services import TransitionRefused

pytestmark = pytest.mark.django_db


def test_round_trip_freezes_versions_and_moves_the_case(jurist, secretary):
    case = drafting_case()
    first = complete_draft(case)
    services.submit_draft(case=case, actor=case.officer)
    case.refresh_from_db()
    first.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REVIEW
    assert first.status == VersionStatus.SUBMITTED

    services.return_version(case=case, actor=jurist, comments=[(SectionKey.GOALS, "Mätbara mål?")])
    case.refresh_from_db()
    first.refresh_from_db()
    assert case.status == CaseStatus.DRAFTING
    assert first.status == VersionStatus.RETURNED
    second = services.draft_version(first.agreement)
    assert second.number == 2 and second.based_on == first
    assert (
        second.sections.get(key=SectionKey.GOALS).text
        == first.sections.get(key=SectionKey.GOALS).text
    )
    assert second.budget_lines.count() == first.budget_lines.count() == 3

    services.submit_draft(case=case, actor=case.officer)
    with pytest.raises(TransitionRefused):
        services.approve_version(case=case, actor=jurist)
    record_assessment(services.submitted_version(first.agreement), jurist)
    services.approve_version(case=case, actor=jurist)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_DECISION


def test_signing_in_order_activates_the_case():
    version = agreement_at(None, "signing")
    case = version.agreement.case
    first, second = list(version.parties.order_by("order"))
    with pytest.raises(TransitionRefused, match="Region Värmland"):
        services.record_signature(
            party=second, actor=case.officer, signed_on=datetime.date(2026, 11, 2), method="digital"
        )
    services.record_signature(
        party=first, actor=case.officer, signed_on=datetime.date(2026, 11, 2), method="digital"
    )
    services.record_signature(
        party=second, actor=case.officer, signed_on=datetime.date(2026, 11, 3), method="paper"
    )
    case.refresh_from_db()
    version.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert version.status == VersionStatus.SIGNED


def test_signed_version_cannot_be_edited():
    version = agreement_at(None, "signed")
    section = version.sections.first()
    with pytest.raises(services.VersionFrozen):
        services.section_save(
            section=section,
            text="Ny text",
            revision=section.revision,
            actor=version.agreement.case.officer,
        )


def test_every_row_of_a_new_version_has_its_creation_in_history(jurist):
    version = agreement_at(None, "returned", jurist=jurist)
    draft = services.draft_version(version.agreement)
    for rows in (draft.sections.all(), draft.budget_lines.all(), draft.activities.all()):
        for row in rows:
            created = row.history.get(history_type="+")
            assert created.history_user == jurist
