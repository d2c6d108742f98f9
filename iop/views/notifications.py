"""The user's notifications (aviseringar): the list behind the bell, and marking them read.

A user sees and marks only their own: another user's notification is not found (404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..selectors.notifications import notifications_for
from ..services.notifications import mark_all_read, mark_read

PER_PAGE = 25


def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = notifications_for(request.user).select_related("case")
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "notifications": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "iop/notifications/list.html", context)


def _back_to_list(request: HttpRequest) -> HttpResponseRedirect:
    url = reverse("notifications:list")
    page = request.POST.get("page", "")
    if page.isdigit() and page != "1":
        url += "?" + urlencode({"page": page})
    return HttpResponseRedirect(url)


@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    if mark_read(user=request.user, notification_ids=[notification.pk]):
        messages.success(request, _("The notification is marked as read."))
    return _back_to_list(request)


@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    if mark_all_read(user=request.user):
        messages.success(request, _("All notifications are marked as read."))
    return _back_to_list(request)
