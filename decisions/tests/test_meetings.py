"""The secretary's meetings and agendas: a new meeting is for a day to come, the agenda is
built from the final matters, ordered, moved to a later meeting, and every change is in the
case's timeline. The pages: who may read, who may change, constant queries."""

from __future__ import annotations

import datetime
import hashlib
import io

import pikepdf
import pytest

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from agreements.tests.factories import agreement_at, drafting_case
from iop.constants import CaseEventKind, Role
from iop.exceptions import TransitionForbidden
from iop.tests.factories import CommitteeFactory, UserFactory

from .. import services
from ..models import AgendaItem, Matter, MatterDocument, Meeting, MeetingPackage
from ..services import meetings as meeting_services
from .factories import final_matter, meeting_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


# --- Helpers (test_package.py uses them too) ---------------------------------------------


def text_pdf(*lines: str, pages: int = 1) -> bytes:
    """A small PDF whose pages hold ``lines`` as text (pdftotext reads it), made without
    WeasyPrint so that the tests stay fast."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    for page in range(pages):
        body = b""
        for n, line in enumerate([*lines, f"Sida {page + 1} av {pages}"]):
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            body += b"BT /F1 11 Tf 72 %d Td (" % (760 - 16 * n) + escaped.encode("cp1252")
            body += b") Tj ET\n"
        pdf.add_blank_page(page_size=(595, 842))
        pdf.pages[-1].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        pdf.pages[-1].Contents = pdf.make_stream(body)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def store_documents(matter: Matter, pages: int = 2) -> None:
    """Give every document of the final matter a stored PDF, as the printing task does."""
    for document in MatterDocument.objects.filter(matter=matter):
        data = text_pdf(matter.title, document.title, pages=pages)
        document.file.save(f"doc-{document.pk}.pdf", ContentFile(data), save=False)
        document.pages = pages
        document.sha256 = hashlib.sha256(data).hexdigest()
        document.rendered_at = timezone.now()
        document.save()


def awaiting_case(committee):
    version = agreement_at(drafting_case(committee=committee), "approved")
    return version.agreement.case


def ready_matter(committee, *, stored: bool = True) -> Matter:
    matter = final_matter(awaiting_case(committee))
    if stored:
        store_documents(matter)
    return matter


def agenda_of(meeting: Meeting) -> list[int]:
    return list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("matter_id", flat=True)
    )


def timeline(matter: Matter) -> list[str]:
    return list(
        matter.case.events.filter(kind=CaseEventKind.MATTER)
        .order_by("pk")
        .values_list("note", flat=True)
    )


def meeting_with(committee, secretary, count: int, *, days: int = 14) -> Meeting:
    meeting = meeting_of(
        committee, date=TODAY() + datetime.timedelta(days=days), secretary=secretary
    )
    for _ in range(count):
        services.add_to_agenda(matter=ready_matter(committee), meeting=meeting, actor=secretary)
    return meeting


@pytest.fixture
def committee():
    return CommitteeFactory()


# --- Meetings ---------------------------------------------------------------------------


def test_a_new_meeting_before_today_is_refused(secretary, committee):
    with pytest.raises(ValidationError) as refused:
        services.create_meeting(
            actor=secretary,
            committee=committee,
            date=TODAY() - datetime.timedelta(days=1),
            starts_at=datetime.time(13),
            place="Sessionssalen",
            matters_deadline=TODAY() - datetime.timedelta(days=8),
        )
    assert "före i dag" in " ".join(refused.value.message_dict["date"])
    assert not Meeting.objects.exists()


def test_only_a_meeting_to_come_is_changed(secretary, committee):
    past = meeting_of(committee, date=TODAY() - datetime.timedelta(days=3))
    with pytest.raises(services.MatterRefused):
        meeting_services.update_meeting(
            meeting=past,
            actor=secretary,
            date=TODAY() + datetime.timedelta(days=3),
            starts_at=past.starts_at,
            place="Annat rum",
            matters_deadline=TODAY(),
        )
    coming = meeting_of(committee, date=TODAY() + datetime.timedelta(days=10), secretary=secretary)
    changed = meeting_services.update_meeting(
        meeting=coming,
        actor=secretary,
        date=coming.date,
        starts_at=datetime.time(9, 30),
        place="Stora salen",
        matters_deadline=coming.date - datetime.timedelta(days=7),
    )
    assert (changed.starts_at, changed.place) == (datetime.time(9, 30), "Stora salen")
    past.refresh_from_db()
    assert past.place != "Annat rum"


def test_only_the_secretary_keeps_meetings(committee, officer):
    with pytest.raises(TransitionForbidden):
        services.create_meeting(
            actor=officer,
            committee=committee,
            date=TODAY(),
            starts_at=datetime.time(13),
            place="Sessionssalen",
            matters_deadline=TODAY(),
        )


# --- The agenda -------------------------------------------------------------------------


def test_agenda_add_reorder_move_and_remove_are_in_the_timelines(secretary, committee):
    meeting = meeting_with(committee, secretary, 3)
    first, second, third = agenda_of(meeting)
    matters = {m.pk: m for m in Matter.objects.filter(pk__in=[first, second, third])}
    assert str(meeting) in timeline(matters[first])[-1]

    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    meeting_services.agenda_reorder(
        meeting=meeting, actor=secretary, item_ids=[items[2].pk, items[0].pk, items[1].pk]
    )
    assert agenda_of(meeting) == [third, first, second]
    assert "1" in timeline(matters[third])[-1]  # "now item 1 on the agenda of …"
    before = len(timeline(matters[third]))
    meeting_services.agenda_move(item=items[0], actor=secretary, direction="up")
    assert agenda_of(meeting) == [first, third, second]
    assert len(timeline(matters[third])) == before + 1  # its place changed: it is told

    later = meeting_of(
        committee, date=meeting.date + datetime.timedelta(days=28), secretary=secretary
    )
    meeting_services.agenda_move_to_later(
        item=AgendaItem.objects.get(matter_id=third), meeting=later, actor=secretary
    )
    assert agenda_of(meeting) == [first, second]
    assert agenda_of(later) == [third]
    assert list(
        AgendaItem.objects.filter(meeting=meeting)
        .order_by("position")
        .values_list("position", flat=True)
    ) == [1, 2]  # no gap where the moved matter was
    assert str(later) in timeline(matters[third])[-1]

    services.remove_from_agenda(item=AgendaItem.objects.get(matter_id=first), actor=secretary)
    assert agenda_of(meeting) == [second]
    assert AgendaItem.objects.get(matter_id=second).position == 1
    assert str(meeting) in timeline(matters[first])[-1]


def test_a_matter_moves_only_to_a_later_meeting_of_the_same_committee(secretary, committee):
    meeting = meeting_with(committee, secretary, 1, days=20)
    item = AgendaItem.objects.get(meeting=meeting)
    earlier = meeting_of(committee, date=TODAY() + datetime.timedelta(days=5), secretary=secretary)
    held = meeting_of(committee, date=TODAY() - datetime.timedelta(days=5))
    other = meeting_of(
        CommitteeFactory(short_code="HSN", name="Hälso- och sjukvårdsnämnden"),
        date=TODAY() + datetime.timedelta(days=40),
        secretary=secretary,
    )
    for target in (earlier, held, other, meeting):
        with pytest.raises(services.MatterRefused):
            meeting_services.agenda_move_to_later(item=item, meeting=target, actor=secretary)
    assert agenda_of(meeting) == [item.matter_id]
    assert list(meeting_services.later_meetings(meeting)) == []


def test_a_stale_reorder_is_refused(secretary, committee):
    meeting = meeting_with(committee, secretary, 2)
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
    with pytest.raises(services.MatterRefused):
        meeting_services.agenda_reorder(meeting=meeting, actor=secretary, item_ids=[items[1].pk])
    assert agenda_of(meeting) == [items[0].matter_id, items[1].matter_id]


def test_ready_matters_are_the_final_undecided_ones_off_any_agenda(secretary, committee):
    meeting = meeting_with(committee, secretary, 1)
    waiting = ready_matter(committee)
    draft = Matter.objects.get(case=awaiting_case(committee))
    ready = set(meeting_services.ready_matters(committee))
    assert waiting in ready
    assert draft not in ready
    assert not ready & {item.matter for item in meeting.items.all()}


# --- The pages --------------------------------------------------------------------------

STAFF = [Role.CASE_OFFICER, Role.COORDINATOR, Role.JURIST, Role.FINANCE, Role.AUDITOR]


@pytest.fixture
def meeting(secretary, committee):
    return meeting_with(committee, secretary, 2)


def page_urls(meeting: Meeting) -> list[str]:
    return [
        reverse("decisions:meetings") + f"?committee={meeting.committee_id}",
        reverse("decisions:meeting", args=[meeting.pk]),
        reverse("decisions:meeting_new") + f"?committee={meeting.committee_id}",
    ]


def post_urls(meeting: Meeting) -> list[tuple[str, dict]]:
    item = meeting.items.order_by("position").first()
    return [
        (reverse("decisions:meeting_new"), {}),
        (reverse("decisions:meeting_edit", args=[meeting.pk]), {}),
        (reverse("decisions:agenda_add", args=[meeting.pk]), {}),
        (reverse("decisions:agenda_move", args=[meeting.pk, item.pk]), {"direction": "down"}),
        (reverse("decisions:agenda_later", args=[meeting.pk, item.pk]), {}),
        (reverse("decisions:agenda_remove", args=[meeting.pk, item.pk]), {}),
        (reverse("decisions:package_request", args=[meeting.pk]), {}),
    ]


def test_anonymous_is_sent_to_log_in(client, meeting):
    for url in page_urls(meeting):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_reads_and_none_but_the_secretary_changes(client, meeting, role):
    client.force_login(UserFactory(role=role))
    meeting_page = client.get(reverse("decisions:meeting", args=[meeting.pk]))
    assert meeting_page.status_code == 200
    assert b'id="agenda"' in meeting_page.content
    assert b'id="package-request"' not in meeting_page.content  # no buttons offered
    listing = client.get(reverse("decisions:meetings") + f"?committee={meeting.committee_id}")
    assert listing.status_code == 200
    assert client.get(reverse("decisions:meeting_new")).status_code == 403
    for url, data in post_urls(meeting):
        assert client.post(url, data).status_code == 403, url
    assert agenda_of(meeting) == [i.matter_id for i in meeting.items.order_by("position")]
    assert not MeetingPackage.objects.exists()


def test_a_user_without_a_staff_role_is_refused(client, meeting):
    client.force_login(UserFactory(role=None))
    assert client.get(reverse("decisions:meeting", args=[meeting.pk])).status_code == 403


def test_an_unknown_meeting_is_not_found(client, secretary):
    client.force_login(secretary)
    assert client.get(reverse("decisions:meeting", args=[999999])).status_code == 404


def test_the_secretary_builds_the_agenda_through_the_pages(client, secretary, committee, meeting):
    client.force_login(secretary)
    url = reverse("decisions:meeting", args=[meeting.pk])
    waiting = ready_matter(committee)
    page = client.get(url).content.decode()
    assert waiting.title in page and 'id="add-matters"' in page
    assert str(meeting.matters_deadline.year) in page

    response = client.post(
        reverse("decisions:agenda_add", args=[meeting.pk]), {"matters": [waiting.pk]}
    )
    assert response.status_code == 302
    assert agenda_of(meeting)[-1] == waiting.pk

    item = AgendaItem.objects.get(matter=waiting)
    client.post(reverse("decisions:agenda_move", args=[meeting.pk, item.pk]), {"direction": "up"})
    assert agenda_of(meeting)[1] == waiting.pk

    later = meeting_of(
        committee, date=meeting.date + datetime.timedelta(days=30), secretary=secretary
    )
    client.post(
        reverse("decisions:agenda_later", args=[meeting.pk, item.pk]), {"meeting": later.pk}
    )
    assert agenda_of(later) == [waiting.pk]

    item = AgendaItem.objects.get(matter=waiting)
    client.post(reverse("decisions:agenda_remove", args=[later.pk, item.pk]))
    assert not AgendaItem.objects.filter(matter=waiting).exists()


def test_a_new_meeting_in_the_past_is_refused_next_to_the_field(client, secretary, committee):
    client.force_login(secretary)
    yesterday = TODAY() - datetime.timedelta(days=1)
    response = client.post(
        reverse("decisions:meeting_new"),
        {
            "committee": committee.pk,
            "date": yesterday.isoformat(),
            "starts_at": "13:00",
            "place": "Sessionssalen",
            "matters_deadline": yesterday.isoformat(),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "före i dag" in page
    assert 'value="Sessionssalen"' in page  # what was typed is kept
    assert 'aria-invalid="true"' in page or "is-invalid" in page
    assert not Meeting.objects.exists()

    coming = TODAY() + datetime.timedelta(days=21)
    response = client.post(
        reverse("decisions:meeting_new"),
        {
            "committee": committee.pk,
            "date": coming.isoformat(),
            "starts_at": "13:00",
            "place": "Sessionssalen",
            "matters_deadline": (coming - datetime.timedelta(days=14)).isoformat(),
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()


def test_the_meetings_list_shows_upcoming_first_and_past_below(client, secretary, committee):
    client.force_login(secretary)
    past = meeting_of(committee, date=TODAY() - datetime.timedelta(days=30), place="Förr")
    coming = meeting_of(committee, date=TODAY() + datetime.timedelta(days=30), secretary=secretary)
    page = client.get(reverse("decisions:meetings") + f"?committee={committee.pk}").content.decode()
    assert page.index(f'data-meeting="{coming.pk}"') < page.index(f'data-meeting="{past.pk}"')
    assert page.index('id="upcoming-meetings"') < page.index('id="past-meetings"')


def test_the_meeting_page_queries_are_constant(
    client, secretary, committee, django_assert_max_num_queries
):
    client.force_login(secretary)
    small = meeting_with(committee, secretary, 3)
    large = meeting_with(committee, secretary, 10, days=21)
    for _ in range(2):
        ready_matter(committee)
    counts = []
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for meeting in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("decisions:meeting", args=[meeting.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[0]):
        client.get(reverse("decisions:meeting", args=[large.pk]))
    listing = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("decisions:meetings") + f"?committee={committee.pk}")
        listing.append(len(queries))
        meeting_of(committee, date=TODAY() + datetime.timedelta(days=60), secretary=secretary)
    assert listing[0] == listing[1]


def test_the_start_page_queues_the_ready_matters_for_the_secretary(client, secretary, committee):
    matter = ready_matter(committee)
    client.force_login(secretary)
    page = client.get(reverse("home")).content.decode()
    assert 'data-queue="agenda"' in page
    assert matter.case.registry_number in page
    client.force_login(UserFactory(role=Role.AUDITOR))
    assert 'data-queue="agenda"' not in client.get(reverse("home")).content.decode()


def test_package_status_and_nav_for_readers(client, meeting):
    client.force_login(UserFactory(role=Role.AUDITOR))
    page = client.get(reverse("decisions:meeting", args=[meeting.pk])).content.decode()
    assert 'id="nav-meetings"' in page
    assert 'id="package-panel"' in page and 'id="package-none"' in page
