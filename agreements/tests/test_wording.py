"""The wording check (DOMAIN.md §6.4): SKL's words, sanction clauses and detailed regulation
are found in every inflected form, suggested in the same form, and replaced with one click
through the optimistic lock."""

from __future__ import annotations

import json

import pytest

from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from agreements import selectors, services, wording
from agreements.constants import SectionKey
from agreements.models import AgreementSection
from agreements.tests.factories import complete_draft, drafting_case
from agreements.wording import Category
from iop.constants import CaseStatus
from iop.models import Case

pytestmark = pytest.mark.django_db

MUST_SHOW = (
    "Leverantören ska enligt kontraktet leverera tjänsten mot ersättning; vid försening utgår vite."
)


def found(text: str) -> dict[str, str | None]:
    return {hit.matched: hit.suggestion for hit in wording.check_text(text)}


# --- Finding ------------------------------------------------------------------------------


def test_the_must_show_draft_is_flagged_with_suggestions():
    hits = {hit.matched: hit for hit in wording.check_text(MUST_SHOW)}
    assert hits["kontraktet"].suggestion == "överenskommelsen"
    assert hits["ersättning"].suggestion == "utbetalning"
    assert hits["vite"].suggestion == "återbetalning"
    assert hits["vite"].category == Category.SANCTION
    assert hits["Leverantören"].suggestion == "Partnern"
    assert hits["leverera"].suggestion == "genomföra"
    for hit in hits.values():
        assert MUST_SHOW[hit.start : hit.end] == hit.matched
        assert hit.reason


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("kontrakt", "överenskommelse"),
        ("kontraktet", "överenskommelsen"),
        ("kontrakten", "överenskommelserna"),
        ("kontraktets", "överenskommelsens"),
        ("kontraktstiden", "avtalstiden"),
        ("kontraktspart", "partner"),
        ("kontraktsparterna", "partnerna"),
        ("ersättningen", "utbetalningen"),
        ("ersättningar", "utbetalningar"),
        ("ersättningarna", "utbetalningarna"),
        ("uppdraget", "projektet"),
        ("uppdragsbeskrivningen", "projektbeskrivningen"),
        ("uppdragsgivaren", "parten"),
        ("anskaffningen", "partnerskapet"),
        ("faktureringen", "samfinansieringen"),
        ("rätt att häva avtalet", "rätt att lämna projektet"),
        ("rätten att häva", "rätten att lämna projektet"),
        ("hävningsrätt", "rätt att lämna projektet"),
        ("skadeståndet", "återbetalningen"),
        ("skadeståndsskyldig", "återbetalningsskyldig"),
        ("vitet", "återbetalningen"),
        ("viten", "återbetalningar"),
        ("vitesbelopp", "återbetalningsbelopp"),
        ("leverantörerna", "partnerna"),
        ("beställaren", "parten"),
        ("levererar", "genomför"),
        ("leveranserna", "insatserna"),
    ],
)
def test_inflected_forms_get_the_same_form_of_the_suggestion(text, suggestion):
    assert found(f"Enligt {text} gäller detta.") == {text: suggestion}


@pytest.mark.parametrize(
    ("text", "matched", "suggestion"),
    [
        ("Kontraktet gäller.", "Kontraktet", "Överenskommelsen"),
        ("KONTRAKTET GÄLLER.", "KONTRAKTET", "ÖVERENSKOMMELSEN"),
        ("Ersättningen betalas.", "Ersättningen", "Utbetalningen"),
        ("Rätt att häva finns.", "Rätt att häva", "Rätt att lämna projektet"),
        ("Kontraktstiden är fem år.", "Kontraktstiden", "Avtalstiden"),
    ],
)
def test_the_suggestion_keeps_the_capitalisation(text, matched, suggestion):
    assert found(text) == {matched: suggestion}
    assert wording.replace_hit(text, 0, matched).startswith(suggestion)


@pytest.mark.parametrize(
    "text",
    [
        "We invite you.",  # vite inside another word
        "Vitt och vita väggar.",
        "Fakturaadress: Region Värmland, Box 1022.",  # the invoice address belongs in the agreement
        "Den nya texten ersätter den gamla.",  # ersätta also means replace
        "Hyreskontraktet för lokalen bifogas.",  # a lease: kontrakt only as the compound's first part
        "Se i detaljplanen och detaljerna.",
        "Partnerskapet ger mötesplatser.",
    ],
)
def test_no_hit_inside_other_words(text):
    assert wording.check_text(text) == []


