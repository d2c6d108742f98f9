from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .. import selectors
from ..models import Case, CaseEvent


def home(request: HttpRequest) -> HttpResponse:
    cases = Case.objects.for_user(request.user)
    context = {
        "my_cases": cases.handled_by(request.user).open().with_list_data()[:50],
        "latest_events": CaseEvent.objects.filter(case__in=cases).select_related(
            "case", "actor", "assignee"
        )[:15],
        "stages": selectors.my_open_cases_by_stage(user=request.user),
        "queues": selectors.waiting_for(user=request.user),
    }
    return render(request, "iop/home.html", context)


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
