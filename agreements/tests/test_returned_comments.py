"""The jurist's comments on a returned version, shown where they apply: each heading's comments
inside that heading's section of the new draft (agreement page and the heading's edit page),
the general comments and a summary linking to the headings at the top."""

from __future__ import annotations

import re

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from agreements import services
from agreements.constants import SectionKey
from agreements.models import ReviewComment
from agreements.tests.factories import agreement_at, drafting_case

pytestmark = pytest.mark.django_db

GOALS = SectionKey.GOALS.value


def _returned(officer, jurist, note=""):
    """A case back in drafting: version 1 returned with a comment on GOALS (and ``note``)."""
    returned = agreement_at(drafting_case(officer=officer), "returned", jurist=jurist)
    if note:
        ReviewComment.objects.create(version=returned, section_key="", text=note, author=jurist)
    return returned


def _block(html: str, element_id: str) -> str:
    """The HTML of the ``<section id=element_id>`` up to its matching close tag."""
    start = html.index(f'id="{element_id}"')
    start = html.rindex("<section", 0, start)
    depth, position = 0, start
    for match in re.finditer(r"<(/?)section\b", html[start:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = start + match.end()
            break
    return html[start:position]


def _sections(html: str) -> dict[str, str]:
    return {key: _block(html, f"section-{key}") for key in SectionKey.values}


def test_a_heading_comment_is_shown_in_its_section(client, officer, jurist):
    returned = _returned(officer, jurist)
    case = returned.agreement.case
    client.force_login(officer)
    response = client.get(reverse("agreements:detail", args=[case.pk]))
    html = response.content.decode()
    sections = _sections(html)
    assert "Förtydliga målen." in sections[GOALS]
    assert 'id="comments-goals"' in sections[GOALS]
    label = ngettext(
        "The jurist's comment on version %(number)s:",
        "The jurist's comments on version %(number)s:",
        1,
    ) % {"number": returned.number}
    assert label in sections[GOALS]
    for key, section in sections.items():
        if key != GOALS:
            assert "Förtydliga målen." not in section
            assert "returned-note" not in section
    # The top block links to the heading and no longer repeats the comment.
    top = _block(html, "returned-comments")
    assert 'href="#section-goals"' in top
    assert "Förtydliga målen." not in top
    assert re.findall(r'<li data-section="(\w+)"', top) == [GOALS]
    assert [c.text for c in response.context["returned_comments"]] == ["Förtydliga målen."]


def test_a_general_comment_stays_at_the_top(client, officer, jurist):
    returned = _returned(officer, jurist, note="I övrigt bra.")
    case = returned.agreement.case
    client.force_login(officer)
    html = client.get(reverse("agreements:detail", args=[case.pk])).content.decode()
    top = _block(html, "returned-comments")
    assert "I övrigt bra." in top
    assert gettext("General comment") in top
    for section in _sections(html).values():
        assert "I övrigt bra." not in section
    assert html.index('id="returned-comments"') < html.index('id="section-background"')


def test_summary_follows_the_order_of_the_headings(client, officer, jurist):
    returned = _returned(officer, jurist)
    ReviewComment.objects.create(
        version=returned, section_key=SectionKey.BACKGROUND, text="Bakgrund.", author=jurist
    )
    ReviewComment.objects.create(
        version=returned, section_key=SectionKey.ECONOMY, text="Ekonomi.", author=jurist
    )
    case = returned.agreement.case
    client.force_login(officer)
    html = client.get(reverse("agreements:detail", args=[case.pk])).content.decode()
    top = _block(html, "returned-comments")
    assert re.findall(r'<li data-section="(\w+)"', top) == ["background", GOALS, "economy"]
    assert "Ekonomi." in _sections(html)["economy"]


def test_the_edit_page_shows_only_its_headings_comments(client, officer, jurist):
    returned = _returned(officer, jurist, note="I övrigt bra.")
    case = returned.agreement.case
    client.force_login(officer)
    goals = client.get(reverse("agreements:section", args=[case.pk, GOALS]))
    assert goals.status_code == 200
    html = goals.content.decode()
    assert "Förtydliga målen." in html and 'id="comments-goals"' in html
    assert "I övrigt bra." not in html
    assert html.index('id="comments-goals"') < html.index('name="text"')
    purpose = client.get(reverse("agreements:section", args=[case.pk, SectionKey.PURPOSE]))
    assert purpose.status_code == 200
    assert "Förtydliga målen." not in purpose.content.decode()
    assert purpose.context["returned_comments"] == []


def test_a_first_draft_shows_no_comments(client, officer):
    case = drafting_case(officer=officer)
    services.agreement_start(case=case, actor=officer)
    client.force_login(officer)
    html = client.get(reverse("agreements:detail", args=[case.pk])).content.decode()
    assert 'id="returned-comments"' not in html and "returned-note" not in html
    page = client.get(reverse("agreements:section", args=[case.pk, GOALS]))
    assert "returned-note" not in page.content.decode()


def test_submitted_again_the_comments_are_not_shown(client, officer, jurist):
    returned = _returned(officer, jurist)
    case = returned.agreement.case
    services.submit_draft(case=case, actor=officer)
    client.force_login(officer)
    html = client.get(reverse("agreements:detail", args=[case.pk])).content.decode()
    assert "returned-note" not in html and 'id="returned-comments"' not in html


@pytest.mark.parametrize("name", ["detail", "section"])
def test_the_number_of_queries_does_not_grow_with_comments(client, officer, jurist, name):
    client.force_login(officer)
    counts = {}
    for size in (1, 10):
        returned = _returned(officer, jurist)
        keys = list(SectionKey.values)
        for i in range(size - 1):
            ReviewComment.objects.create(
                version=returned, section_key=keys[i % len(keys)], text=f"K {i}", author=jurist
            )
        ReviewComment.objects.create(version=returned, section_key="", text="Allt.", author=jurist)
        case = returned.agreement.case
        args = [case.pk] if name == "detail" else [case.pk, GOALS]
        page = reverse(f"agreements:{name}", args=args)
        client.get(page)  # warm up the session and permission caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200
        assert len(response.context["returned_comments"]) >= 1
        counts[size] = len(queries)
    assert counts[1] == counts[10], counts
