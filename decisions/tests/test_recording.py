"""Recording the committee's decision (issue 9 item 5): each outcome moves the case as the
committee decided, nothing reaches signing, renegotiation or winding down without its recorded
decision, only the secretary records, and the extract and the minutes print what was decided."""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal

import pytest

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agreements.tests.factories import agreement_at
from iop.constants import CaseEventKind, CaseStatus, NoticeGivenBy, Role, Transition
from iop.exceptions import TransitionRefused
from iop.models import Case, CaseEvent, Notification, RegistryEntry
from iop.services import case_transition
from iop.tests.factories import UserFactory

from .. import pdf_decisions
from ..constants import DocumentRole, MatterKind, Outcome
from ..models import Decision, Matter, MatterDocument, Meeting
from ..services import add_to_agenda, record_decision
from ..services.minutes import meeting_minutes_render
from .factories import decide, final_matter, meeting_of

pytestmark = pytest.mark.django_db


def awaiting_case() -> Case:
    return agreement_at(None, "approved").agreement.case


def active_case() -> Case:
    return agreement_at(None, "signed").agreement.case


def notice_case() -> Case:
    case = active_case()
    return case_transition(
        case=case,
        name=Transition.GIVE_NOTICE,
        actor=case.officer,
        note="Uppsägning.",
        data={
            "notice_date": timezone.localdate() - datetime.timedelta(days=3),
            "notice_given_by": NoticeGivenBy.ORGANISATION,
        },
    )


def on_agenda(case: Case, secretary, kind: MatterKind = MatterKind.NEW_IOP, **kwargs):
    """The case's matter of ``kind``, final and on today's meeting of its committee."""
    matter = final_matter(case, kind=kind, **kwargs)
    meeting = meeting_of(case.committee, secretary=secretary)
    add_to_agenda(matter=matter, meeting=meeting, actor=secretary)
    return matter, meeting


def record_url(meeting: Meeting, matter: Matter) -> str:
    return reverse("decisions:record_decision", args=[meeting.pk, matter.pk])


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout


def state(case: Case) -> dict:
    """What a refused recording must leave unchanged."""
    case.refresh_from_db()
    return {
        "status": case.status,
        "decisions": Decision.objects.count(),
        "decision_history": Decision.history.count(),
        "events": CaseEvent.objects.filter(case=case).count(),
        "registry": RegistryEntry.objects.filter(case=case).count(),
        "documents": MatterDocument.objects.count(),
        "case_history": Case.history.filter(id=case.pk).count(),
    }


# --- Each outcome moves the case ------------------------------------------------------------


def test_new_iop_approved_moves_the_case_to_signing():
    case = awaiting_case()
    decision = decide(case, Outcome.APPROVED, paragraph=45)
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNING
    assert decision.case_event.transition == Transition.RECORD_APPROVAL
    assert decision.case_event.note.startswith(f"{case.committee.name} ")
    assert "§ 45" in decision.case_event.note
    assert decision.decision_text.startswith(f"{case.committee.name} beslutar att")


def test_approved_with_changes_moves_to_signing_with_the_changed_text_minuted():
    case = awaiting_case()
    changed = "Kultur- och bildningsnämnden beslutar att godkänna avtalet till och med 2028."
    decision = decide(case, Outcome.APPROVED_WITH_CHANGES, changed_text=changed)
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNING
    assert decision.decision_text == changed
    assert decision.changed_text == changed


def test_rejected_moves_the_case_to_rejected():
    case = awaiting_case()
    decide(case, Outcome.REJECTED)
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED


def test_referred_back_moves_the_case_to_drafting():
    case = awaiting_case()
    decision = decide(case, Outcome.REFERRED_BACK, note="Budgeten ska ses över.")
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFTING
    assert "Budgeten ska ses över." in decision.case_event.note


def test_follow_up_approved_stays_active_with_a_decision_event():
    case = active_case()
    decision = decide(case, Outcome.APPROVED, kind=MatterKind.FOLLOW_UP, paragraph=12)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    assert decision.case_event.kind == CaseEventKind.DECISION
    assert decision.case_event.case_id == case.pk
    assert "§ 12" in decision.case_event.note


def test_renegotiation_approved_moves_to_renegotiation():
    case = active_case()
    decision = decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION)
    case.refresh_from_db()
    assert case.status == CaseStatus.RENEGOTIATION
    assert decision.case_event.transition == Transition.START_RENEGOTIATION


