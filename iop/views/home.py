from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .. import selectors


def home(request: HttpRequest) -> HttpResponse:
    page = selectors.start_page(user=request.user)
    return render(request, "iop/home.html", vars(page))


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
