"""The calendar (/kalender/…): the user's page with their secret feed address to subscribe to
in Outlook (and a button that renews it), the feed itself, and the download of one deadline
or one check-in as a calendar file.

Who sees what:
- the page and the downloads: every staff role that reads cases (each user their own feed
  address); others 403, anonymous users the login page;
- the feed: no login (a calendar client has no session) — the secret in the address is the
  credential, so a wrong or renewed secret, or a user who can no longer read cases, is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from iop import permissions
from iop.models import Case

from .. import selectors
from ..models import CalendarToken, CheckIn, Deadline
from ..services import calendar as calendar_services


def _ensure_reader(request: HttpRequest) -> None:
    if not permissions.can_view_cases(request.user):
        raise PermissionDenied


def _ics(content: bytes, *, filename: str = "") -> HttpResponse:
    response = HttpResponse(content, content_type=calendar_services.CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    """GET: the feed address to copy into Outlook. POST: a new address (the old one stops
    working)."""
    _ensure_reader(request)
    if request.method == "POST":
        calendar_services.calendar_token_renew(user=request.user, actor=request.user)
        messages.success(
            request,
            _(
                "Your calendar has a new address. The old one no longer works: subscribe to "
                "the new one in your calendar."
            ),
        )
        return redirect("followups:calendar")
    token = calendar_services.calendar_token_for(user=request.user)
    feed_url = request.build_absolute_uri(reverse("followups:calendar_feed", args=[token.token]))
    return render(
        request,
        "followups/calendar/page.html",
        {
            "feed_url": feed_url,
            # webcal:// opens the subscription in the user's calendar application.
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "token": token,
            "deadline_count": selectors.calendar_deadlines(request.user).count(),
            "check_in_count": selectors.calendar_check_ins(request.user).count(),
        },
    )


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    found = (
        CalendarToken.objects.select_related("user").filter(token=token).first() if token else None
    )
    if found is None or not permissions.can_view_cases(found.user):
        raise Http404
    user = found.user
    content = calendar_services.calendar_feed(
        user=user,
        deadlines=selectors.calendar_deadlines(user),
        check_ins=selectors.calendar_check_ins(user),
    )
    return _ics(content)


def _case(request: HttpRequest, case_pk: int) -> Case:
    _ensure_reader(request)
    return get_object_or_404(Case.objects.for_user(request.user), pk=case_pk)


@require_GET
def deadline_ics(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    deadline = get_object_or_404(
        Deadline.objects.select_related("case").prefetch_related("case__organisations"),
        pk=pk,
        case=case,
    )
    return _ics(calendar_services.deadline_ics(deadline), filename=f"frist-{deadline.pk}.ics")


@require_GET
def check_in_ics(request: HttpRequest, case_pk: int, pk: int) -> HttpResponse:
    case = _case(request, case_pk)
    check_in = get_object_or_404(
        CheckIn.objects.select_related("case").prefetch_related("case__organisations"),
        pk=pk,
        case=case,
        starts_at__isnull=False,
    )
    return _ics(
        calendar_services.check_in_ics(check_in), filename=f"avstamningsmote-{check_in.pk}.ics"
    )


urlpatterns = [
    path("", calendar_page, name="calendar"),
    path("<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("arenden/<int:case_pk>/frister/<int:pk>.ics", deadline_ics, name="deadline_ics"),
    path(
        "arenden/<int:case_pk>/avstamningsmoten/<int:pk>.ics",
        check_in_ics,
        name="check_in_ics",
    ),
]
