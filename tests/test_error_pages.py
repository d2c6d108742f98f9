"""Refusals and missing pages answer in Swedish, in the site's layout, with a way on."""

import pytest

from django.urls import reverse

from agreements.tests.factories import complete_draft

pytestmark = pytest.mark.django_db


def test_a_forbidden_page_explains_itself_in_the_layout(client, auditor):
    draft = complete_draft()
    client.force_login(auditor)
    response = client.get(reverse("agreements:budget", args=[draft.agreement.case_id]))
    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["403.html", "base.html"]
    assert 'id="main"' in response.content.decode()
    assert reverse("home") in response.content.decode()


def test_a_missing_page_is_answered_in_the_layout(client, officer):
    client.force_login(officer)
    response = client.get("/arenden/999999/avtal/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert reverse("cases:list") in response.content.decode()


def test_the_server_error_page_stands_alone(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert '<html lang="sv">' in html and "Till startsidan" in html
