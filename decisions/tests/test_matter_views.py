"""The case officer's screens for committee matters: the case page's panel, preparing a
matter, editing the draft, making it final and a new version — and who may do what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from iop.constants import CaseStatus, Role
from iop.models import RegistryEntry
from iop.tests.factories import CaseFactory
from partners.tests import upload_files

from .. import services
from ..constants import MatterKind, MatterStatus
from ..models import DecisionPoint, Matter, MatterDocument, PerspectiveHeading

pytestmark = pytest.mark.django_db

STAGE_OF = {
    MatterKind.NEW_IOP: CaseStatus.DRAFTING,
    MatterKind.FOLLOW_UP: CaseStatus.ACTIVE,
    MatterKind.RENEGOTIATION: CaseStatus.ACTIVE,
    MatterKind.FOLLOW_UP_RENEGOTIATION: CaseStatus.ACTIVE,
    MatterKind.ENDING: CaseStatus.NOTICE_GIVEN,
}


@pytest.fixture
def case(officer):
    return CaseFactory(status=CaseStatus.ACTIVE, officer=officer)


def prepare(case, kind=MatterKind.FOLLOW_UP, **kwargs) -> Matter:
    if kind.changes_amount:
        kwargs.setdefault("amount_change", Decimal(50000))
        kwargs.setdefault("change_from", datetime.date(2026, 6, 1))
    if kind == MatterKind.ENDING:
        kwargs.setdefault("end_date", datetime.date(2026, 12, 31))
    return services.matter_prepare(case=case, actor=case.officer, kind=kind, **kwargs)


def matter_url(matter, name="decisions:matter") -> str:
    return reverse(name, args=[matter.case_id, matter.pk])


def posted(matter: Matter, *, points: list[str] | None = None, **changes) -> dict:
    """What the edit form posts for ``matter`` as saved now, with ``changes``."""
    from ..forms.matters import MatterForm

    matter = Matter.objects.get(pk=matter.pk)
    perspectives = list(matter.perspectives.all())
    form = MatterForm(matter=matter, perspectives=perspectives)
    data: dict = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if name == "include_agreement":
            if value:
                data[name] = "on"
            continue
        if name in ("partner_request_file", "remove_partner_request_file"):
            continue
        value = field.prepare_value(value)
        data[name] = "" if value is None else str(value)
    data["point"] = points if points is not None else form.points
    data.update(changes)
    return data


# --- The panel ------------------------------------------------------------------------------


def test_the_case_page_lists_the_matters_and_offers_the_kinds_of_the_stage(client, case):
    matter = prepare(case, MatterKind.FOLLOW_UP)
    client.force_login(case.officer)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    page = response.content.decode()
    assert 'id="case-matters"' in page
    assert matter_url(matter) in page
    assert 'data-kind="follow_up" data-status="draft"' in page
    # Offered: the kinds of an active case without an open matter of that kind.
    kinds = [k.value for k in response.context["prepare_kinds"]]
    assert kinds == [MatterKind.RENEGOTIATION.value, MatterKind.FOLLOW_UP_RENEGOTIATION.value]
    assert reverse("decisions:matter_prepare", args=[case.pk]) in page


def test_the_panel_shows_no_prepare_button_to_a_reader(client, case, auditor):
    prepare(case)
    client.force_login(auditor)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="case-matters-table"' in page
    assert 'id="prepare-matter"' not in page


# --- Preparing ------------------------------------------------------------------------------


def prepare_data(kind: MatterKind, case) -> dict:
    data = {"kind": kind.value}
    if kind.changes_amount:
        data.update(
            amount_public_body=str(case.public_body_id),
            amount_change="50 000",
            change_from="2026-06-01",
        )
    if kind == MatterKind.ENDING:
        data["end_date"] = "2026-12-31"
    return data


@pytest.mark.parametrize("kind", list(MatterKind))
def test_each_kind_is_prepared_at_its_stage(client, officer, kind):
    case = CaseFactory(status=STAGE_OF[kind], officer=officer)
    client.force_login(officer)
    response = client.post(
        reverse("decisions:matter_prepare", args=[case.pk]), prepare_data(kind, case)
    )
    matter = Matter.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == matter_url(matter)
    assert matter.kind == kind and matter.status == MatterStatus.DRAFT
    assert matter.points.exists()
    if kind.changes_amount:
        assert matter.amount_change == Decimal(50000)
        assert matter.change_from == datetime.date(2026, 6, 1)
        assert any("50 000 kronor per helår" in p.text for p in matter.points.all())


def test_a_kind_at_the_wrong_stage_is_refused_with_the_reason(client, case):
    client.force_login(case.officer)
    response = client.post(
        reverse("decisions:matter_prepare", args=[case.pk]), prepare_data(MatterKind.ENDING, case)
    )
    assert response.status_code == 200
    assert "kan inte förberedas" in response.content.decode()
    assert not Matter.objects.filter(case=case).exists()


def test_an_amount_that_is_not_a_number_is_refused_next_to_the_field(client, case):
    client.force_login(case.officer)
    data = prepare_data(MatterKind.RENEGOTIATION, case) | {"amount_change": "femtiotusen"}
    response = client.post(reverse("decisions:matter_prepare", args=[case.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["amount_change"] == [
        "Ange förändringen i hela kronor, t.ex. 50 000 eller -20 000."
    ]
    page = response.content.decode()
    assert 'value="femtiotusen"' in page
    assert 'value="2026-06-01"' in page
    assert not Matter.objects.filter(case=case).exists()


def test_a_renegotiation_without_its_change_is_refused_next_to_the_fields(client, case):
    client.force_login(case.officer)
    data = {"kind": MatterKind.RENEGOTIATION.value}
    response = client.post(reverse("decisions:matter_prepare", args=[case.pk]), data)
    assert set(response.context["form"].errors) >= {"amount_change", "change_from"}
    assert not Matter.objects.exists()


# --- Editing the draft ----------------------------------------------------------------------


def test_the_draft_is_edited_and_saved_with_the_user_in_its_history(client, case):
    PerspectiveHeading.objects.create(public_body=case.public_body, heading="Barnrättsperspektiv")
    matter = prepare(case)
    client.force_login(case.officer)
    page = client.get(matter_url(matter)).content.decode()
    # The texts in the order the tjänsteskrivelse prints them.
    order = [
        "id_title",
        'id="point-1"',
        "id_summary",
        "id_background",
        "id_economic_consequences",
        "Barnrättsperspektiv",
        "id_send_to",
        "id_officer_name",
        "id_signing_official_title",
        "id_follow_up_cooperation",
        "id_follow_up_development",
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    perspective = matter.perspectives.get()
    data = posted(
        matter,
        summary="En ny sammanfattning.",
        follow_up_goal_fulfilment="Målen är nådda.",
        **{f"perspective-{perspective.pk}": "Barnen får en röst."},
    )
    response = client.post(matter_url(matter), data)
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.summary == "En ny sammanfattning."
    assert matter.follow_up_goal_fulfilment == "Målen är nådda."
    assert matter.perspectives.get().text == "Barnen får en röst."
    assert matter.history.first().history_user == case.officer
    assert matter.perspectives.get().history.first().history_user == case.officer


def test_an_invalid_form_is_shown_again_with_what_was_typed(client, officer):
    case = CaseFactory(status=CaseStatus.ACTIVE, officer=officer)
    matter = prepare(case, MatterKind.RENEGOTIATION)
    client.force_login(officer)
    data = posted(matter, amount_change="mycket", summary="Skrivet men inte sparat.")
    response = client.post(matter_url(matter), data)
    assert response.status_code == 200
    assert "amount_change" in response.context["form"].errors
    assert "Skrivet men inte sparat." in response.content.decode()
    matter.refresh_from_db()
    assert matter.summary != "Skrivet men inte sparat."


def test_the_partner_request_is_uploaded_and_checked(client, officer):
    case = CaseFactory(status=CaseStatus.ACTIVE, officer=officer)
    matter = prepare(case, MatterKind.RENEGOTIATION)
    client.force_login(officer)
    bad = upload_files.upload("askande.pdf", upload_files.EXE_BYTES)
    response = client.post(matter_url(matter), posted(matter) | {"partner_request_file": bad})
    assert response.status_code == 200
    assert "partner_request_file" in response.context["form"].errors
    matter.refresh_from_db()
    assert not matter.partner_request_file
    good = upload_files.upload("askande.pdf", upload_files.pdf_bytes())
    response = client.post(matter_url(matter), posted(matter) | {"partner_request_file": good})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.partner_request_file.name.endswith(".pdf")


def test_an_edit_conflict_keeps_the_input_and_shows_what_the_other_saved(client, case, coordinator):
    matter = prepare(case)
    stale = posted(matter, summary="Min text.")
    services.matter_update(matter=matter, actor=coordinator, summary="Karins text.")
    client.force_login(case.officer)
    response = client.post(matter_url(matter), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Någon annan har sparat" in page
    assert "Karins text." in page and "Min text." in page
    matter.refresh_from_db()
    assert matter.summary == "Karins text."
    # Saving again (the form now carries the new revision) overwrites on purpose.
    form = response.context["form"]
    again = dict(stale, revision=form["revision"].value())
    assert client.post(matter_url(matter), again).status_code == 302
    matter.refresh_from_db()
    assert matter.summary == "Min text."


def test_points_are_added_removed_and_generated_again(client, case):
    matter = prepare(case)
    generated = [p.text for p in matter.points.all()]
    client.force_login(case.officer)
    url = matter_url(matter)
    # Add: the form again with an empty point; nothing saved.
    response = client.post(url, posted(matter) | {"add_point": "1"})
    assert response.status_code == 200
    assert response.context["form"].points == [*generated, ""]
    assert 'id="point-2"' in response.content.decode()
    # Save two points.
    client.post(url, posted(matter, points=["Första punkten.", "Andra punkten."]))
    assert list(matter.points.values_list("text", flat=True)) == [
        "Första punkten.",
        "Andra punkten.",
    ]
    # Remove the first: shown without it; saved when saved.
    response = client.post(url, posted(matter) | {"remove_point": "0"})
    assert response.context["form"].points == ["Andra punkten."]
    assert DecisionPoint.objects.filter(matter=matter).count() == 2
    client.post(url, posted(matter, points=response.context["form"].points))
    assert list(matter.points.values_list("text", flat=True)) == ["Andra punkten."]
    # Generated again from the case, saving the rest of the form too.
    response = client.post(url, posted(matter, summary="Sparad.") | {"regenerate_points": "1"})
    assert response.status_code == 302
    assert [p.text for p in matter.points.all()] == generated
    matter.refresh_from_db()
    assert matter.summary == "Sparad."


# --- Making it final ------------------------------------------------------------------------


def test_finalising_without_a_decision_point_is_refused_and_changes_nothing(client, case):
    matter = prepare(case)
    client.force_login(case.officer)
    client.post(matter_url(matter), posted(matter, points=[], follow_up_goal_fulfilment="Nådda."))
    assert not matter.points.exists()
    revision = Matter.objects.get(pk=matter.pk).revision
    response = client.post(matter_url(matter, "decisions:matter_finalise"))
    assert response.status_code == 409
    assert "minst en beslutspunkt" in response.content.decode()
    matter.refresh_from_db()
    assert matter.status == MatterStatus.DRAFT and matter.revision == revision
    assert not RegistryEntry.objects.filter(case=case).exists()


def test_finalising_registers_the_documents_and_freezes_the_text(client, case):
    matter = prepare(case)
    client.force_login(case.officer)
    client.post(matter_url(matter), posted(matter, follow_up_goal_fulfilment="Målen är nådda."))
    response = client.post(matter_url(matter, "decisions:matter_finalise"))
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.status == MatterStatus.FINAL
    documents = list(MatterDocument.objects.filter(matter=matter).select_related("registry_entry"))
    assert {d.role for d in documents} == {"report", "follow_up"}
    entries = RegistryEntry.objects.filter(case=case)
    assert entries.count() == len(documents)
    page = client.get(matter_url(matter)).content.decode()
    assert 'id="matter-form"' not in page
    assert "Målen är nådda." in page
    for document in documents:
        assert document.registry_entry.number in page
    assert "Bilaga 1" in page
    assert 'id="new-version-submit"' in page


def test_a_final_matter_cannot_be_edited(client, case):
    matter = prepare(case)
    services.matter_update(matter=matter, actor=case.officer, follow_up_goal_fulfilment="Nådda.")
    services.matter_finalise(matter=matter, actor=case.officer)
    client.force_login(case.officer)
    response = client.post(matter_url(matter), posted(matter, summary="Ändrad i efterhand."))
    assert response.status_code == 409
    assert "ny version" in response.content.decode()
    matter.refresh_from_db()
    assert matter.summary != "Ändrad i efterhand."
    assert matter.status == MatterStatus.FINAL


def test_a_new_version_replaces_the_final_matter(client, case):
    matter = prepare(case)
    services.matter_update(matter=matter, actor=case.officer, follow_up_goal_fulfilment="Nådda.")
    services.matter_finalise(matter=matter, actor=case.officer)
    client.force_login(case.officer)
    response = client.post(matter_url(matter, "decisions:matter_new_version"))
    new = Matter.objects.get(replaces=matter)
    assert response.status_code == 302 and response["Location"] == matter_url(new)
    assert new.version == 2 and new.is_draft
    assert new.follow_up_goal_fulfilment == "Nådda."
    old_page = client.get(matter_url(matter)).content.decode()
    assert 'id="matter-replaced"' in old_page
    assert matter_url(new) in old_page


# --- Who may do what ------------------------------------------------------------------------

READERS = ["other_officer", "jurist", "secretary", "finance", "auditor"]
WRITERS = ["case_officer", "coordinator"]


@pytest.fixture
def people(case, make_user, coordinator, jurist, secretary, finance, auditor):
    return {
        "case_officer": case.officer,
        "other_officer": make_user(Role.CASE_OFFICER),
        "coordinator": coordinator,
        "jurist": jurist,
        "secretary": secretary,
        "finance": finance,
        "auditor": auditor,
    }


@pytest.mark.parametrize("who", WRITERS + READERS + ["anonymous"])
def test_who_reads_and_who_writes(client, case, people, who):
    draft = prepare(case, MatterKind.FOLLOW_UP)
    final = prepare(case, MatterKind.RENEGOTIATION)
    services.matter_update(matter=final, actor=case.officer, renegotiation_needs="Behov.")
    services.matter_finalise(matter=final, actor=case.officer)
    if who != "anonymous":
        client.force_login(people[who])
    prepare_url = reverse("decisions:matter_prepare", args=[case.pk])
    gets = {"prepare": prepare_url, "draft": matter_url(draft), "final": matter_url(final)}
    posts = {
        "prepare": (prepare_url, prepare_data(MatterKind.FOLLOW_UP_RENEGOTIATION, case)),
        "edit": (matter_url(draft), posted(draft, summary="Ändrad.")),
        "finalise": (matter_url(draft, "decisions:matter_finalise"), {}),
        "new_version": (matter_url(final, "decisions:matter_new_version"), {}),
    }
    if who == "anonymous":
        for url in [*gets.values(), *(url for url, _data in posts.values())]:
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        for url, data in posts.values():
            assert client.post(url, data).status_code == 302
        assert Matter.objects.filter(case=case).count() == 2
        return
    if who in WRITERS:
        assert client.get(gets["prepare"]).status_code == 200
        page = client.get(gets["draft"]).content.decode()
        assert 'id="matter-form"' in page
        assert client.get(gets["final"]).status_code == 200
        assert client.post(*posts["edit"]).status_code == 302
        assert client.post(*posts["prepare"]).status_code == 302
        assert client.post(*posts["new_version"]).status_code == 302
        return
    assert client.get(gets["prepare"]).status_code == 403
    page = client.get(gets["draft"]).content.decode()
    assert 'id="matter-form"' not in page and 'id="matter-text"' in page
    assert 'id="finalise-submit"' not in page
    final_page = client.get(gets["final"]).content.decode()
    assert 'id="new-version-submit"' not in final_page
    for url, data in posts.values():
        assert client.post(url, data).status_code == 403
    assert Matter.objects.filter(case=case).count() == 2
    assert Matter.objects.get(pk=draft.pk).status == MatterStatus.DRAFT
    assert Matter.objects.get(pk=final.pk).status == MatterStatus.FINAL


def test_a_matter_of_another_case_is_not_found_under_this_case(client, case, officer):
    other = CaseFactory(status=CaseStatus.ACTIVE, officer=officer)
    matter = prepare(other)
    client.force_login(officer)
    url = reverse("decisions:matter", args=[case.pk, matter.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, posted(matter)).status_code == 404
    finalise = reverse("decisions:matter_finalise", args=[case.pk, matter.pk])
    assert client.post(finalise).status_code == 404


# --- Queries --------------------------------------------------------------------------------


def _matter_with(case, count: int) -> Matter:
    for n in range(count):
        PerspectiveHeading.objects.get_or_create(
            public_body=case.public_body, heading=f"Perspektiv {n}", defaults={"position": n}
        )
    matter = prepare(case)
    services.matter_points_save(
        matter=matter, actor=case.officer, texts=[f"Punkt {n}." for n in range(count)]
    )
    return matter


def _count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("final", [False, True])
def test_the_matter_page_makes_as_many_queries_with_2_and_6_points(
    client, officer, django_assert_num_queries, final
):
    client.force_login(officer)
    matters = []
    for size in (2, 6):
        case = CaseFactory(status=CaseStatus.ACTIVE, officer=officer)
        PerspectiveHeading.objects.filter(public_body=case.public_body).delete()
        matter = _matter_with(case, size)
        if final:
            services.matter_update(matter=matter, actor=officer, follow_up_goal_fulfilment="Nådda.")
            services.matter_finalise(matter=matter, actor=officer)
        assert matter.points.count() == size and matter.perspectives.count() == size
        matters.append(matter)
    expected = _count_queries(client, matter_url(matters[0]))
    with django_assert_num_queries(expected):
        client.get(matter_url(matters[1]))


def test_the_case_page_panel_makes_as_many_queries_with_1_and_3_matters(
    client, officer, django_assert_num_queries
):
    client.force_login(officer)
    cases = []
    for kinds in ([MatterKind.FOLLOW_UP], list(MatterKind)[1:4]):
        case = CaseFactory(status=CaseStatus.ACTIVE, officer=officer)
        for kind in kinds:
            prepare(case, kind)
        cases.append(case)
    expected = _count_queries(client, reverse("cases:detail", args=[cases[0].pk]))
    with django_assert_num_queries(expected):
        client.get(reverse("cases:detail", args=[cases[1].pk]))
