"""The biennial follow-up report (DOMAIN.md §7, §8): written under the five headings of the
follow-up attachment, prefilled from the case and its agreement, and one click prepares the
committee's matter — the follow-up matter, or with an amount the follow-up and renegotiation
matter."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.urls import reverse

from agreements.tests.factories import agreement_at
from decisions.tests.factories import decide
from iop.constants import CaseEventKind, CaseStatus, Role
from iop.models import Case, CaseEvent
from iop.tests.factories import UserFactory

from ..models import FollowUpReport
from ..services.deadlines import FollowUpRefused
from ..services.reports import report_prefill, report_prepare_matter, report_save
from .factories import active_case

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TEXTS = {
    "cooperation": "Regionen och föreningen driver mötesplatser tillsammans.",
    "background": "Folkhälsoplanen; ensamhet bland äldre.",
    "contributions": "Regionen 600 000 kronor per helår; föreningen frivilligt arbete.",
    "goal_fulfilment": "Över 300 äldre deltar varje vecka.",
    "development": "Fler orter under 2028.",
}


@pytest.fixture
def later():
    """After the factories' signing date (1 November 2026)."""
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=STOCKHOLM), tick=False):
        yield


@pytest.fixture
def signed_case(later):
    version = agreement_at(None, "signed")
    case = version.agreement.case
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    return case


@pytest.fixture
def followed(later):
    """An active case without an agreement (the committee's spoke needs none for a
    follow-up)."""
    return active_case(datetime.date(2025, 3, 1))


def new_url(case):
    return reverse("followups:report_new", args=[case.pk])


def report_url(report):
    return reverse("followups:report", args=[report.case_id, report.pk])


def prepare_url(report):
    return reverse("followups:report_prepare", args=[report.case_id, report.pk])


def written_report(case, actor=None, **fields):
    return report_save(case=case, actor=actor or case.officer, **{**TEXTS, **fields})


def move_to(case, status):
    """Put the case at ``status`` directly (the stage is protected from assignment)."""
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()


def matter_of(report):
    from decisions.models import Matter

    return Matter.objects.get(pk=report.matter_id)


# --- Prefilled from the case and its agreement --------------------------------------------


def test_the_new_report_is_prefilled_from_the_agreement_in_the_committees_words(
    client, signed_case
):
    client.force_login(signed_case.officer)
    response = client.get(new_url(signed_case))
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert "Ensamheten bland äldre på landsbygden växer." in initial["background"]
    assert "Fler äldre deltar i en gemenskap varje vecka." in initial["background"]
    assert "Samhällsutmaningen: Ensamhet bland äldre på landsbygden." in initial["background"]
    # Contributions per party and year, in whole kronor grouped as the committee writes them.
    organisation = signed_case.organisations.get().name
    assert initial["contributions"].splitlines() == [
        f"2027 – {organisation}: 0 kronor i pengar, 720 000 kronor i arbete och andra insatser "
        "(Frivilligas arbete; Föreningens lokaler).",
        "2027 – Region Värmland: 600 000 kronor i pengar, 0 kronor i arbete och andra insatser "
        "(Medel från regionen).",
    ]
    assert "1 mars 2027" in initial["cooperation"]
    assert initial["development"] == ""


def test_the_prefill_lists_the_periods_check_ins_and_evaluations(later):
    case = active_case(datetime.date(2025, 3, 1))
    texts = report_prefill(case)
    assert "1 mars 2025" in texts["goal_fulfilment"]
    assert texts["goal_fulfilment"].rstrip(".").endswith("0")  # no check-in held yet
    assert texts["contributions"] == ""  # no agreement, no budget


# --- Saving, editing, history -------------------------------------------------------------