def test_ending_approved_moves_to_winding_down():
    case = notice_case()
    assert case.status == CaseStatus.NOTICE_GIVEN
    decide(case, Outcome.APPROVED, kind=MatterKind.ENDING)
    case.refresh_from_db()
    assert case.status == CaseStatus.WINDING_DOWN


# --- Nothing moves without its recorded decision -------------------------------------------

GUARD_RULES = {
    Transition.RECORD_APPROVAL: "bifall",
    Transition.RECORD_REJECTION: "avslag",
    Transition.RECORD_REFERRAL_BACK: "återremiss",
}


@pytest.mark.parametrize("transition", list(GUARD_RULES))
def test_committee_moves_of_a_new_iop_need_the_recorded_decision(transition, secretary):
    case = awaiting_case()
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, name=transition, actor=secretary, note="Utan beslut.")
    text = " ".join(refused.value.reasons)
    assert "nämndsekreterare" in text
    assert GUARD_RULES[transition] in text.lower()
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_DECISION


def test_renegotiation_needs_the_recorded_decision(secretary):
    case = active_case()
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, name=Transition.START_RENEGOTIATION, actor=secretary)
    assert "omförhandl" in " ".join(refused.value.reasons)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE


def test_winding_down_needs_the_recorded_decision(secretary):
    case = notice_case()
    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, name=Transition.START_WINDING_DOWN, actor=secretary)
    assert "nämndsekreterare" in " ".join(refused.value.reasons)
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTICE_GIVEN


def test_a_follow_up_decision_does_not_open_renegotiation(secretary):
    case = active_case()
    decide(case, Outcome.APPROVED, kind=MatterKind.FOLLOW_UP)
    with pytest.raises(TransitionRefused):
        case_transition(case=case, name=Transition.START_RENEGOTIATION, actor=secretary)


# --- The screens: who records, who reads -----------------------------------------------------