def test_phrases_of_detailed_regulation_have_advice_but_no_replacement():
    text = "Arbetet ska utföras enligt bilagan, i detalj och exakt hur regionen vill."
    hits = wording.check_text(text)
    assert [h.matched for h in hits] == ["ska utföras enligt", "i detalj", "exakt hur"]
    assert {h.category for h in hits} == {Category.DETAILED}
    assert all(h.suggestion is None and h.reason for h in hits)
    with pytest.raises(wording.NoSuggestion):
        wording.replace_hit(text, hits[0].start, hits[0].matched)


def test_a_phrase_across_a_line_break_is_found_and_posted_back_with_cr_lf():
    text = "Parten har rätt att\nhäva avtalet."
    (hit,) = wording.check_text(text)
    assert hit.suggestion == "rätt att lämna projektet"
    assert wording.replace_hit(text, hit.start, "rätt att\r\nhäva avtalet") == (
        "Parten har rätt att lämna projektet."
    )


def test_overlapping_rules_give_one_hit_for_the_specific_word():
    hits = wording.check_text("Kontraktsparten")
    assert [(h.matched, h.suggestion) for h in hits] == [("Kontraktsparten", "Partnern")]


# --- Replacing ----------------------------------------------------------------------------


def test_replace_hit_refuses_a_stale_hit():
    text = "Enligt kontraktet gäller."
    start = text.index("kontraktet")
    assert wording.replace_hit(text, start, "kontraktet") == "Enligt överenskommelsen gäller."
    changed = "Helt enligt kontraktet gäller."
    with pytest.raises(wording.StaleHit):
        wording.replace_hit(changed, start, "kontraktet")
    with pytest.raises(wording.StaleHit):
        wording.replace_hit("Enligt avtalet gäller.", start, "kontraktet")


def test_replace_all_removes_every_hit_that_has_a_suggestion():
    assert wording.replace_all(MUST_SHOW) == (
        "Partnern ska enligt överenskommelsen genomföra tjänsten mot utbetalning; "
        "vid försening utgår återbetalning."
    )
    assert wording.check_text(wording.replace_all(MUST_SHOW)) == []
    advice_only = "Föreningen fakturerar regionen enligt kontraktet."
    assert [h.matched for h in wording.check_text(wording.replace_all(advice_only))] == [
        "fakturerar"
    ]


def test_highlight_escapes_the_text_and_marks_each_hit_with_hidden_meaning():
    text = "<b>Kontraktet</b> & vite\nny rad"
    html = wording.highlight(text, wording.check_text(text), id_prefix="wording-economy")
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html
    assert html.count("<mark") == 2
    assert 'id="wording-economy-1"' in html
    assert f'<span class="visually-hidden">{Category.SANCTION.label}: </span>vite</mark>' in html
    assert "<br>" in html


def test_version_hits_lists_the_sections_with_hits_in_heading_order(django_assert_num_queries):
    draft = complete_draft()
    assert wording.version_hits(draft) == []  # the factory's text uses the words of cooperation
    _set_text(draft, SectionKey.TERMINATION, "Part har rätt att häva kontraktet.")
    _set_text(draft, SectionKey.BACKGROUND, "Ett uppdrag.")
    detail = selectors.version_detail(draft)
    with django_assert_num_queries(0):
        result = wording.version_hits(detail)
    assert [(s.key, [h.matched for h in hits]) for s, hits in result] == [
        (SectionKey.BACKGROUND, ["uppdrag"]),
        (SectionKey.TERMINATION, ["rätt att häva kontraktet"]),
    ]
    assert [s.key for s, _ in wording.version_hits(draft)] == [
        SectionKey.BACKGROUND,
        SectionKey.TERMINATION,
    ]


def test_the_report_lists_the_remaining_hits_or_says_there_are_none():
    draft = complete_draft()
    _set_text(draft, SectionKey.ECONOMY, "Ersättningen betalas. Vid försening utgår vite.")
    html = render_to_string(
        "agreements/_wording_report.html", {"wording_hits": wording.version_hits(draft)}
    )
    assert 'id="wording-report-economy"' in html
    assert "«Ersättningen»" in html and "«Utbetalningen»" in html and "«vite»" in html
    assert html.count('data-section="economy"') == 2
    empty = render_to_string("agreements/_wording_report.html", {"wording_hits": []})
    assert "wording-none" in empty and "<li" not in empty


# --- The one-click replacement ------------------------------------------------------------


def _set_text(version, key, text):
    AgreementSection.objects.filter(version=version, key=key).update(text=text)