def test_the_officer_writes_the_report_and_it_is_saved_with_history(client, later):
    case = active_case(datetime.date(2025, 3, 1))
    client.force_login(case.officer)
    response = client.post(new_url(case), {**TEXTS, "amount_change": "", "change_from": ""})
    report = FollowUpReport.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == report_url(report)
    assert report.goal_fulfilment == TEXTS["goal_fulfilment"]
    assert report.created_by == case.officer
    assert report.history.get().history_user == case.officer
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.FOLLOW_UP).exists()

    response = client.post(
        report_url(report),
        {
            **TEXTS,
            "development": "Två nya orter.",
            "amount_change": "50 000 kr",
            "change_from": "2027-07-01",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.development == "Två nya orter."
    assert report.amount_change == Decimal(50000)
    assert report.change_from == datetime.date(2027, 7, 1)
    assert report.history.count() == 2
    assert report.history.first().history_user == case.officer


def test_an_amount_without_its_date_is_refused_and_what_was_typed_comes_back(client, later):
    case = active_case(datetime.date(2025, 3, 1))
    client.force_login(case.officer)
    response = client.post(new_url(case), {**TEXTS, "amount_change": "50 000", "change_from": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert "change_from" in form.errors
    assert FollowUpReport.objects.count() == 0
    html = response.content.decode()
    assert TEXTS["goal_fulfilment"] in html
    assert 'id="form-errors"' in html


def test_a_report_cannot_be_written_on_a_closed_case(client, later):
    case = active_case(datetime.date(2025, 3, 1))
    move_to(case, CaseStatus.CLOSED)
    with pytest.raises(FollowUpRefused) as refused:
        written_report(case)
    assert list(refused.value.errors) == [""]
    client.force_login(case.officer)
    response = client.post(new_url(case), {**TEXTS})
    assert response.status_code == 409
    [refusal] = response.context["refusals"]
    assert refusal == refused.value.errors[""][0]
    assert refusal in response.content.decode()
    assert FollowUpReport.objects.count() == 0


# --- One click: the committee matter ------------------------------------------------------


def test_preparing_the_matter_fills_the_follow_up_attachments_five_headings(client, followed):
    report = written_report(followed)
    client.force_login(followed.officer)
    response = client.post(prepare_url(report))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_prepared and report.prepared_at is not None
    matter = matter_of(report)
    assert matter.kind == "follow_up"
    assert matter.follow_up_cooperation == TEXTS["cooperation"]
    assert matter.follow_up_background == TEXTS["background"]
    assert matter.follow_up_contributions == TEXTS["contributions"]
    assert matter.follow_up_goal_fulfilment == TEXTS["goal_fulfilment"]
    assert matter.follow_up_development == TEXTS["development"]
    assert report.matter_title == matter.title
    assert report.matter_url == matter.get_absolute_url()
    page = client.get(report_url(report))
    assert f'href="{matter.get_absolute_url()}"' in page.content.decode()
    assert page.context["form"] is None  # a record now


def test_with_an_amount_the_follow_up_and_renegotiation_matter_gets_the_change_as_a_point(
    signed_case,
):
    report = written_report(
        signed_case, amount_change=Decimal(50000), change_from=datetime.date(2027, 7, 1)
    )
    report = report_prepare_matter(report=report, actor=signed_case.officer)
    matter = matter_of(report)
    assert matter.kind == "follow_up_renegotiation"
    assert matter.amount_change == Decimal(50000)
    assert matter.change_from == datetime.date(2027, 7, 1)
    points = [p.text for p in matter.points.order_by("position")]
    assert len(points) == 2
    assert points[0].startswith("Uppföljning av idéburet offentligt partnerskap")
    assert "50 000 kronor per helår" in points[1] and "1 juli 2027" in points[1]
    assert matter.follow_up_goal_fulfilment == TEXTS["goal_fulfilment"]


def test_an_empty_heading_refuses_the_matter_and_nothing_is_saved(client, followed):
    report = written_report(followed, development="")
    client.force_login(followed.officer)
    response = client.post(prepare_url(report))
    assert response.status_code == 409
    [refusal] = response.context["refusals"]
    development = str(FollowUpReport._meta.get_field("development").verbose_name)
    assert development in refusal
    assert refusal in response.content.decode()
    report.refresh_from_db()
    assert not report.is_prepared
    from decisions.models import Matter

    assert not Matter.objects.filter(case=followed, kind="follow_up").exists()


def test_the_committee_spokes_refusal_is_shown_and_nothing_is_saved(client, followed):
    # A renegotiation may only be prepared while the case is active: the committee's spoke
    # refuses it during a renegotiation.
    report = written_report(
        followed, amount_change=Decimal(50000), change_from=datetime.date(2027, 7, 1)
    )
    move_to(followed, CaseStatus.RENEGOTIATION)
    client.force_login(followed.officer)
    response = client.post(prepare_url(report))
    assert response.status_code == 409
    refusals = response.context["refusals"]
    assert refusals and "kan inte förberedas i skedet «Omförhandling»" in refusals[0]
    assert refusals[0] in response.content.decode()
    report.refresh_from_db()
    assert report.prepared_at is None and report.matter_id is None
    from decisions.models import Matter

    assert not Matter.objects.filter(case=followed).exclude(kind="new_iop").exists()


def test_a_prepared_report_is_not_edited_again(client, followed):
    report = report_prepare_matter(report=written_report(followed), actor=followed.officer)
    client.force_login(followed.officer)
    response = client.post(report_url(report), {**TEXTS, "development": "Ändrat"})
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.development == TEXTS["development"]
    second = client.post(prepare_url(report))
    assert second.status_code == 409


def test_preparing_on_a_closed_case_is_refused(client, followed):
    report = written_report(followed)
    move_to(followed, CaseStatus.CLOSED)
    client.force_login(followed.officer)
    response = client.post(prepare_url(report))
    assert response.status_code == 409
    report.refresh_from_db()
    assert not report.is_prepared


def test_an_approved_follow_up_decision_starts_the_next_period(followed):
    report = report_prepare_matter(report=written_report(followed), actor=followed.officer)
    decide(followed, kind=matter_of(report).matter_kind)
    texts = report_prefill(followed)
    # The period now starts at the decision (today, 1 March 2027), not at the activation.
    assert "1 mars 2027" in texts["goal_fulfilment"]
    assert "1 mars 2025" not in texts["goal_fulfilment"]


# --- Who may do what ----------------------------------------------------------------------


@pytest.fixture
def report_case(later):
    case = active_case(datetime.date(2025, 3, 1))
    return case, written_report(case)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CASE_OFFICER, 403),  # not this case's officer
        (Role.JURIST, 403),
        (Role.SECRETARY, 403),
        (Role.FINANCE, 403),
        (Role.AUDITOR, 403),
        (None, 403),  # no staff role at all
    ],
)
def test_only_the_officer_substitute_and_coordinator_write(client, report_case, role, status):
    case, report = report_case
    client.force_login(UserFactory(role=role))
    assert client.get(new_url(case)).status_code == status
    assert client.post(new_url(case), TEXTS).status_code == status
    assert client.post(report_url(report), TEXTS).status_code == status
    assert client.post(prepare_url(report)).status_code == status
    assert FollowUpReport.objects.count() == 1
    report.refresh_from_db()
    assert not report.is_prepared


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.JURIST, Role.SECRETARY, Role.FINANCE])
def test_every_staff_role_reads_the_report_without_a_form(client, report_case, role):
    case, report = report_case
    client.force_login(UserFactory(role=role))
    response = client.get(report_url(report))
    assert response.status_code == 200
    assert response.context["form"] is None
    html = response.content.decode()
    assert TEXTS["goal_fulfilment"] in html
    assert 'id="report-prepare"' not in html


