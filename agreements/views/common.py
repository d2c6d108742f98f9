"""What the agreement's screens share: the case a user may change, the draft being written,
the revision a form was opened at, and how a refusal is told."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from iop import permissions
from iop.models import Case
from iop.services import TransitionRefused
from iop.views.common import visible_case

from .. import services
from ..models import AgreementVersion


def case_to_change(request: HttpRequest, case_pk: int) -> Case:
    """The case, if this user may change it: no staff role → 403, unknown case → 404, a
    role that only reads → 403."""
    case = visible_case(request, case_pk)
    if not permissions.can_change_case(case, request.user):
        raise PermissionDenied
    return case


def newest_version(case: Case) -> AgreementVersion | None:
    # Only the newest version can be a draft, so the newest is the one being written, or
    # (with no draft) the one in review, awaiting signatures or in force.
    return (
        AgreementVersion.objects.filter(agreement__case=case)
        .select_related("agreement")
        .order_by("-number")
        .first()
    )


def editable_draft(case: Case, user: Any) -> AgreementVersion:
    """The draft this user may edit now; ``TransitionRefused`` with the reason otherwise."""
    version = newest_version(case)
    if version is None:
        raise TransitionRefused([_("No agreement has been started for this case yet.")])
    version.agreement.case = case
    services.ensure_editable(version, user)
    return version


def posted_revision(request: HttpRequest) -> int:
    """The revision the user edited from; a missing or garbled one never matches."""
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return 0


def detail_url(case: Case, anchor: str = "") -> str:
    url = reverse("agreements:detail", args=[case.pk])
    return f"{url}#{anchor}" if anchor else url


def refusal_messages(request: HttpRequest, intro: str, reasons: list[str]) -> None:
    messages.error(request, intro)
    for reason in reasons:
        messages.error(request, reason)
