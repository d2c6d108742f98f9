"""The committee's write use cases: the only code that changes a matter, a meeting or a
decision."""

from .common import EditConflict, MatterRefused, lock_matter
from .matters import (
    document_plan,
    draft_matter,
    finalise_refusals,
    matter_finalise,
    matter_new_version,
    matter_perspective_save,
    matter_points_regenerate,
    matter_points_save,
    matter_prepare,
    matter_update,
    open_matters,
)
from .meetings import add_to_agenda, create_meeting, remove_from_agenda
from .recording import DecisionRefused, move_of, record_decision

__all__ = [
    "DecisionRefused",
    "add_to_agenda",
    "create_meeting",
    "EditConflict",
    "MatterRefused",
    "document_plan",
    "draft_matter",
    "finalise_refusals",
    "lock_matter",
    "matter_finalise",
    "matter_new_version",
    "matter_perspective_save",
    "matter_points_regenerate",
    "matter_points_save",
    "matter_prepare",
    "matter_update",
    "move_of",
    "open_matters",
    "record_decision",
    "remove_from_agenda",
]
