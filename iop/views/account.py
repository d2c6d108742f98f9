"""The staff login's own pages: the login (with the lockout and single sign-on), the page
that says why one was logged out, the session's keep-alive, and lifting lockouts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import session_timeout
from ..selectors.lockouts import current_lockouts
from ..services.account_lockouts import account_unlock, may_unlock

LOGIN_TEMPLATE = "registration/login.html"


def _login_context(request: HttpRequest) -> dict:
    return {
        "oidc_enabled": settings.OIDC_ENABLED,
        "sso_failed": request.GET.get("sso") == "failed",
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }


class StaffLoginView(LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_login_context(self.request)}


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): the login page again, saying
    the account is locked and for how long, with 429 Too Many Requests."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        **_login_context(request),
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_out": True,
        "next": request.POST.get("next", ""),
    }
    return render(request, LOGIN_TEMPLATE, context, status=429)


@login_not_required
@require_GET
@never_cache
def logged_out(request: HttpRequest) -> HttpResponse:
    reason = request.GET.get("reason", "")
    if reason not in (session_timeout.IDLE, session_timeout.ABSOLUTE):
        reason = ""
    return render(
        request,
        "registration/logged_out.html",
        {
            "reason": reason,
            "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
            "absolute_hours": settings.SESSION_COOKIE_AGE // 3600,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def keep_alive(request: HttpRequest) -> JsonResponse:
    """POST: the user chose to go on, which counts as activity. GET (sent as a poll): how
    long the session has left, without extending it — another tab may have been used."""
    if request.method == "POST":
        session_timeout.mark_active(request.session, force=True)
    left = session_timeout.remaining(request.session)
    return JsonResponse({"remaining": left.seconds, "ends_absolutely": left.ends_absolutely})


@never_cache
def lockouts(request: HttpRequest) -> HttpResponse:
    if not may_unlock(request.user):
        raise PermissionDenied
    return render(request, "registration/lockouts.html", {"lockouts": current_lockouts()})


@require_POST
def unlock(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "").strip()
    ip_address = request.POST.get("ip_address", "").strip()
    account_unlock(actor=request.user, username=username, ip_address=ip_address)
    if username or ip_address:
        who = username or ip_address
        messages.success(request, _("The lock of %(who)s has been lifted.") % {"who": who})
    return redirect("account_lockouts")
