"""The committee secretary's path in Chromium (issue 9, "Must show"): three final new-IOP
matters of one committee go on a meeting's agenda, one is moved down, the meeting package is
made in the background (the progress bar reaches 100 %) and downloaded, and its text holds
every matter; then the three decisions are recorded with their § numbers and each case is at
its new stage with the decision in its timeline. axe-core checks every page on the way, and
every page is saved as a screenshot in /tmp/shots/secretary-*.png."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from django.urls import reverse
from django.utils import translation

from agreements.tests.factories import agreement_at, drafting_case
from decisions.constants import Outcome, PackageStatus
from decisions.models import AgendaItem, Decision, MeetingPackage
from decisions.rendering import matter_documents_render
from decisions.tests.factories import final_matter, meeting_of
from iop.constants import CaseEventKind, CaseStatus
from iop.models import Case, CaseEvent
from iop.tests.factories import CommitteeFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path("/tmp/shots")
CHANGED_TEXT = (
    "Kultur- och bildningsnämnden beslutar att godkänna överenskommelsen med ändringen att "
    "den gäller i två år."
)


def sv(text: str) -> str:
    """The page's Swedish for the English msgid ``text``."""
    with translation.override("sv"):
        return translation.gettext(text)


def url_is(path: str) -> re.Pattern:
    return re.compile(re.escape(path) + r"(\?.*)?(#.*)?$")


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def shot(page, assert_accessible):
    """``shot(name)``: axe-core finds nothing on the page as it is now, and it is saved as
    /tmp/shots/secretary-<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def check(name: str) -> None:
        page.screenshot(path=str(SHOTS / f"secretary-{name}.png"), full_page=True)
        assert_accessible(page)

    return check


@pytest.fixture
def three_matters(secretary):
    """Three cases of one committee awaiting its decision, each with its new-IOP matter final
    and printed, and the committee's meeting today."""
    committee = CommitteeFactory()
    matters = []
    for _n in range(3):
        case = drafting_case(committee=committee)
        agreement_at(case, "approved")
        matter = final_matter(case)
        matter_documents_render(matter_id=matter.pk)
        matter.refresh_from_db()
        assert matter.documents.exclude(file="").count() == matter.documents.count() > 0
        matters.append(matter)
    meeting = meeting_of(committee, secretary=secretary)
    return meeting, matters


