"""The wording check's one-click replacement (DOMAIN.md §6.4).

The section page and the agreement page show each heading's words to avoid with the
partial ``agreements/_wording_hits.html`` (context from ``wording_context``). Its buttons
post here: the hit is replaced with its suggestion through ``services.section_save``, so the
optimistic lock refuses it when someone saved the text meanwhile. With htmx the answer is
the partial again (the new text, hits and revision), and an ``HX-Trigger`` event
``wordingReplaced`` ({"key", "revision"}) lets a page holding an edit form for the same
section update its revision; without JavaScript it redirects back to the section page.

The case's officer, its substitute and the IOP coordinator replace; everyone else gets 403.
A frozen version, the wrong stage, a conflict or a hit that is no longer there is refused
with the reason, and nothing is saved.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop import permissions
from iop.models import Case
from iop.services import TransitionForbidden, TransitionRefused
from iop.views.common import visible_case

from .. import services, wording
from ..constants import SectionKey
from ..models import AgreementSection

HITS_TEMPLATE = "agreements/_wording_hits.html"


def wording_context(*, case: Case, section: AgreementSection, editable: bool) -> dict[str, Any]:
    """What ``_wording_hits.html`` needs for one section. ``editable``: show the replace
    buttons (``services.can_edit_draft(version, user)``). A page that also holds an edit
    form for the section includes the partial with ``reload_page=True``: the buttons then
    post without htmx and the page comes back with the new text and revision."""
    hits = wording.check_text(section.text)
    return {
        "case": case,
        "section": section,
        "hits": hits,
        "highlighted": wording.highlight(section.text, hits, id_prefix=f"wording-{section.key}"),
        "editable": editable,
    }


def _section(case: Case, key: str) -> AgreementSection:
    """The heading of the draft, or of the newest version when there is no draft (so that
    a replacement in a frozen version is refused with the version's own reason)."""
    if key not in SectionKey.values:
        raise Http404
    agreement = services.agreement_of(case)
    if agreement is None:
        raise Http404
    version = services.draft_version(agreement) or agreement.versions.order_by("-number").first()
    return get_object_or_404(
        AgreementSection.objects.select_related("version__agreement__case"),
        version=version,
        key=key,
    )


def _posted(data: Any) -> tuple[int, str, int]:
    try:
        start = int(data.get("start", ""))
        revision = int(data.get("revision", ""))
    except (TypeError, ValueError):
        start = revision = -1
    matched = data.get("matched", "")
    if start < 0 or revision < 0 or not matched:
        raise wording.WordingRefused(
            _("The replacement could not be read; reload the page and try again.")
        )
    return start, matched, revision


@require_POST
def wording_replace(request: HttpRequest, case_pk: int, key: str) -> HttpResponse:
    case = visible_case(request, case_pk)
    if not permissions.can_change_case(case, request.user):
        raise PermissionDenied
    section = _section(case, key)
    error = notice = ""
    try:
        services.ensure_editable(section.version, request.user)
        start, matched, revision = _posted(request.POST)
        if revision != section.revision:
            raise services.EditConflict(section)
        hit = wording.hit_at(section.text, start, matched)
        new_text = wording.replace_hit(section.text, start, matched)
        section = services.section_save(
            section=section, text=new_text, revision=revision, actor=request.user
        )
    except TransitionForbidden:
        raise
    except TransitionRefused as refused:
        error = " ".join(refused.reasons)
    except services.EditConflict as conflict:
        section = conflict.current
        error = _(
            "Someone else saved this text after you loaded the page, so nothing was replaced. "
            "The words found in the saved text are shown below."
        )
    except wording.WordingRefused as refused:
        error = refused.message
    else:
        notice = _("«%(word)s» was replaced with «%(suggestion)s».") % {
            "word": hit.matched,
            "suggestion": hit.suggestion,
        }

    if request.htmx:
        context = wording_context(
            case=case,
            section=section,
            editable=services.can_edit_draft(section.version, request.user),
        )
        response = render(request, HITS_TEMPLATE, {**context, "error": error, "notice": notice})
        if notice:
            response["HX-Trigger"] = json.dumps(
                {"wordingReplaced": {"key": section.key, "revision": section.revision}}
            )
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    url = reverse("agreements:section", kwargs={"case_pk": case.pk, "key": key})
    return redirect(f"{url}#section-wording")


urls: list = [
    path(
        "arenden/<int:case_pk>/avtal/avsnitt/<slug:key>/ersatt/",
        wording_replace,
        name="wording_replace",
    ),
]
