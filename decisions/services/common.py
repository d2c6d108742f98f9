"""What the committee's services share: the refusals, the locks, the diarium kinds."""

from __future__ import annotations

from typing import Any

from iop.exceptions import TransitionRefused
from iop.models import Case
from iop.services import lock_case

from ..constants import DocumentRole
from ..models import Matter


class MatterRefused(TransitionRefused):
    """A write to a matter, meeting or decision refused, with the reason users read."""


class EditConflict(Exception):
    """Someone saved the matter since the form was opened; ``current`` is what they saved."""

    def __init__(self, current: Any):
        self.current = current
        super().__init__("edit conflict")


def lock_matter(matter: Matter | int) -> tuple[Case, Matter]:
    """Lock the matter's case, then the matter (the order every writer takes)."""
    pk = matter if isinstance(matter, int) else matter.pk
    case_id = Matter.objects.values_list("case_id", flat=True).get(pk=pk)
    case = lock_case(case_id)
    return case, Matter.objects.select_for_update().select_related("committee").get(pk=pk)


def diarium_kind(role: DocumentRole | str) -> str:
    """The diarium's kind of a matter's document, e.g. ``decisions.report``."""
    return f"decisions.{DocumentRole(role).value}"


def stamp(obj: Any, actor: Any) -> None:
    obj._history_user = actor if getattr(actor, "pk", None) else None
