"""``{% load funding %}{% funding_check case %}``: the double-funding check (``iop.funding``)
as a section of the page — on the case page at intake, on the agreement and in the jurist's
review. Every staff role reads it; a grant list only for those who may see declared grants."""

from __future__ import annotations

from django import template

from ..funding import funding_overview

register = template.Library()

VIEW_GRANTS = "partners.view_declaredgrant"


@register.inclusion_tag("iop/_funding_check.html", takes_context=True)
def funding_check(context, case) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    can_view_grants = bool(user is not None and user.has_perm(VIEW_GRANTS))
    overview = funding_overview(case)
    return {
        "overview": overview,
        "can_view_grants": can_view_grants,
        "warnings": [w for w in overview.warnings if can_view_grants or w.kind == "case"],
        "several_organisations": len(overview.organisations) > 1,
    }
