"""The jurist's legal review: the queue, the review page, the assessment, return and approval,
who may do what, and the round trip with the case's stages and events."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from agreements import services
from agreements.constants import BudgetKind, RiskDirection, RiskFactor, SectionKey, VersionStatus
from agreements.forms import comment_field_name, direction_field_name
from agreements.models import AgreementVersion, BudgetLine, ReviewComment, RiskAssessment
from agreements.tests.factories import agreement_at, complete_draft, drafting_case
from agreements.tests.factories import record_assessment as record
from agreements.views import review as review_views
from decisions.constants import MatterKind, Outcome
from decisions.tests.factories import decide
from iop.constants import CaseEventKind, CaseStatus, Role
from iop.models import Case, CaseEvent
from iop.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF = ["officer", "coordinator", "jurist", "secretary", "auditor", "finance"]


def queue_url() -> str:
    return reverse("agreements:review_queue")


def review_url(case) -> str:
    return reverse("agreements:review", args=[case.pk])


def post_urls(case) -> dict[str, str]:
    return {
        name: reverse(f"agreements:{name}", args=[case.pk])
        for name in ("assessment", "review_return", "review_approve")
    }


def submitted(officer=None) -> AgreementVersion:
    case = drafting_case(**({"officer": officer} if officer else {}))
    return agreement_at(case, "submitted")


def full_assessment(*, reason: str = "", overall: str = "Ett partnerskap.") -> dict[str, str]:
    data = {"overall_assessment": overall, "full_funding_accepted": reason}
    for factor in RiskFactor.values:
        data[direction_field_name(factor)] = RiskDirection.PARTNERSHIP
        data[comment_field_name(factor)] = ""
    return data


def user_of(request, role: str, case: Case):
    """The fixture user for ``role``; «officer» is the case's own officer."""
    return case.officer if role == "officer" else request.getfixturevalue(role)


# --- The queue ------------------------------------------------------------------------------


