"""Absences (/franvaro/): who is away, and the form to register an absence.

Who sees what:
- a case officer registers and ends their own absences and sees their own;
- the IOP coordinator registers and ends anyone's and sees everyone's;
- other staff roles (jurist, secretary, finance, auditor) get 403 — they get no reminders;
  anonymous users go to the login page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partners.ui import form_helper
from partners.users import display_name

from ..forms.absence import AbsenceForm
from ..models import Absence
from ..services.absence import (
    absence_end,
    absence_register,
    may_register_absences,
    may_register_for_others,
)
from ..services.deadlines import FollowUpRefused

PAST_PER_PAGE = 20


def _ensure_may(request: HttpRequest) -> None:
    if not may_register_absences(request.user):
        raise PermissionDenied


def _visible(request: HttpRequest):
    absences = Absence.objects.select_related("user", "created_by")
    if may_register_for_others(request.user):
        return absences
    return absences.filter(user=request.user)


def _page(request: HttpRequest, form: AbsenceForm) -> HttpResponse:
    today = timezone.localdate()
    absences = _visible(request)
    ended_before_today = Q(ended_early_at__isnull=False) & Q(ended_early_at__date__lte=today)
    current = list(
        absences.filter(ends_on__gte=today).exclude(ended_before_today).order_by("starts_on", "pk")
    )
    past = Paginator(
        absences.filter(Q(ends_on__lt=today) | ended_before_today).order_by("-starts_on", "-pk"),
        PAST_PER_PAGE,
    ).get_page(request.GET.get("page"))
    for_others = may_register_for_others(request.user)
    context = {
        "form": form,
        "helper": form_helper(form),
        "current": current,
        "page_obj": past,
        "page_range": past.paginator.get_elided_page_range(past.number, on_each_side=2, on_ends=1),
        "for_others": for_others,
        "today": today,
    }
    return render(request, "followups/absence/list.html", context)


@require_http_methods(["GET", "POST"])
def absence_list(request: HttpRequest) -> HttpResponse:
    """The absences to come and now, the form, and the absences that are over (history)."""
    _ensure_may(request)
    for_others = may_register_for_others(request.user)
    if request.method == "POST":
        form = AbsenceForm(request.POST, for_others=for_others)
        if form.is_valid():
            data = form.cleaned_data
            user = data.get("user") if for_others else request.user
            try:
                absence = absence_register(
                    actor=request.user,
                    user=user,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                )
            except FollowUpRefused as refused:
                for field, texts in refused.errors.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(
                    request,
                    _("The absence of %(name)s was registered.")
                    % {"name": display_name(absence.user)},
                )
                return redirect("followups:absences")
        return _page(request, form)
    initial = {"starts_on": timezone.localdate()}
    if for_others:
        initial["user"] = request.user.pk
    return _page(request, AbsenceForm(initial=initial, for_others=for_others))


@require_POST
def absence_finish(request: HttpRequest, pk: int) -> HttpResponse:
    """End an absence now (back sooner)."""
    _ensure_may(request)
    absence = get_object_or_404(_visible(request), pk=pk)
    try:
        absence_end(actor=request.user, absence=absence)
    except FollowUpRefused as refused:
        for texts in refused.errors.values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(
            request,
            _("The absence of %(name)s was ended: the reminders go to them again.")
            % {"name": display_name(absence.user)},
        )
    return redirect("followups:absences")


# --- The start page ------------------------------------------------------------------------


def start_panel_context(user) -> dict | None:
    """On the start page: the user's own absence now or to come, and whom they stand in for
    today (the officers away whose cases name them substitute). None when neither. Two
    queries."""
    if not may_register_absences(user):
        return None
    from iop.models import Case

    from ..constants import FOLLOWED_STAGES
    from ..services.reminders import absent_user_ids

    today = timezone.localdate()
    ended_before_today = Q(ended_early_at__isnull=False) & Q(ended_early_at__date__lte=today)
    own = (
        Absence.objects.filter(user=user, ends_on__gte=today)
        .exclude(ended_before_today)
        .order_by("starts_on", "pk")
        .first()
    )
    officers = {
        row["officer_id"]: row
        for row in Case.objects.filter(substitute=user, status__in=FOLLOWED_STAGES)
        .exclude(officer=user)
        .values("officer_id", "officer__first_name", "officer__last_name", "officer__username")
    }
    away = absent_user_ids(officers, today) if officers else set()
    standing_in_for = sorted(
        (
            f"{officers[pk]['officer__first_name']} {officers[pk]['officer__last_name']}".strip()
            or officers[pk]["officer__username"]
        )
        for pk in away
    )
    if own is None and not standing_in_for:
        return None
    return {"own": own, "standing_in_for": standing_in_for, "today": today}


def register_absence_panel() -> None:
    """Called from ``followups.registration.register``."""
    from iop import workflow

    workflow.register_start_panel(
        key="followups_absence",
        template="followups/absence/_start_panel.html",
        context=start_panel_context,
        order=20,
    )


urlpatterns = [
    path("", absence_list, name="absences"),
    path("<int:pk>/avsluta/", absence_finish, name="absence_end"),
]
