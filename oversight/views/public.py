"""The public register of IOPs (/offentligt/iop/): no login. The page, the open data as JSON
and CSV, the JSON Schema and the documentation page.

Who sees what: everyone, logged in or not, the same data — only partnerships that have
started, and no personal data (``oversight.public_register``).

Caching, unlike the rest of the application's pages (which send ``no-store``): the data is
public and meant to be fetched by machines, so

- the built register lives in Django's cache (``PUBLIC_REGISTER_CACHE_SECONDS``): a repeated
  request, by anyone, costs no database query;
- responses say ``Cache-Control: public, max-age=…`` and carry an ETag of the data, and a
  request with a matching ``If-None-Match`` gets ``304 Not Modified``;
- the HTML pages are the same for every visitor not logged in (no CSRF cookie: they hold no
  form); a logged-in user sees them with the usual menu, ``private`` and without an ETag.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from iop import workflow

from .. import public_register as data

JSON_TYPE = "application/json; charset=utf-8"
SCHEMA_TYPE = "application/schema+json; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"


def _public(*, data_file: bool = False) -> Callable:
    """No login; cacheable by anyone for PUBLIC_REGISTER_CACHE_SECONDS (a page shown to a
    logged-in user, with their name in the menu, only by their browser)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if not data_file and request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(
                    response, public=True, max_age=settings.PUBLIC_REGISTER_CACHE_SECONDS
                )
            if data_file:
                # Open data: other sites' scripts may read it.
                response["Access-Control-Allow-Origin"] = "*"
                response["X-Content-Type-Options"] = "nosniff"
            return response

        return login_not_required(wrapped)

    return decorate


def _hash(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _data_etag(request: HttpRequest) -> str:
    return data.public_register().etag


def _page_etag(request: HttpRequest) -> str | None:
    # Only the page every anonymous visitor shares has an ETag; it depends on the filters too.
    if request.user.is_authenticated:
        return None
    return _hash(data.public_register().etag, request.get_full_path())


def _schema_etag(request: HttpRequest) -> str:
    return _hash(json.dumps(data.schema(), sort_keys=True, default=str))


def _page_context(request: HttpRequest) -> dict[str, Any]:
    """What every public page adds: for a visitor not logged in, no CSRF token (rendering one
    would set a cookie on a page meant for shared caches, and the page has no form)."""
    return {} if request.user.is_authenticated else {"csrf_token": ""}


def _filters(request: HttpRequest, items: list[dict[str, Any]]) -> tuple[dict[str, str], list]:
    committees = sorted({item["committee"] for item in items})
    statuses = list(data.PublicStatus.choices)
    chosen = {
        "committee": request.GET.get("committee", ""),
        "status": request.GET.get("status", ""),
    }
    if chosen["committee"] not in committees:
        chosen["committee"] = ""
    if chosen["status"] not in data.PublicStatus.values:
        chosen["status"] = ""
    shown = [
        item
        for item in items
        if (not chosen["committee"] or item["committee"] == chosen["committee"])
        and (not chosen["status"] or item["status"] == chosen["status"])
    ]
    return {"chosen": chosen, "committees": committees, "statuses": statuses}, shown


@_public()
@condition(etag_func=_page_etag)
@require_safe
def register_page(request: HttpRequest) -> HttpResponse:
    register = data.public_register()
    filters, shown = _filters(request, register.items)
    return render(
        request,
        "oversight/public_register.html",
        {
            **_page_context(request),
            **filters,
            "items": shown,
            "total": len(register.items),
            "generated_at": register.generated_at,
            "cache_minutes": settings.PUBLIC_REGISTER_CACHE_SECONDS // 60,
        },
    )


@_public(data_file=True)
@condition(etag_func=_data_etag)
@require_safe
def register_json(request: HttpRequest) -> HttpResponse:
    return HttpResponse(data.public_register().json_bytes, content_type=JSON_TYPE)


@_public(data_file=True)
@condition(etag_func=_data_etag)
@require_safe
def register_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(data.public_register().csv_bytes, content_type=CSV_TYPE)
    response["Content-Disposition"] = 'inline; filename="iop.csv"'
    return response


@_public(data_file=True)
@condition(etag_func=_schema_etag)
@require_safe
def register_schema(request: HttpRequest) -> HttpResponse:
    content = json.dumps(data.schema(), ensure_ascii=False, indent=2)
    return HttpResponse(content.encode(), content_type=SCHEMA_TYPE)


@_public()
@require_safe
def about_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "oversight/public_about.html",
        {
            **_page_context(request),
            "fields": data.field_docs(),
            "licence": data.LICENCE,
            "json_url": data.site_url("oversight:public_register_json"),
            "csv_url": data.site_url("oversight:public_register_csv"),
            "schema_url": data.site_url("oversight:public_register_schema"),
            "page_url": data.site_url("oversight:public_register"),
            "cache_minutes": settings.PUBLIC_REGISTER_CACHE_SECONDS // 60,
            "csv_columns": [heading for heading, _value in data.csv_columns()],
        },
    )


urlpatterns = [
    path("", register_page, name="public_register"),
    path("iop.json", register_json, name="public_register_json"),
    path("iop.csv", register_csv, name="public_register_csv"),
    path("schema.json", register_schema, name="public_register_schema"),
    path("om-data/", about_data, name="public_register_about"),
]


def register() -> None:
    """Hooks into the case (iop.workflow), called from registration.py: a case that moves, or a
    recorded decision or signed version, outdates the cached register."""
    workflow.case_transitioned.connect(
        data.forget_register, dispatch_uid="oversight.public_register.transitioned"
    )
    workflow.case_facts_changed.connect(
        data.forget_register, dispatch_uid="oversight.public_register.facts"
    )