def _draft_with(case, text, key=SectionKey.COMMITMENTS):
    draft = complete_draft(case)
    _set_text(draft, key, text)
    return AgreementSection.objects.get(version=draft, key=key)


def _url(case, key=SectionKey.COMMITMENTS):
    return reverse("agreements:wording_replace", kwargs={"case_pk": case.pk, "key": key})


def _post_hit(client, section, hit, **extra):
    data = {"start": hit.start, "matched": hit.matched, "revision": section.revision}
    return client.post(_url(section.version.agreement.case, section.key), data, **extra)


def _hit(section, word):
    return next(h for h in wording.check_text(section.text) if h.matched == word)


def test_the_must_show_draft_is_cleaned_by_one_click_replacements(client, officer):
    case = drafting_case(officer=officer)
    section = _draft_with(case, MUST_SHOW)
    client.force_login(officer)
    for word in ["vite", "ersättning", "kontraktet"]:
        response = _post_hit(client, section, _hit(section, word))
        assert response.status_code == 302
        assert response["Location"].startswith(
            reverse("agreements:section", kwargs={"case_pk": case.pk, "key": section.key})
        )
        section.refresh_from_db()
    assert section.text == (
        "Leverantören ska enligt överenskommelsen leverera tjänsten mot utbetalning; "
        "vid försening utgår återbetalning."
    )
    remaining = {h.rule.avoid for h in wording.check_text(section.text)}
    assert not remaining & {"kontrakt", "ersättning", "vite"}
    assert section.revision == 4
    assert section.updated_by == officer
    assert section.history.first().history_user == officer


