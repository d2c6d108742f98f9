"""The accessibility statement (tillgänglighetsredogörelse, /tillganglighet/): public, linked
from every page's footer, in the structure the Agency for Digital Government (Digg) asks for
under the Act on accessibility to digital public services (DOS-lagen, SFS 2018:1937).

What it says about the tests is what tests/browser checks (axe-core and the Nu Html Checker on
every page visited, tests/browser/test_keyboard_paths.py for the keyboard); the two dates
below are moved when the statement is reviewed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..models import PublicBody

# The last self-assessment (the automated tests and the manual keyboard walk-through) and the
# last change of the statement's text.
ASSESSED_ON = datetime.date(2026, 12, 4)
UPDATED_ON = datetime.date(2026, 12, 4)

# Digg's complaint route ("Anmäl bristande tillgänglighet").
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"


@login_not_required
@require_safe
def statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "iop/accessibility.html",
        {
            "public_bodies": list(PublicBody.objects.values_list("name", flat=True)),
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "digg_report_url": DIGG_REPORT_URL,
            "assessed_on": ASSESSED_ON,
            "updated_on": UPDATED_ON,
        },
    )
