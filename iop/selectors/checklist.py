"""The checklist of a case, as the case page and the checklist screen read it."""

from __future__ import annotations

from ..models import Case, Checklist


def case_checklist(case: Case) -> Checklist | None:
    """The case's checklist with its answers (one query each), or None if not started."""
    return Checklist.objects.filter(case=case).prefetch_related("answers").first()