def test_the_secretary_records_on_the_form_and_the_meeting_shows_the_decision(client, secretary):
    case = awaiting_case()
    matter, meeting = on_agenda(case, secretary)
    client.force_login(secretary)
    page = client.get(record_url(meeting, matter))
    assert page.status_code == 200
    assert 'id="decision-form"' in page.content.decode()
    response = client.post(
        record_url(meeting, matter),
        {"outcome": Outcome.APPROVED, "paragraph": "45", "changed_text": "", "note": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    case.refresh_from_db()
    assert case.status == CaseStatus.SIGNING
    decision = Decision.objects.get(matter=matter)
    assert (decision.paragraph, decision.meeting_id) == (45, meeting.pk)
    meeting_page = client.get(meeting.get_absolute_url()).content.decode()
    assert "§ 45" in meeting_page
    extract_url = reverse("decisions:extract_pdf", args=[decision.pk])
    listing = client.get(reverse("decisions:case_decisions", args=[case.pk])).content.decode()
    assert extract_url in listing
    assert extract_url in client.get(record_url(meeting, matter)).content.decode()


def test_the_case_page_s_committee_action_leads_to_the_case_s_decisions(client, secretary):
    case = awaiting_case()
    matter, meeting = on_agenda(case, secretary)
    client.force_login(secretary)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    decisions_url = reverse("decisions:case_decisions", args=[case.pk])
    assert f'href="{decisions_url}" data-action="record_approval"' in page
    listing = client.get(decisions_url)
    assert listing.status_code == 200
    assert record_url(meeting, matter) in listing.content.decode()
    # The generic confirmation page sends the user there too.
    step = client.get(reverse("cases:transition", args=[case.pk, "record_approval"]))
    assert step.status_code == 302 and step["Location"] == decisions_url


@pytest.mark.parametrize(
    "role", [Role.CASE_OFFICER, Role.COORDINATOR, Role.JURIST, Role.FINANCE, Role.AUDITOR]
)
def test_anyone_but_the_secretary_is_refused_with_403_and_nothing_saved(client, role):
    secretary = UserFactory(role=Role.SECRETARY)
    case = awaiting_case()
    matter, meeting = on_agenda(case, secretary)
    before = state(case)
    client.force_login(UserFactory(role=role))
    response = client.post(
        record_url(meeting, matter), {"outcome": Outcome.APPROVED, "paragraph": "45"}
    )
    assert response.status_code == 403
    assert state(case) == before


def test_the_auditor_reads_every_page_and_changes_nothing(client, auditor, secretary):
    case = awaiting_case()
    matter, meeting = on_agenda(case, secretary)
    other = awaiting_case()
    decided = decide(other, Outcome.APPROVED, meeting=meeting, secretary=secretary, paragraph=3)
    client.force_login(auditor)
    form_page = client.get(record_url(meeting, matter))
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert 'id="decision-form"' not in html
    assert 'id="record-readonly"' in html
    assert client.get(record_url(meeting, decided.matter)).status_code == 200
    listing = client.get(reverse("decisions:case_decisions", args=[case.pk]))
    assert listing.status_code == 200
    assert record_url(meeting, matter) not in listing.content.decode()
    extract = client.get(reverse("decisions:extract_pdf", args=[decided.pk]))
    assert extract.status_code == 200 and extract["Content-Type"] == "application/pdf"
    minutes = client.get(reverse("decisions:minutes_pdf", args=[meeting.pk]))
    assert minutes.status_code == 200
    assert b"".join(minutes.streaming_content).startswith(b"%PDF-")
    before = state(case)
    assert client.post(record_url(meeting, matter), {"outcome": "approved"}).status_code == 403
    assert state(case) == before


def test_a_user_without_a_staff_role_sees_nothing(client, secretary):
    case = awaiting_case()
    matter, meeting = on_agenda(case, secretary)
    client.force_login(UserFactory())
    assert client.get(record_url(meeting, matter)).status_code == 403
    assert client.get(reverse("decisions:case_decisions", args=[case.pk])).status_code == 403


# --- Refused with a Swedish message next to the field, nothing saved -------------------------


def _post_refused(client, url, data, field_id):
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="decision-form"' in html
    assert f'id="{field_id}"' in html or field_id == ""
    return response


def test_a_paragraph_that_is_not_a_number_is_refused(client, secretary):
    case = awaiting_case()
    matter, meeting = on_agenda(case, secretary)
    before = state(case)
    client.force_login(secretary)
    response = _post_refused(
        client,
        record_url(meeting, matter),
        {"outcome": Outcome.APPROVED, "paragraph": "fyrtiofem", "note": "Behålls"},
        "id_paragraph",
    )
    form = response.context["form"]
    assert form.errors["paragraph"] == ["Ange paragrafen som ett heltal, t.ex. 45."]
    assert 'value="fyrtiofem"' in response.content.decode()
    assert state(case) == before


def test_a_paragraph_used_at_the_meeting_is_refused(client, secretary):
    first = awaiting_case()
    decide(first, Outcome.APPROVED, secretary=secretary, paragraph=45)
    case = awaiting_case()
    matter, meeting = on_agenda(case, secretary)
    before = state(case)
    client.force_login(secretary)
    response = _post_refused(
        client,
        record_url(meeting, matter),
        {"outcome": Outcome.APPROVED, "paragraph": "45"},
        "id_paragraph",
    )
    assert response.context["form"].errors["paragraph"] == [
        "§ 45 är redan använd vid detta sammanträde."
    ]
    assert state(case) == before


def test_recording_twice_is_refused(client, secretary):
    case = awaiting_case()
    decision = decide(case, Outcome.REFERRED_BACK, secretary=secretary, paragraph=7)
    before = state(case)
    with pytest.raises(TransitionRefused) as refused:
        record_decision(
            matter=decision.matter,
            actor=secretary,
            meeting=decision.meeting,
            paragraph=8,
            outcome=Outcome.APPROVED,
        )
    assert refused.value.reasons == ["Beslutet i detta ärende är redan registrerat."]
    client.force_login(secretary)
    response = client.post(
        record_url(decision.meeting, decision.matter),
        {"outcome": Outcome.APPROVED, "paragraph": "8"},
    )
    assert response.status_code == 200
    assert "Beslutet i detta ärende är redan registrerat." in response.content.decode()
    assert state(case) == before


def test_a_matter_not_on_this_meeting_is_refused(client, secretary):
    case = awaiting_case()
    matter = final_matter(case)
    meeting = meeting_of(case.committee, secretary=secretary)
    before = state(case)
    client.force_login(secretary)
    response = _post_refused(
        client, record_url(meeting, matter), {"outcome": Outcome.APPROVED, "paragraph": "4"}, ""
    )
    assert response.context["form"].non_field_errors() == [
        "Ärendet finns inte på föredragningslistan för detta sammanträde."
    ]
    assert state(case) == before


def test_approved_with_changes_needs_the_changed_text(client, secretary):
    case = awaiting_case()
    matter, meeting = on_agenda(case, secretary)
    before = state(case)
    client.force_login(secretary)
    response = _post_refused(
        client,
        record_url(meeting, matter),
        {"outcome": Outcome.APPROVED_WITH_CHANGES, "paragraph": "4", "changed_text": " "},
        "id_changed_text",
    )
    assert response.context["form"].errors["changed_text"]
    assert state(case) == before


# --- The extract and the minutes ----------------------------------------------------------


def test_the_extract_pdf_holds_what_the_committee_decided(tmp_path, secretary):
    case = awaiting_case()
    decision = decide(case, Outcome.APPROVED, secretary=secretary, paragraph=45)
    text = pdf_text(pdf_decisions.render_extract_pdf(decision), tmp_path)
    flat = " ".join(text.split())
    meeting = decision.meeting
    assert case.public_body.name in flat
    assert meeting.committee.name in flat
    assert pdf_decisions.wording.long_date(meeting.date) in flat
    assert "§ 45" in flat
    assert " ".join(decision.matter.title.split()) in flat
    assert "PROTOKOLLSUTDRAG" in flat
    assert "Utdragsbestyrkande" in flat
    first_point = decision.matter.points.order_by("position").first().text
    assert " ".join(first_point.split())[:60] in flat


def test_the_extract_is_registered_and_printed_when_the_callbacks_run(
    django_capture_on_commit_callbacks, secretary
):
    case = awaiting_case()
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(case, Outcome.APPROVED, secretary=secretary)
    extract = MatterDocument.objects.get(matter=decision.matter, role=DocumentRole.EXTRACT)
    assert extract.registry_entry.kind == "decisions.extract"
    assert extract.file and extract.pages >= 1
    meeting = Meeting.objects.get(pk=decision.meeting_id)
    assert meeting.minutes_file and meeting.minutes_rendered_at is not None


def test_the_minutes_hold_every_paragraph_in_order(tmp_path, secretary):
    meeting = meeting_of(awaiting_case().committee, secretary=secretary)
    paragraphs = [46, 45, 47]
    titles = []
    for paragraph in paragraphs:
        decision = decide(
            awaiting_case(),
            Outcome.APPROVED,
            secretary=secretary,
            meeting=meeting,
            paragraph=paragraph,
        )
        titles.append(decision.matter.title)
    assert meeting_minutes_render(meeting_id=meeting.pk) is True
    assert meeting_minutes_render(meeting_id=meeting.pk) is False  # up to date: idempotent
    meeting.refresh_from_db()
    text = pdf_text(meeting.minutes_file.read(), tmp_path)
    flat = " ".join(text.split())
    positions = [flat.index(f"§ {n} ") for n in sorted(paragraphs)]
    assert positions == sorted(positions)
    assert "PROTOKOLL" in flat and meeting.committee.name in flat
    # A decision recorded afterwards makes them outdated: printed again with it.
    decide(awaiting_case(), Outcome.REJECTED, secretary=secretary, meeting=meeting, paragraph=48)
    assert meeting_minutes_render(meeting_id=meeting.pk) is True
    meeting.refresh_from_db()
    assert "§ 48" in pdf_text(meeting.minutes_file.read(), tmp_path)


# --- An approved amount change tells finance ----------------------------------------------


def test_an_approved_amount_change_notifies_each_finance_user(
    django_capture_on_commit_callbacks, secretary
):
    finance = [UserFactory(role=Role.FINANCE) for _ in range(2)]
    case = active_case()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            case,
            Outcome.APPROVED,
            kind=MatterKind.FOLLOW_UP_RENEGOTIATION,
            secretary=secretary,
            amount_change=Decimal(50000),
            change_from=datetime.date(2026, 6, 1),
            paragraph=45,
        )
    notes = Notification.objects.filter(kind="decisions.amount_changed")
    assert {n.recipient_id for n in notes} == {u.pk for u in finance}
    assert all("50 000 kronor" in n.text and "§ 45" in n.text for n in notes)
    recipients = {address for message in mail.outbox for address in message.to}
    assert {u.email for u in finance} <= recipients


def test_a_rejected_amount_change_tells_finance_nothing(secretary):
    UserFactory(role=Role.FINANCE)
    case = active_case()
    decide(case, Outcome.REJECTED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    assert not Notification.objects.filter(kind="decisions.amount_changed").exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE


# --- Constant queries --------------------------------------------------------------------


@pytest.mark.parametrize("decided", [1, 4])
def test_the_case_decisions_page_has_constant_queries(
    client, secretary, decided, django_assert_max_num_queries
):
    case = active_case()
    for _ in range(decided):
        decide(case, Outcome.APPROVED, kind=MatterKind.FOLLOW_UP, secretary=secretary)
    client.force_login(secretary)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("decisions:case_decisions", args=[case.pk])).status_code == 200
