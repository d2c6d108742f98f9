"""Drafting the agreement: its page, the headings, the term, the parties, and starting,
submitting and revising a draft; who may do it, and what happens when two people edit at once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from agreements import services
from agreements.constants import BudgetKind, SectionKey, TermKind, VersionStatus
from agreements.models import ActionPlanActivity, Agreement, AgreementVersion, BudgetLine
from agreements.tests.factories import agreement_at, complete_draft, drafting_case
from decisions.constants import MatterKind, Outcome
from decisions.tests.factories import decide
from iop.constants import CaseStatus, Role
from iop.models import Case

pytestmark = pytest.mark.django_db

EDITORS = ("officer", "substitute", "coordinator")
READERS = ("jurist", "secretary", "auditor", "finance", "other_officer")


@pytest.fixture
def people(officer, coordinator, jurist, secretary, auditor, finance, make_user):
    return {
        "officer": officer,
        "substitute": make_user(Role.CASE_OFFICER, username="sune"),
        "coordinator": coordinator,
        "jurist": jurist,
        "secretary": secretary,
        "auditor": auditor,
        "finance": finance,
        "other_officer": make_user(Role.CASE_OFFICER, username="bo"),
    }


@pytest.fixture
def case(people):
    return drafting_case(officer=people["officer"], substitute=people["substitute"])


@pytest.fixture
def draft(case, people):
    agreement = services.agreement_start(case=case, actor=people["officer"])
    return services.draft_version(agreement)


def url(name, case, *args):
    return reverse(f"agreements:{name}", args=[case.pk, *args])


def section_url(case, key=SectionKey.GOALS):
    return url("section", case, key)


def terms_data(version, **overrides):
    data = {
        "start_date": "2027-01-01",
        "term_kind": TermKind.FIXED,
        "term_years": "5",
        "revision_interval_years": "2",
        "notice_months": "6",
        "invoice_address": "Region Värmland, Box 1022, 651 15 Karlstad",
        "revision": str(version.revision),
    }
    data.update(overrides)
    return data


def parties_data(version, changes=None):
    """The parties form as the page posts it, with ``changes`` per party pk."""
    parties = list(version.parties.order_by("order", "pk"))
    data = {
        "parties-TOTAL_FORMS": str(len(parties)),
        "parties-INITIAL_FORMS": str(len(parties)),
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
        "revision": str(version.revision),
    }
    for i, party in enumerate(parties):
        values = {
            "id": party.pk,
            "order": party.order,
            "signatory_name": party.signatory_name,
            "signatory_title": party.signatory_title,
            "contact_name": party.contact_name,
            "contact_email": party.contact_email,
            "contact_phone": party.contact_phone,
            "annual_amount": party.annual_amount,
        }
        values.update((changes or {}).get(party.pk, {}))
        data.update({f"parties-{i}-{k}": str(v) for k, v in values.items()})
    return data


# --- Who may open what ----------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, case, draft):
    for target in (
        url("detail", case),
        section_url(case),
        url("terms", case),
        url("parties", case),
    ):
        response = client.get(target)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for name in ("start", "submit", "revise"):
        response = client.post(url(name, case))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_user_without_a_role_is_refused(client, make_user, case, draft):
    client.force_login(make_user(None))
    assert client.get(url("detail", case)).status_code == 403
    assert client.get(section_url(case)).status_code == 403


@pytest.mark.parametrize("who", EDITORS + READERS)
def test_everyone_with_a_role_reads_the_agreement(client, people, case, draft, who):
    client.force_login(people[who])
    response = client.get(url("detail", case))
    assert response.status_code == 200
    assert response.context["version"] == draft
    assert response.context["editable"] is (who in EDITORS)
    page = response.content.decode()
    assert (section_url(case) in page) is (who in EDITORS)
    assert (url("submit", case) in page) is (who in EDITORS)


@pytest.mark.parametrize("who", EDITORS)
@pytest.mark.parametrize("name", ["section", "terms", "parties"])
def test_editors_open_the_edit_screens(client, people, case, draft, who, name):
    client.force_login(people[who])
    target = section_url(case) if name == "section" else url(name, case)
    assert client.get(target).status_code == 200


@pytest.mark.parametrize("who", READERS)
def test_readers_may_not_edit(client, people, case, draft, who):
    client.force_login(people[who])
    goals = draft.sections.get(key=SectionKey.GOALS)
    assert client.get(section_url(case)).status_code == 403
    assert client.get(url("terms", case)).status_code == 403
    assert client.get(url("parties", case)).status_code == 403
    response = client.post(section_url(case), {"text": "Ändrat", "revision": goals.revision})
    assert response.status_code == 403
    response = client.post(url("terms", case), terms_data(draft, invoice_address="Ändrad"))
    assert response.status_code == 403
    first = draft.parties.order_by("order").first()
    response = client.post(
        url("parties", case), parties_data(draft, {first.pk: {"signatory_name": "X"}})
    )
    assert response.status_code == 403
    for name in ("submit", "revise", "start"):
        assert client.post(url(name, case)).status_code == 403
    draft.refresh_from_db()
    goals.refresh_from_db()
    first.refresh_from_db()
    assert goals.text != "Ändrat" and draft.invoice_address == "" and first.signatory_name == ""
    assert draft.status == VersionStatus.DRAFT


def test_unknown_heading_is_404(client, officer, case, draft):
    client.force_login(officer)
    assert client.get(url("section", case, "nonsense")).status_code == 404


# --- Starting the draft ---------------------------------------------------------------------


def test_officer_starts_the_draft_from_the_case(client, officer, jurist, case):
    client.force_login(jurist)
    response = client.get(url("detail", case))
    assert response.context["version"] is None and not response.context["can_start"]
    assert url("start", case) not in response.content.decode()

    client.force_login(officer)
    response = client.get(url("detail", case))
    assert response.context["can_start"]
    assert url("start", case) in response.content.decode()
    response = client.post(url("start", case))
    assert response.status_code == 302
    version = services.draft_version(Agreement.objects.get(case=case))
    assert version.number == 1
    assert version.sections.get(key=SectionKey.BACKGROUND).text == case.societal_challenge


def test_start_is_refused_before_drafting(client, officer):
    case = drafting_case(officer=officer, status=CaseStatus.PREPARATION)
    client.force_login(officer)
    assert not client.get(url("detail", case)).context["can_start"]
    response = client.post(url("start", case), follow=True)
    assert response.status_code == 200
    assert not Agreement.objects.filter(case=case).exists()
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_edit_screens_without_an_agreement_are_refused(client, officer, case):
    client.force_login(officer)
    response = client.get(section_url(case))
    assert response.status_code == 409
    assert response.context["reasons"]


# --- One heading ----------------------------------------------------------------------------


def test_saving_a_heading(client, officer, case, draft):
    goals = draft.sections.get(key=SectionKey.GOALS)
    client.force_login(officer)
    response = client.get(section_url(case))
    assert response.context["form"]["revision"].value() == goals.revision
    response = client.post(section_url(case), {"text": "Nya mål.", "revision": goals.revision})
    assert response.status_code == 302
    assert response.url.endswith(f"#section-{SectionKey.GOALS}")
    goals.refresh_from_db()
    assert goals.text == "Nya mål." and goals.revision == 2 and goals.updated_by == officer


def test_save_and_go_to_the_next_heading(client, officer, case, draft):
    goals = draft.sections.get(key=SectionKey.GOALS)
    client.force_login(officer)
    response = client.post(
        section_url(case), {"text": "Mål.", "revision": goals.revision, "save_next": "1"}
    )
    assert response.url == section_url(case, SectionKey.VALUES)


def test_a_heading_without_revision_is_shown_again(client, officer, case, draft):
    client.force_login(officer)
    response = client.post(section_url(case), {"text": "Mitt utkast."})
    assert response.status_code == 200
    assert "revision" in response.context["form"].errors
    assert "Mitt utkast." in response.content.decode()


def test_two_saves_from_the_same_revision_conflict(client, people, case, draft):
    goals = draft.sections.get(key=SectionKey.GOALS)
    opened_at = goals.revision
    client.force_login(people["officer"])
    assert (
        client.post(section_url(case), {"text": "Annas text.", "revision": opened_at}).status_code
        == 302
    )

    client.force_login(people["substitute"])
    response = client.post(section_url(case), {"text": "Sunes text.", "revision": opened_at})
    assert response.status_code == 409
    goals.refresh_from_db()
    assert goals.text == "Annas text."  # the first save is kept
    form = response.context["form"]
    assert form["text"].value() == "Sunes text."  # and the second user's text too
    assert form["revision"].value() == str(goals.revision)
    conflict = response.context["conflict"]
    assert conflict.by == people["officer"]
    assert conflict.rows[0][1] == "Annas text."
    page = response.content.decode()
    assert 'id="edit-conflict"' in page and "Annas text." in page and "Sunes text." in page
    assert any(m.level_tag == "warning" for m in response.context["messages"])

    # Having read the other text, a second save replaces it on purpose.
    response = client.post(section_url(case), {"text": "Sunes text.", "revision": goals.revision})
    assert response.status_code == 302
    goals.refresh_from_db()
    assert goals.text == "Sunes text."


def test_heading_shows_its_wording_hits(client, officer, case, draft):
    goals = draft.sections.get(key=SectionKey.GOALS)
    services.section_save(
        section=goals, text="Kontraktet gäller.", revision=goals.revision, actor=officer
    )
    client.force_login(officer)
    response = client.get(section_url(case))
    assert [h.matched for h in response.context["hits"]] == ["Kontraktet"]
    assert "<mark" in response.content.decode()
    response = client.get(url("detail", case))
    row = next(r for r in response.context["rows"] if r.section.key == SectionKey.GOALS)
    assert [h.matched for h in row.hits] == ["Kontraktet"]


# --- Frozen versions ------------------------------------------------------------------------


def test_a_submitted_version_is_not_edited(client, officer):
    version = agreement_at(drafting_case(officer=officer), "submitted")
    case = version.agreement.case
    goals = version.sections.get(key=SectionKey.GOALS)
    before = goals.text
    client.force_login(officer)
    response = client.post(section_url(case), {"text": "Sent ändrat.", "revision": goals.revision})
    assert response.status_code == 409
    assert response.context["reasons"]
    assert "Sent ändrat." in response.content.decode()  # the typed text is not lost
    goals.refresh_from_db()
    assert goals.text == before
    assert client.get(url("terms", case)).status_code == 409
    response = client.post(url("terms", case), terms_data(version, invoice_address="Ny"))
    assert response.status_code == 409
    assert client.get(url("parties", case)).status_code == 409
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED and version.invoice_address == ""
    detail = client.get(url("detail", case))
    assert not detail.context["editable"] and not detail.context["can_submit"]
    assert section_url(case) not in detail.content.decode()


# --- Submitting -----------------------------------------------------------------------------


def test_submit_is_refused_with_what_is_missing(client, officer, case, draft):
    client.force_login(officer)
    response = client.post(url("submit", case), follow=True)
    assert response.status_code == 200
    case.refresh_from_db()
    draft.refresh_from_db()
    assert case.status == CaseStatus.DRAFTING and draft.status == VersionStatus.DRAFT
    assert any(m.level_tag == "error" for m in response.context["messages"])
    problems = response.context["problems"]
    missing = [str(SectionKey(k).label) for k in (SectionKey.VALUES, SectionKey.GOVERNANCE)]
    assert any(all(label in p for label in missing) for p in problems)
    page = response.content.decode()
    assert 'id="readiness-problems"' in page and missing[0] in page


def test_submitting_a_complete_draft(client, officer, jurist):
    case = drafting_case(officer=officer)
    version = complete_draft(case)
    client.force_login(officer)
    response = client.get(url("detail", case))
    assert response.context["problems"] == []
    response = client.post(url("submit", case))
    assert response.status_code == 302
    version.refresh_from_db()
    case.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED and case.status == CaseStatus.LEGAL_REVIEW

    client.force_login(jurist)
    response = client.get(url("detail", case))
    assert response.context["can_review"]
    client.force_login(officer)
    assert not client.get(url("detail", case)).context["can_review"]


# --- Term -----------------------------------------------------------------------------------


def test_saving_the_term(client, officer, case, draft):
    client.force_login(officer)
    data = terms_data(draft, term_kind=TermKind.UNTIL_FURTHER_NOTICE, revision_interval_years="2")
    response = client.post(url("terms", case), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.term_kind == TermKind.UNTIL_FURTHER_NOTICE
    assert draft.revision_interval_years == 2 and draft.notice_months == 6
    assert draft.start_date.isoformat() == "2027-01-01" and draft.revision == 2
    assert draft.invoice_address.startswith("Region Värmland")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"term_kind": TermKind.FIXED, "term_years": ""}, "term_years"),
        (
            {"term_kind": TermKind.UNTIL_FURTHER_NOTICE, "revision_interval_years": ""},
            "revision_interval_years",
        ),
        ({"notice_months": "0"}, "notice_months"),
        ({"start_date": "den första"}, "start_date"),
    ],
)
def test_invalid_term_is_shown_again(client, officer, case, draft, overrides, field):
    client.force_login(officer)
    data = terms_data(draft, invoice_address="Föreningen Exempel, Storgatan 1", **overrides)
    response = client.post(url("terms", case), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert "Föreningen Exempel, Storgatan 1" in response.content.decode()
    draft.refresh_from_db()
    assert draft.revision == 1 and draft.invoice_address == ""


def test_the_term_conflicts_like_a_heading(client, people, case, draft):
    opened_at = draft.revision
    client.force_login(people["officer"])
    client.post(url("terms", case), terms_data(draft, invoice_address="Annas adress"))
    client.force_login(people["coordinator"])
    data = terms_data(draft, invoice_address="Karins adress")
    data["revision"] = str(opened_at)
    response = client.post(url("terms", case), data)
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.invoice_address == "Annas adress"
    assert response.context["form"]["invoice_address"].value() == "Karins adress"
    assert response.context["form"]["revision"].value() == str(draft.revision)
    assert "Annas adress" in dict(response.context["conflict"].rows).values()
    assert response.context["conflict"].by == people["officer"]


# --- Parties --------------------------------------------------------------------------------


def test_saving_and_reordering_the_parties(client, officer, case, draft):
    public, organisation = list(draft.parties.order_by("order"))
    client.force_login(officer)
    response = client.get(url("parties", case))
    assert len(response.context["formset"].forms) == 2
    changes = {
        public.pk: {"signatory_name": "Regiondirektören", "annual_amount": "600000", "order": 2},
        organisation.pk: {"signatory_name": "Ordföranden", "order": 1},
    }
    response = client.post(url("parties", case), parties_data(draft, changes))
    assert response.status_code == 302
    public.refresh_from_db()
    organisation.refresh_from_db()
    assert public.signatory_name == "Regiondirektören" and public.order == 2
    assert public.annual_amount == Decimal("600000")
    assert organisation.order == 1
    draft.refresh_from_db()
    assert draft.revision == 2
    detail = client.get(url("detail", case))
    assert [p.pk for p in detail.context["detail"].parties] == [organisation.pk, public.pk]


def test_invalid_parties_are_shown_again(client, officer, case, draft):
    public, organisation = list(draft.parties.order_by("order"))
    client.force_login(officer)
    changes = {
        public.pk: {"signatory_name": "Regiondirektören", "contact_email": "inte-en-adress"},
        organisation.pk: {"order": public.order},
    }
    response = client.post(url("parties", case), parties_data(draft, changes))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert "contact_email" in formset.forms[0].errors
    assert "Regiondirektören" in response.content.decode()
    public.refresh_from_db()
    assert public.signatory_name == ""

    changes = {organisation.pk: {"order": public.order}}
    response = client.post(url("parties", case), parties_data(draft, changes))
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()


def test_parties_conflict_keeps_what_was_typed(client, people, case, draft):
    public = draft.parties.order_by("order").first()
    stale = parties_data(draft, {public.pk: {"signatory_name": "Sunes firmatecknare"}})
    client.force_login(people["officer"])
    client.post(url("terms", case), terms_data(draft))  # someone saves the version meanwhile
    client.force_login(people["substitute"])
    response = client.post(url("parties", case), stale)
    assert response.status_code == 409
    public.refresh_from_db()
    assert public.signatory_name == ""
    assert "Sunes firmatecknare" in response.content.decode()
    draft.refresh_from_db()
    assert response.context["revision_form"]["revision"].value() == draft.revision
    stale["revision"] = str(draft.revision)
    assert client.post(url("parties", case), stale).status_code == 302
    public.refresh_from_db()
    assert public.signatory_name == "Sunes firmatecknare"


# --- Renegotiation --------------------------------------------------------------------------


def test_a_new_version_in_renegotiation(client, officer, jurist, secretary):
    signed = agreement_at(drafting_case(officer=officer), "signed", jurist=jurist)
    case = Case.objects.get(pk=signed.agreement.case_id)
    client.force_login(officer)
    assert not client.get(url("detail", case)).context["can_revise"]
    decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    response = client.get(url("detail", case))
    assert response.context["can_revise"]
    assert url("revise", case) in response.content.decode()
    response = client.post(url("revise", case))
    assert response.status_code == 302
    draft = services.draft_version(signed.agreement)
    assert draft.number == 2 and draft.based_on == signed
    response = client.get(url("detail", case))
    assert response.context["version"] == draft and response.context["editable"]
    assert not response.context["can_revise"]


def test_revise_outside_renegotiation_is_refused(client, officer, case, draft):
    client.force_login(officer)
    response = client.post(url("revise", case), follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert AgreementVersion.objects.filter(agreement__case=case).count() == 1


# --- Queries --------------------------------------------------------------------------------


def _grow(version, size):
    parties = list(version.parties.order_by("order"))
    BudgetLine.objects.bulk_create(
        BudgetLine(
            version=version,
            party=parties[i % len(parties)],
            year=2027 + i % 3,
            kind=BudgetKind.MONEY,
            description=f"Rad {i}",
            amount=Decimal("1000"),
        )
        for i in range(size)
    )
    ActionPlanActivity.objects.bulk_create(
        ActionPlanActivity(
            version=version, order=i + 2, description=f"Aktivitet {i}", owner="X", timetable="2027"
        )
        for i in range(size)
    )


def test_the_agreement_page_reads_a_fixed_number_of_queries(client, officer):
    client.force_login(officer)
    counts = {}
    for size in (1, 30):
        case = drafting_case(officer=officer)
        version = complete_draft(case)
        _grow(version, size)
        client.get(url("detail", case))  # warm up the session and permission caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("detail", case))
        assert response.status_code == 200
        assert len(response.context["detail"].lines) >= size
        counts[size] = len(queries)
    assert counts[1] == counts[30], counts
    # 17 with the double-funding check (iop.funding: the organisations, their other IOPs and
    # grants).
    assert counts[30] <= 17, counts


def test_problems_are_the_services_words(client, officer, case, draft):
    client.force_login(officer)
    problems = client.get(url("detail", case)).context["problems"]
    assert gettext("The start date is missing.") in problems


# --- The case page --------------------------------------------------------------------------


def test_the_case_page_links_to_the_agreement(client, officer, jurist, case):
    client.force_login(officer)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.context["agreement_version"] is None
    assert url("detail", case) in response.content.decode()  # start it from there
    draft = services.draft_version(services.agreement_start(case=case, actor=officer))
    client.force_login(jurist)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.context["agreement_version"] == draft
    page = response.content.decode()
    assert 'id="case-agreement-link"' in page and url("detail", case) in page


def test_a_returned_draft_shows_the_jurists_comments(client, officer, jurist):
    returned = agreement_at(drafting_case(officer=officer), "returned", jurist=jurist)
    case = returned.agreement.case
    client.force_login(officer)
    response = client.get(url("detail", case))
    assert response.context["version"].based_on == returned
    assert [c.text for c in response.context["returned_comments"]] == ["Förtydliga målen."]
    assert 'id="returned-comments"' in response.content.decode()