def test_anonymous_is_sent_to_log_in(client, report_case):
    case, report = report_case
    for url in (new_url(case), report_url(report)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_coordinator_and_the_substitute_write(client, report_case, coordinator):
    case, report = report_case
    substitute = UserFactory(role=Role.CASE_OFFICER)
    case.substitute = substitute
    case.save()
    for user in (coordinator, substitute):
        client.force_login(user)
        assert client.get(new_url(case)).status_code == 200
        assert (
            client.post(report_url(report), {**TEXTS, "development": user.username}).status_code
            == 302
        )
    report.refresh_from_db()
    assert report.history.first().history_user == substitute


def test_a_report_of_another_case_is_404(client, report_case):
    case, report = report_case
    other = active_case(datetime.date(2025, 3, 1))
    client.force_login(other.officer)
    url = reverse("followups:report", args=[other.pk, report.pk])
    assert client.get(url).status_code == 404


def test_the_report_page_reads_in_constant_queries(client, report_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case, report = report_case
    client.force_login(case.officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(report_url(report)).status_code == 200
        return len(captured)

    once = queries()
    for n in range(6):
        report = report_save(case=case, actor=case.officer, report=report, development=f"v{n}")
    assert queries() == once
    assert once <= 25


def test_the_new_report_page_reads_in_bounded_queries(
    client, signed_case, django_assert_max_num_queries
):
    client.force_login(signed_case.officer)
    with django_assert_max_num_queries(60):
        assert client.get(new_url(signed_case)).status_code == 200


def test_the_follow_up_pages_section_lists_the_reports_and_who_may_write_one(followed):
    from django.template.loader import render_to_string

    from ..views.ending import reports_of

    report = written_report(followed)
    context = {"case": followed, "committee_reports": reports_of(followed), "followed": True}
    html = render_to_string(
        "followups/ending/_follow_up_section.html", {**context, "may_change": True}
    )
    assert f'href="{report_url(report)}"' in html
    assert f'href="{new_url(followed)}"' in html
    html = render_to_string(
        "followups/ending/_follow_up_section.html", {**context, "may_change": False}
    )
    assert f'href="{report_url(report)}"' in html
    assert new_url(followed) not in html
