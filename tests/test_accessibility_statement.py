"""The accessibility statement (/tillganglighet/, iop.views.accessibility): public, linked from
every page's footer, with the parts Digg's template asks for. Its HTML is checked by axe-core
and the Nu Html Checker in tests/browser/test_keyboard_paths.py."""

import pytest

from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext

from iop.tests.factories import PublicBodyFactory

pytestmark = pytest.mark.django_db

URL = "/tillganglighet/"


def test_the_statement_is_public_and_has_digg_s_parts(client, django_assert_num_queries):
    PublicBodyFactory(name="Region Exempel")
    contact = override_settings(ACCESSIBILITY_CONTACT_EMAIL="tillganglighet@region.example.se")
    with contact, django_assert_num_queries(1):  # the public bodies
        response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for section in (
        'id="scope"',  # who is responsible and what it covers
        'id="compliance"',
        'id="non-accessible-content"',
        'id="report"',
        'id="enforcement"',
        'id="method"',
        'id="statement-updated"',
    ):
        assert section in html, section
    assert "Region Exempel" in html
    assert 'href="mailto:tillganglighet@region.example.se"' in html
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    # The compliance status in the words of Digg's template (sv: "delvis förenlig").
    assert (
        gettext(
            "IOP-stöd is partially compliant with the Act on accessibility to digital public "
            "services, because of the shortcomings described below."
        )
        in html
    )


def test_the_footer_links_to_it_logged_out_and_logged_in(client, officer):
    link = f'href="{URL}" id="footer-accessibility"'
    assert reverse("accessibility") == URL
    assert link in client.get(reverse("login")).content.decode()
    client.force_login(officer)
    assert link in client.get(reverse("home")).content.decode()