def test_queue_lists_what_waits_oldest_first_with_renegotiations(client, jurist, secretary):
    now = timezone.now()
    newest = submitted()
    oldest = submitted()
    renegotiated = agreement_at(None, "signed", jurist=jurist)
    case = renegotiated.agreement.case
    decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    services.start_revision(case=case, actor=case.officer)
    second = services.submit_draft(case=case, actor=case.officer)
    for version, days in ((newest, 1), (oldest, 9), (second, 4)):
        AgreementVersion.objects.filter(pk=version.pk).update(
            submitted_at=now - datetime.timedelta(days=days)
        )
    done = agreement_at(None, "approved")  # reviewed: not in the queue

    client.force_login(jurist)
    response = client.get(queue_url())
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.version.pk for r in rows] == [oldest.pk, second.pk, newest.pk]
    assert [r.days_waiting for r in rows] == [9, 4, 1]
    assert [r.is_renegotiation for r in rows] == [False, True, False]
    assert rows[1].version.number == 2
    assert done.pk not in {r.version.pk for r in rows}
    html = response.content.decode()
    assert review_url(oldest.agreement.case) in html
    assert oldest.agreement.case.officer.get_full_name() in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("jurist", 200),
        ("coordinator", 200),
        ("officer", 403),
        ("secretary", 403),
        ("auditor", 403),
        ("finance", 403),
    ],
)
def test_who_sees_the_queue(request, client, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(queue_url()).status_code == status


def test_anonymous_is_sent_to_login_from_the_queue(client):
    response = client.get(queue_url())
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_the_queue_is_in_the_jurists_menu_only(client, jurist, officer):
    client.force_login(jurist)
    assert 'id="nav-review-queue"' in client.get(reverse("home")).content.decode()
    client.force_login(officer)
    assert 'id="nav-review-queue"' not in client.get(reverse("home")).content.decode()


def test_the_start_page_counts_renegotiations_and_links_the_queue(client, jurist, secretary):
    first = submitted()
    signed = agreement_at(None, "signed", jurist=jurist)
    case = signed.agreement.case
    decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    services.start_revision(case=case, actor=case.officer)
    services.submit_draft(case=case, actor=case.officer)
    client.force_login(jurist)
    response = client.get(reverse("home"))
    queue = next(q for q in response.context["queues"] if q.key == "legal_review")
    assert {c.pk for c in queue.cases} == {first.agreement.case_id, case.pk}
    assert 'id="review-queue-link"' in response.content.decode()


def test_the_queue_is_paginated(client, jurist, monkeypatch):
    monkeypatch.setattr(review_views, "QUEUE_PER_PAGE", 2)
    versions = [submitted() for _ in range(3)]
    client.force_login(jurist)
    first = client.get(queue_url())
    last = client.get(queue_url(), {"page": 2})
    assert first.context["page_obj"].paginator.num_pages == 2
    assert [r.version.pk for r in last.context["rows"]] == [versions[2].pk]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_takes_the_same_queries_for_1_and_20_rows(client, jurist):
    submitted()
    client.force_login(jurist)
    client.get(queue_url())  # warm the session and permission caches
    one = _queries(client, queue_url())
    for _ in range(19):
        submitted()
    assert _queries(client, queue_url()) == one


# --- The review page: reading ---------------------------------------------------------------


def test_the_jurist_reads_the_version_with_its_checks(client, jurist):
    version = submitted()
    case = version.agreement.case
    client.force_login(jurist)
    response = client.get(review_url(case))
    assert response.status_code == 200
    context = response.context
    assert context["version"] == version
    assert context["detail"].version == version
    assert context["detail"].budget.public_share == Decimal("45.5")
    assert "assessment_form" in context and "return_form" in context
    assert context["missing"] == services.assessment_problems(version)
    html = response.content.decode()
    assert 'id="assessment-form"' in html and 'id="return-form"' in html
    assert 'id="approve-form"' in html
    assert f'id="version-{version.number}-body"' in html
    assert "full_funding_accepted" not in html  # shown only when the public pays everything


@pytest.mark.parametrize(
    "role", ["officer", "coordinator", "secretary", "auditor", "finance", "other officer"]
)
def test_every_other_staff_role_reads_the_review_page_without_forms(
    request, client, make_user, role
):
    version = submitted()
    case = version.agreement.case
    record(version, UserFactory(role=Role.JURIST), overall="Utkast till bedömning")
    user = make_user(Role.CASE_OFFICER) if role == "other officer" else user_of(request, role, case)
    client.force_login(user)
    response = client.get(review_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="read-only-note"' in html
    for form_id in ("assessment-form", "return-form", "approve-form"):
        assert f'id="{form_id}"' not in html
    assert "Utkast till bedömning" not in html  # the jurist's unfinished work is not shown


def test_a_user_without_a_staff_role_may_not_read_the_review_page(client, make_user):
    case = submitted().agreement.case
    client.force_login(make_user())
    assert client.get(review_url(case)).status_code == 403


def test_anonymous_is_sent_to_login_from_the_review_page(client):
    case = submitted().agreement.case
    response = client.get(review_url(case))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_unknown_case_is_404(client, jurist):
    client.force_login(jurist)
    assert client.get(reverse("agreements:review", args=[999999])).status_code == 404


@pytest.mark.parametrize("state", ["no agreement", "draft", "approved"])
def test_nothing_waiting_is_said_plainly(client, jurist, state):
    case = drafting_case()
    if state == "draft":
        complete_draft(case)
    elif state == "approved":
        agreement_at(case, "approved")
    client.force_login(jurist)
    response = client.get(review_url(case))
    assert response.status_code == 200
    assert response.context["version"] is None
    assert 'id="nothing-waits"' in response.content.decode()
    for url in post_urls(case).values():
        assert client.post(url, full_assessment()).status_code == 409


def test_the_review_page_takes_the_same_queries_for_one_or_many_rounds(client, jurist):
    version = submitted()
    case = version.agreement.case
    record(version, jurist)
    client.force_login(jurist)
    client.get(review_url(case))
    one = _queries(client, review_url(case))
    # Two more rounds, each with comments on several headings, and more budget lines.
    for _round in range(2):
        services.return_version(
            case=case,
            actor=jurist,
            comments=[(key, f"Kommentar om {key}") for key in SectionKey.values[:5]],
            note="Se över helheten.",
        )
        draft = services.draft_version(version.agreement)
        party = draft.parties.order_by("order").first()
        for year in (2028, 2029):
            BudgetLine.objects.create(
                version=draft,
                party=party,
                year=year,
                kind=BudgetKind.MONEY,
                description="Medel",
                amount=Decimal("600000"),
            )
        services.submit_draft(case=case, actor=case.officer)
    record(services.submitted_version(version.agreement), jurist)
    response = client.get(review_url(case))
    assert len(response.context["earlier_rounds"]) == 2
    assert _queries(client, review_url(case)) == one


# --- The jurist's POSTs: who ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "coordinator", "secretary", "auditor", "finance"])
def test_only_the_jurist_may_assess_return_or_approve(request, client, role):
    version = submitted()
    case = version.agreement.case
    record(version, UserFactory(role=Role.JURIST))  # approval would otherwise be possible
    client.force_login(user_of(request, role, case))
    data = {**full_assessment(), "general": "Godkänn inte."}
    for url in post_urls(case).values():
        assert client.post(url, data).status_code == 403
    case.refresh_from_db()
    version.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REVIEW
    assert version.status == VersionStatus.SUBMITTED
    assert not ReviewComment.objects.filter(version=version).exists()
    assert (
        version.risk_assessment.overall_assessment
        == "Samlad bedömning: ett partnerskap, ingen upphandling."
    )


def test_the_review_posts_refuse_get(client, jurist):
    case = submitted().agreement.case
    client.force_login(jurist)
    for url in post_urls(case).values():
        assert client.get(url).status_code == 405


# --- Refusals -----------------------------------------------------------------------------


def test_approving_without_an_assessment_is_refused_with_the_reasons(client, jurist):
    version = submitted()
    case = version.agreement.case
    client.force_login(jurist)
    response = client.post(post_urls(case)["review_approve"])
    assert response.status_code == 200
    assert response.context["approve_reasons"] == [
        gettext("The procurement-risk assessment has not been recorded.")
    ]
    assert 'id="approve-refusal"' in response.content.decode()
    case.refresh_from_db()
    version.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REVIEW
    assert version.status == VersionStatus.SUBMITTED


def test_approving_a_half_done_assessment_lists_what_is_missing(client, jurist):
    version = submitted()
    case = version.agreement.case
    client.force_login(jurist)
    data = full_assessment(overall="")
    data[direction_field_name(RiskFactor.PRICE)] = ""
    assert client.post(post_urls(case)["assessment"], data).status_code == 302
    response = client.post(post_urls(case)["review_approve"])
    assert response.context["approve_reasons"] == services.assessment_problems(version)
    assert len(response.context["approve_reasons"]) == 2
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEGAL_REVIEW


def test_returning_without_any_comment_is_refused(client, jurist):
    version = submitted()
    case = version.agreement.case
    client.force_login(jurist)
    data = {"general": "   "}
    data.update({f"comment-{key}": "" for key in SectionKey.values})
    response = client.post(post_urls(case)["review_return"], data)
    assert response.status_code == 200
    form = response.context["return_form"]
    assert form.has_error("__all__", "no_comment")
    assert 'id="form-errors"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REVIEW
    assert not ReviewComment.objects.filter(version=version).exists()


def test_an_invalid_assessment_is_shown_again_with_what_was_typed(client, jurist):
    version = submitted()
    case = version.agreement.case
    client.force_login(jurist)
    data = full_assessment(overall="Min samlade bedömning, ej sparad")
    data[direction_field_name(RiskFactor.SANCTIONS)] = "maybe"
    data[comment_field_name(RiskFactor.SANCTIONS)] = "Vitesklausul i § 9"
    response = client.post(post_urls(case)["assessment"], data)
    assert response.status_code == 200
    assert response.context["assessment_form"].has_error(direction_field_name(RiskFactor.SANCTIONS))
    html = response.content.decode()
    assert "Vitesklausul i § 9" in html
    assert "Min samlade bedömning, ej sparad" in html
    assert not hasattr(AgreementVersion.objects.get(pk=version.pk), "risk_assessment")


def test_the_recorded_assessment_is_shown_prefilled(client, jurist):
    version = submitted()
    case = version.agreement.case
    client.force_login(jurist)
    data = full_assessment(overall="Samlat: partnerskap")
    data[direction_field_name(RiskFactor.INITIATIVE)] = RiskDirection.PROCUREMENT
    data[comment_field_name(RiskFactor.INITIATIVE)] = "Regionen tog första kontakten"
    response = client.post(post_urls(case)["assessment"], data)
    assert response.status_code == 302
    assert response.url == review_url(case) + "#assessment"
    page = client.get(review_url(case))
    form = page.context["assessment_form"]
    assert form.initial[direction_field_name(RiskFactor.INITIATIVE)] == RiskDirection.PROCUREMENT
    html = page.content.decode()
    assert "Regionen tog första kontakten" in html and "Samlat: partnerskap" in html
    assert page.context["missing"] == []
    assert 'id="assessment-complete"' in html


# --- Full public funding -------------------------------------------------------------------


def fully_public_submitted() -> AgreementVersion:
    """The region pays 1 000 000 kr; the organisation 100 kr in kind: 100,0 % public share."""
    case = drafting_case()
    draft = complete_draft(case)
    organisation = draft.parties.filter(kind="organisation").first()
    BudgetLine.objects.filter(version=draft, party=organisation).delete()
    BudgetLine.objects.filter(version=draft).update(amount=Decimal("1000000"))
    draft.parties.filter(kind="public_body").update(annual_amount=Decimal("1000000"))
    BudgetLine.objects.create(
        version=draft,
        party=organisation,
        year=2027,
        kind=BudgetKind.EQUIPMENT,
        description="Kaffebryggare",
        amount=Decimal("100"),
    )
    services.submit_draft(case=case, actor=case.officer)
    return AgreementVersion.objects.get(pk=draft.pk)


def test_full_public_funding_needs_the_reason_before_approval(client, jurist):
    version = fully_public_submitted()
    case = version.agreement.case
    client.force_login(jurist)
    page = client.get(review_url(case))
    assert page.context["detail"].budget.fully_public
    assert "full_funding_accepted" in page.context["assessment_form"].fields
    assert 'id="budget-result-flags"' in page.content.decode()

    client.post(post_urls(case)["assessment"], full_assessment())
    refused = client.post(post_urls(case)["review_approve"])
    assert refused.context["approve_reasons"] == [
        gettext("The public parties pay the full cost: give the reason for accepting it.")
    ]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEGAL_REVIEW

    client.post(
        post_urls(case)["assessment"],
        full_assessment(reason="Föreningens egen verksamhet; ingen marknad finns."),
    )
    done = client.post(post_urls(case)["review_approve"])
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.AWAITING_DECISION


# --- The round trip ---------------------------------------------------------------------------


def test_the_round_trip_moves_the_case_and_keeps_the_comments(client, jurist):
    case = drafting_case()
    first = complete_draft(case)
    services.submit_draft(case=case, actor=case.officer)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEGAL_REVIEW

    client.force_login(jurist)
    data = {"general": "", f"comment-{SectionKey.GOALS}": "Gör målen mätbara."}
    response = client.post(post_urls(case)["review_return"], data)
    assert response.status_code == 302
    assert response.url == reverse("agreements:review_queue")
    case.refresh_from_db()
    first.refresh_from_db()
    assert case.status == CaseStatus.DRAFTING
    assert first.status == VersionStatus.RETURNED
    comment = ReviewComment.objects.get(version=first)
    assert (comment.section_key, comment.text, comment.author) == (
        SectionKey.GOALS,
        "Gör målen mätbara.",
        jurist,
    )
    second = services.draft_version(first.agreement)
    assert second.number == 2

    services.submit_draft(case=case, actor=case.officer)
    client.force_login(jurist)
    page = client.get(review_url(case))
    assert page.context["version"] == AgreementVersion.objects.get(pk=second.pk)
    assert [r.version.number for r in page.context["earlier_rounds"]] == [1]
    assert "Gör målen mätbara." in page.content.decode()

    assert client.post(post_urls(case)["assessment"], full_assessment()).status_code == 302
    done = client.post(post_urls(case)["review_approve"])
    assert done.status_code == 302
    assert done.url == reverse("agreements:review_queue")
    case.refresh_from_db()
    second.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_DECISION
    assert second.status == VersionStatus.APPROVED
    assert second.reviewed_by == jurist
    transitions = list(
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION)
        .order_by("at", "pk")
        .values_list("transition", "actor")
    )
    assert transitions == [
        ("submit_for_legal_review", case.officer.pk),
        ("return_to_drafting", jurist.pk),
        ("submit_for_legal_review", case.officer.pk),
        ("approve_legal_review", jurist.pk),
    ]
    followed = list(client.get(done.url).context["messages"])
    assert {m.level_tag for m in followed} == {"success"}
    assert followed[-1].message == gettext(
        "Version %(number)s is approved: the case now waits for the committee's decision."
    ) % {"number": 2}


def test_the_officer_reads_the_returned_comments_on_the_agreement_page(client, jurist):
    """The agreement page shows the new draft with the jurist's comments on the version it
    continues from (``_review_comments.html``)."""
    returned = agreement_at(drafting_case(), "returned", jurist=jurist)
    case = returned.agreement.case
    client.force_login(case.officer)
    page = client.get(reverse("agreements:detail", args=[case.pk]))
    assert page.status_code == 200
    assert page.context["version"].number == 2
    assert "Förtydliga målen." in page.content.decode()


def test_a_renegotiated_version_is_approved_without_moving_the_case(client, jurist, secretary):
    signed = agreement_at(None, "signed", jurist=jurist)
    case = signed.agreement.case
    decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    services.start_revision(case=case, actor=case.officer)
    version = services.submit_draft(case=case, actor=case.officer)
    client.force_login(jurist)
    assert client.get(review_url(case)).context["is_renegotiation"]
    client.post(post_urls(case)["assessment"], full_assessment())
    response = client.post(post_urls(case)["review_approve"])
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RENEGOTIATION


def test_the_comments_partial_groups_per_heading_general_last(jurist):
    version = submitted()
    services.return_version(
        case=version.agreement.case,
        actor=jurist,
        comments=[
            (SectionKey.PURPOSE, "Syftet är oklart."),
            (SectionKey.ECONOMY, "Ta bort «ersättning»."),
        ],
        note="I övrigt bra.",
    )
    html = render_to_string(
        "agreements/_review_comments.html",
        {"comments": version.review_comments.select_related("author")},
    )
    assert html.index("Syftet är oklart.") < html.index("Ta bort") < html.index("I övrigt bra.")
    assert str(SectionKey.PURPOSE.label) in html and str(SectionKey.ECONOMY.label) in html
    assert gettext("General comment") in html
    assert re.findall(r'data-section="(\w*)"', html) == ["purpose", "economy", ""]
    empty = render_to_string("agreements/_review_comments.html", {"comments": []})
    assert gettext("The jurist has not commented on this version.") in empty


# --- The case page leads to the agreement's pages ------------------------------------------


def test_the_case_page_leads_the_jurist_to_the_review_page(client, jurist):
    case = submitted().agreement.case
    client.force_login(jurist)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'href="{review_url(case)}" data-action="approve_legal_review"' in html
    assert f'href="{review_url(case)}" data-action="return_to_drafting"' in html
    for name in ("approve_legal_review", "return_to_drafting"):
        response = client.get(reverse("cases:transition", args=[case.pk, name]))
        assert response.status_code == 302
        assert response.url == review_url(case)


def test_the_case_page_leads_the_officer_to_the_agreement(client):
    case = drafting_case()
    complete_draft(case)
    client.force_login(case.officer)
    agreement = reverse("agreements:detail", args=[case.pk])
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'href="{agreement}" data-action="submit_for_legal_review"' in html
    response = client.get(reverse("cases:transition", args=[case.pk, "submit_for_legal_review"]))
    assert response.status_code == 302
    assert response.url == agreement


def test_approving_saves_what_the_jurist_typed_even_when_approval_is_refused(client, jurist):
    version = submitted()
    case = version.agreement.case
    client.force_login(jurist)
    data = full_assessment()
    data.pop(next(k for k in data if k.endswith("-direction")))  # one factor left open
    data["approve"] = "1"
    response = client.post(post_urls(case)["assessment"], data)
    assert response.status_code == 200
    assert response.context["approve_reasons"]
    assessment = RiskAssessment.objects.get(version=version)
    assert assessment.overall_assessment == data["overall_assessment"].strip()
    case.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REVIEW

    response = client.post(post_urls(case)["assessment"], {**full_assessment(), "approve": "1"})
    assert response.url == reverse("agreements:review_queue")
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_DECISION