def test_the_secretary_builds_the_agenda_makes_the_package_and_records_the_decisions(
    page, login, shot, secretary, three_matters, tmp_path
):
    meeting, matters = three_matters
    first, second, third = matters
    meeting_url = reverse("decisions:meeting", args=[meeting.pk])
    login(page, secretary)

    # The committee's meetings: today's meeting is there.
    page.goto(reverse("decisions:meetings") + f"?committee={meeting.committee_id}")
    shot("meetings")
    page.locator(f"a[href='{meeting_url}']").first.click()
    expect(page).to_have_url(url_is(meeting_url))
    expect(page.locator("#agenda")).to_have_text(sv("No matter is on the agenda yet."))
    shot("meeting-empty")

    # The three final matters wait for an agenda: the secretary ticks them and puts them on.
    add = page.locator("#add-form")
    for matter in matters:
        add.locator(f"#add-{matter.pk}").check()
    add.get_by_role("button", name=sv("Put on the agenda")).click()
    expect(page).to_have_url(url_is(meeting_url))
    agenda = page.locator("#agenda > li")
    expect(agenda).to_have_count(3)
    expect(page.locator("#no-candidates")).to_be_visible()
    order = [int(x) for x in agenda.evaluate_all("els => els.map(e => e.dataset.matter)")]
    assert sorted(order) == sorted(m.pk for m in matters)
    shot("agenda")

    # The first matter goes down one place.
    top = page.locator(f"#agenda > li[data-matter='{order[0]}']")
    top.get_by_role("button", name=re.compile("^" + re.escape(sv("Down")))).click()
    expect(page.locator("#agenda > li").first).to_have_attribute("data-matter", str(order[1]))
    order = [order[1], order[0], order[2]]
    expect(page.locator("#agenda > li")).to_have_count(3)
    assert (
        list(
            AgendaItem.objects.filter(meeting=meeting)
            .order_by("position")
            .values_list("matter_id", flat=True)
        )
        == order
    )
    shot("agenda-reordered")

    # The package: made by the Celery task (eager here, in the live server's thread); the
    # panel polls itself until the progress bar shows 100 % and the download link.
    panel = page.locator("#package-panel")
    expect(panel.locator("#package-none")).to_be_visible()
    panel.get_by_role("button", name=sv("Make the meeting package"), exact=True).click()
    progress = page.locator("#package-progress")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(progress).to_contain_text("100 %")
    download_link = page.locator("#package-download")
    expect(download_link).to_be_visible()
    package = MeetingPackage.objects.get(meeting=meeting)
    assert package.status == PackageStatus.DONE
    assert package.progress == 100
    shot("package-done")

    with page.expect_download() as info:
        download_link.click()
    pdf = tmp_path / "handlingar.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = words(
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
    )
    for matter in matters:
        assert words(matter.title) in text, matter.title
        assert matter.case.registry_number in text
    # The first pages (agenda, table of contents, the first tjänsteskrivelse) as images.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-l", "4", str(pdf), str(SHOTS / "secretary-package")],
        check=True,
    )

    # The three decisions, in the agenda's order, each from its case: the case page's
    # committee action leads to the case's decisions and the form of its matter.
    decisions = {
        order[0]: (Outcome.APPROVED, 11, CaseStatus.SIGNING),
        order[1]: (Outcome.APPROVED_WITH_CHANGES, 12, CaseStatus.SIGNING),
        order[2]: (Outcome.REFERRED_BACK, 13, CaseStatus.DRAFTING),
    }
    by_pk = {matter.pk: matter for matter in matters}
    for step, matter_pk in enumerate(order, 1):
        matter = by_pk[matter_pk]
        outcome, paragraph, stage = decisions[matter_pk]
        case = matter.case
        case_url = reverse("cases:detail", args=[case.pk])
        page.goto(meeting_url)
        page.locator(f"#agenda > li[data-matter='{matter.pk}']").get_by_role(
            "link", name=case.registry_number, exact=True
        ).click()
        expect(page).to_have_url(url_is(case_url))
        expect(page.locator("#case-stage")).to_have_attribute(
            "data-stage", CaseStatus.AWAITING_DECISION.value
        )
        shot(f"case-{step}-before")
        page.locator('[data-action="record_approval"]').click()
        expect(page).to_have_url(url_is(reverse("decisions:case_decisions", args=[case.pk])))
        shot(f"case-{step}-decisions")
        page.locator(f"#record-link-{matter.pk}").click()
        record_url = reverse("decisions:record_decision", args=[meeting.pk, matter.pk])
        expect(page).to_have_url(url_is(record_url))
        expect(page.locator("#matter-title")).to_have_text(matter.title)
        shot(f"record-{step}")

        form = page.locator("#decision-form")
        form.get_by_label(sv(outcome.label), exact=True).check()
        form.get_by_label(sv("§ number")).fill(str(paragraph))
        if outcome == Outcome.APPROVED_WITH_CHANGES:
            form.get_by_label(sv("The decision as changed by the committee")).fill(CHANGED_TEXT)
        if outcome == Outcome.REFERRED_BACK:
            form.get_by_label(sv("Note"), exact=True).fill("Komplettera med en riskanalys.")
        form.get_by_role("button", name=sv("Record the decision")).click()
        expect(page).to_have_url(url_is(meeting_url))
        expect(page.locator("#messages")).to_contain_text(f"§ {paragraph}")
        expect(page.locator("#messages")).to_contain_text(sv(stage.label))
        shot(f"recorded-{step}")

        # The case is at its new stage, the decision in its timeline.
        page.goto(case_url)
        expect(page.locator("#case-stage")).to_have_attribute("data-stage", stage.value)
        decision_entry = page.locator("#case-timeline > li", has_text=f"§ {paragraph}").first
        expect(decision_entry).to_contain_text(f"{meeting.committee.name} ")
        expect(decision_entry).to_contain_text(matter.title)
        expect(decision_entry).to_contain_text(sv(outcome.label))
        shot(f"case-{step}-after")

        decision = Decision.objects.get(matter=matter)
        assert (decision.meeting_id, decision.paragraph, decision.outcome) == (
            meeting.pk,
            paragraph,
            outcome,
        )
        if outcome == Outcome.APPROVED_WITH_CHANGES:
            assert decision.changed_text == CHANGED_TEXT
        assert Case.objects.get(pk=case.pk).status == stage
        assert CaseEvent.objects.filter(case=case, note__contains=f"§ {paragraph}").exists()

    # The meeting's page after the meeting: every matter still on the agenda, in its order.
    page.goto(meeting_url)
    expect(page.locator("#agenda > li")).to_have_count(3)
    shot("meeting-decided")
    assert [
        CaseEvent.objects.filter(case=by_pk[pk].case, kind=CaseEventKind.TRANSITION)
        .order_by("-at", "-pk")
        .values_list("transition", flat=True)
        .first()
        for pk in order
    ] == ["record_approval", "record_approval", "record_referral_back"]
