"""The committee's side of the case: matters, meetings and decisions."""

from .matter import (
    DecisionPoint,
    Matter,
    MatterDocument,
    MatterPerspective,
    PerspectiveHeading,
    matter_document_upload_to,
)
from .meeting import AgendaItem, Decision, Meeting, MeetingPackage

__all__ = [
    "AgendaItem",
    "Decision",
    "DecisionPoint",
    "Matter",
    "MatterDocument",
    "MatterPerspective",
    "Meeting",
    "MeetingPackage",
    "PerspectiveHeading",
    "matter_document_upload_to",
]