def test_htmx_gets_the_partial_with_the_new_revision(client, coordinator):
    case = drafting_case()
    section = _draft_with(case, "Enligt kontraktet och uppdraget.")
    client.force_login(coordinator)
    response = _post_hit(client, section, _hit(section, "uppdraget"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["agreements/_wording_hits.html"]
    html = response.content.decode()
    assert 'data-revision="2"' in html and 'name="revision" value="2"' in html
    assert f'hx-post="{_url(case)}"' in html
    assert 'hx-target="#wording-commitments"' in html
    button = gettext("Replace «%(word)s» with «%(suggestion)s»") % {
        "word": "kontraktet",
        "suggestion": "överenskommelsen",
    }
    assert button in html
    assert 'class="visually-hidden"' in html  # the marks' meaning is not in the colour alone
    assert json.loads(response["HX-Trigger"]) == {
        "wordingReplaced": {"key": "commitments", "revision": 2}
    }
    section.refresh_from_db()
    assert section.text == "Enligt kontraktet och projektet."


def test_a_stale_hit_is_refused_and_nothing_is_saved(client, officer):
    case = drafting_case(officer=officer)
    section = _draft_with(case, "Enligt kontraktet gäller.")
    client.force_login(officer)
    data = {"start": 0, "matched": "kontraktet", "revision": section.revision}
    response = client.post(_url(case), data)
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    section.refresh_from_db()
    assert section.text == "Enligt kontraktet gäller." and section.revision == 1


def test_a_concurrent_edit_is_never_overwritten(client, officer):
    case = drafting_case(officer=officer)
    section = _draft_with(case, "Enligt kontraktet gäller.")
    hit = _hit(section, "kontraktet")
    services.section_save(
        section=section, text="Enligt kontraktet gäller i fem år.", revision=1, actor=officer
    )
    client.force_login(officer)
    response = client.post(
        _url(case),
        {"start": hit.start, "matched": hit.matched, "revision": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.context["error"]
    assert "HX-Trigger" not in response
    assert 'data-revision="2"' in response.content.decode()  # the saved text's hits, to retry
    section.refresh_from_db()
    assert section.text == "Enligt kontraktet gäller i fem år." and section.revision == 2


@pytest.mark.parametrize(
    "data",
    [
        {"start": "abc", "matched": "kontraktet", "revision": "1"},
        {"start": "7", "matched": "", "revision": "1"},
        {"start": "7", "matched": "kontraktet"},
        {"start": "-3", "matched": "kontraktet", "revision": "1"},
    ],
)
def test_bad_input_is_refused_with_a_message(client, officer, data):
    case = drafting_case(officer=officer)
    section = _draft_with(case, "Enligt kontraktet gäller.")
    client.force_login(officer)
    response = client.post(_url(case), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["error"] == gettext(
        "The replacement could not be read; reload the page and try again."
    )
    section.refresh_from_db()
    assert section.revision == 1


def test_unknown_heading_is_404_and_get_is_405(client, officer):
    case = drafting_case(officer=officer)
    _draft_with(case, "Enligt kontraktet gäller.")
    client.force_login(officer)
    assert client.post(_url(case, "nonsense"), {}).status_code == 404
    assert client.get(_url(case)).status_code == 405
    assert client.post(_url(drafting_case(officer=officer)), {}).status_code == 404  # no agreement


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("officer", 302),
        ("coordinator", 302),
        ("jurist", 403),
        ("secretary", 403),
        ("auditor", 403),
        ("finance", 403),
    ],
)
def test_role_matrix(client, request, role, status):
    user = request.getfixturevalue(role)
    case = drafting_case(**({"officer": user} if role == "officer" else {}))
    section = _draft_with(case, "Enligt kontraktet gäller.")
    client.force_login(user)
    response = _post_hit(client, section, _hit(section, "kontraktet"))
    assert response.status_code == status
    section.refresh_from_db()
    assert (section.text == "Enligt överenskommelsen gäller.") == (status == 302)


def test_anonymous_is_sent_to_login(client):
    case = drafting_case()
    section = _draft_with(case, "Enligt kontraktet gäller.")
    response = _post_hit(client, section, _hit(section, "kontraktet"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_another_officers_case_is_forbidden(client, officer):
    case = drafting_case()  # handled by someone else
    section = _draft_with(case, "Enligt kontraktet gäller.")
    client.force_login(officer)
    assert _post_hit(client, section, _hit(section, "kontraktet")).status_code == 403


def test_a_frozen_version_is_refused(client, officer):
    case = drafting_case(officer=officer)
    section = _draft_with(case, "Enligt kontraktet gäller.")
    services.submit_draft(case=case, actor=officer)
    client.force_login(officer)
    response = _post_hit(client, section, _hit(section, "kontraktet"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    section.refresh_from_db()
    assert section.text == "Enligt kontraktet gäller." and section.revision == 1
    with pytest.raises(services.VersionFrozen) as frozen:
        services.ensure_editable(section.version, officer)
    assert response.context["error"] == " ".join(frozen.value.reasons)
    assert "<form" not in response.content.decode()  # no buttons on a frozen version


def test_the_wrong_stage_is_refused(client, officer):
    case = drafting_case(officer=officer)
    section = _draft_with(case, "Enligt kontraktet gäller.")
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.AWAITING_DECISION)
    client.force_login(officer)
    response = _post_hit(client, section, _hit(section, "kontraktet"))
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    section.refresh_from_db()
    assert section.revision == 1


def test_query_count_does_not_grow_with_the_hits(client, officer):
    def count(text):
        case = drafting_case(officer=officer)
        section = _draft_with(case, text)
        client.force_login(officer)
        with CaptureQueriesContext(connection) as queries:
            response = _post_hit(
                client, section, wording.check_text(text)[0], HTTP_HX_REQUEST="true"
            )
        assert response.status_code == 200 and not response.context["error"]
        return len(queries)

    many = " ".join(["Enligt kontraktet utgår vite och ersättning."] * 30)
    assert count("Enligt kontraktet.") == count(many)


def test_the_pages_include_the_partial_with_buttons_for_whoever_may_edit(client, officer, jurist):
    case = drafting_case(officer=officer)
    _draft_with(case, "Enligt kontraktet gäller.")
    client.force_login(officer)
    page = client.get(reverse("agreements:detail", kwargs={"case_pk": case.pk})).content.decode()
    assert 'id="wording-commitments"' in page and f'hx-post="{_url(case)}"' in page
    edit = client.get(
        reverse("agreements:section", kwargs={"case_pk": case.pk, "key": SectionKey.COMMITMENTS})
    ).content.decode()
    # The edit page holds the text in a form: the button posts without htmx and the page reloads.
    assert f'action="{_url(case)}"' in edit and "hx-post" not in edit
    client.force_login(jurist)
    page = client.get(reverse("agreements:detail", kwargs={"case_pk": case.pk})).content.decode()
    assert 'id="wording-commitments"' in page and _url(case) not in page


def test_phrases_are_replaced_whole_so_the_sentence_stays_swedish():
    from agreements.wording import replace_all

    text = "Region Värmland betalar ersättning till föreningen kvartalsvis mot fakturering."
    assert [h.matched for h in wording.check_text(text)] == [
        "betalar ersättning",
        "mot fakturering",
    ]
    assert replace_all(text) == (
        "Region Värmland betalar ut medel till föreningen kvartalsvis efter rekvisition."
    )
