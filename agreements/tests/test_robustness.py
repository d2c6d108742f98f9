"""Crafted or unlucky requests are refused with a reason and change nothing; the versions keep
who did what when the case moves on in ways the happy path does not."""

from __future__ import annotations

import datetime

import pytest

from django.urls import reverse
from django.utils.translation import gettext

from agreements import services
from agreements.constants import SectionKey, VersionStatus
from agreements.models import AgreementParty, AgreementVersion
from agreements.tests.factories import (
    agreement_at,
    complete_draft,
    drafting_case,
    record_assessment,
)
from agreements.tests.test_drafting import parties_data, terms_data
from decisions.constants import MatterKind, Outcome
from decisions.tests.factories import decide
from iop.constants import CaseStatus, NoticeGivenBy
from iop.services import TransitionRefused, case_transition

pytestmark = pytest.mark.django_db


def test_a_referral_back_keeps_who_approved_the_version(jurist, secretary):
    version = agreement_at(None, "approved", jurist=jurist)
    case = version.agreement.case
    decide(case, Outcome.REFERRED_BACK, secretary=secretary, note="Återremiss.")
    version.refresh_from_db()
    assert version.status == VersionStatus.RETURNED
    assert version.reviewed_by == jurist
    assert services.draft_version(version.agreement).number == 2


def test_parties_form_with_an_added_row_or_another_versions_party_is_refused(client):
    draft = complete_draft()
    other = complete_draft()
    case = draft.agreement.case
    client.force_login(case.officer)
    url = reverse("agreements:parties", args=[case.pk])

    added = parties_data(draft)
    added["parties-TOTAL_FORMS"] = str(int(added["parties-TOTAL_FORMS"]) + 1)
    added["parties-2-order"] = "3"
    added["parties-2-signatory_name"] = "Inkräktare"
    added["parties-2-annual_amount"] = "0"
    foreign = parties_data(draft)
    foreign["parties-0-id"] = str(other.parties.first().pk)

    for data in (added, foreign):
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["formset"].non_form_errors() or any(
            form.errors for form in response.context["formset"].forms
        )
    assert AgreementParty.objects.filter(version=draft).count() == 2
    assert not AgreementParty.objects.filter(signatory_name="Inkräktare").exists()
    assert AgreementVersion.objects.get(pk=draft.pk).revision == draft.revision


@pytest.mark.parametrize(
    "field, value",
    [("term_years", "9000"), ("revision_interval_years", "40000"), ("notice_months", "999")],
)
def test_terms_beyond_reason_are_refused_with_the_field_error(client, field, value):
    draft = complete_draft()
    case = draft.agreement.case
    client.force_login(case.officer)
    response = client.post(
        reverse("agreements:terms", args=[case.pk]), terms_data(draft, **{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["form"].data[field] == value  # what was typed is kept
    assert AgreementVersion.objects.get(pk=draft.pk).revision == draft.revision


@pytest.mark.parametrize("name", ["submit", "revise"])
def test_submit_or_revise_without_an_agreement_is_refused_not_an_error(client, name):
    status = CaseStatus.DRAFTING if name == "submit" else CaseStatus.RENEGOTIATION
    case = drafting_case(status=status)
    client.force_login(case.officer)
    response = client.post(reverse(f"agreements:{name}", args=[case.pk]), follow=True)
    assert response.status_code == 200
    messages = " ".join(str(m) for m in response.context["messages"])
    assert gettext("No agreement has been started for this case.") in messages


def test_the_jurist_cannot_review_after_the_renegotiation_ended_with_notice(jurist):
    signed = agreement_at(None, "signed", jurist=jurist)
    case = signed.agreement.case
    decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=_secretary())
    services.start_revision(case=case, actor=case.officer)
    services.submit_draft(case=case, actor=case.officer)
    case.refresh_from_db()
    case.notice_date = datetime.date(2026, 11, 1)
    case.notice_given_by = NoticeGivenBy.values[0]
    case_transition(
        case=case,
        name="give_notice",
        actor=case.officer,
        data={"notice_date": case.notice_date, "notice_given_by": case.notice_given_by},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICE_GIVEN
    statuses = dict(case.agreement.versions.values_list("number", "status"))
    assert statuses == {1: VersionStatus.SIGNED, 2: VersionStatus.SUPERSEDED}
    with pytest.raises(TransitionRefused):
        services.approve_version(case=case, actor=jurist)


def test_a_renegotiation_of_an_iop_older_than_the_system_completes(jurist):
    """An IOP active before it was handled here has no agreement: the renegotiated one is the
    first written here, reviewed and signed, and the case returns to active."""
    case = drafting_case(status=CaseStatus.RENEGOTIATION)
    complete_draft(case)
    services.submit_draft(case=case, actor=case.officer)
    record_assessment(services.submitted_version(case.agreement), jurist)
    services.approve_version(case=case, actor=jurist)
    for party in services.approved_version(case.agreement).parties.order_by("order", "pk"):
        services.record_signature(
            party=party, actor=case.officer, signed_on=datetime.date(2026, 11, 2), method="digital"
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert services.in_force_version(case.agreement).number == 1


def test_return_gives_back_the_version_as_it_now_is(jurist):
    case = drafting_case(status=CaseStatus.RENEGOTIATION)
    complete_draft(case)
    services.submit_draft(case=case, actor=case.officer)
    returned = services.return_version(
        case=case, actor=jurist, comments=[(SectionKey.GOALS, "Mätbara mål.")]
    )
    assert returned.status == VersionStatus.RETURNED


def _secretary():
    from iop.constants import Role
    from iop.tests.factories import UserFactory

    return UserFactory(role=Role.SECRETARY)


def test_the_money_per_full_year_must_agree_with_the_budget():
    from decimal import Decimal

    from agreements.models import BudgetLine

    draft = complete_draft()
    assert services.submission_problems(draft) == []
    BudgetLine.objects.filter(version=draft, kind="money").update(amount=Decimal("650000"))
    problems = services.submission_problems(draft)
    assert len(problems) == 1 and "600" in problems[0] and "650" in problems[0]
