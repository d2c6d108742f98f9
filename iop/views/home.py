from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.safestring import mark_safe

from .. import selectors, workflow


def home(request: HttpRequest) -> HttpResponse:
    page = selectors.start_page(user=request.user)
    return render(request, "iop/home.html", {**vars(page), "panels": _start_panels(request)})


def _start_panels(request: HttpRequest) -> list[str]:
    """The other apps' sections at the top of the start page
    (``workflow.register_start_panel``), rendered in order; a panel whose context is None is
    not for this user."""
    rendered = []
    for panel in workflow.start_panels():
        extra = panel.context(request.user)
        if extra is not None:
            html = render_to_string(panel.template, extra, request=request)
            rendered.append(mark_safe(html))  # nosec B308, B703  # rendered by Django's templates
    return rendered


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_not_required
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (Django admin's). The static
    URL is looked up per request: with the manifest storage it exists only after
    collectstatic, and the URLconf must load without it."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
