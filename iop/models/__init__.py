"""The hub's models: the case, what it records, and the reference data it stands on."""

from .case import Case
from .people import Notification, StaffProfile
from .records import (
    CaseDocument,
    CaseEvent,
    Checklist,
    ChecklistAnswer,
    RegistryEntry,
    case_document_upload_to,
)
from .reference import Committee, PublicBody, RegistrySequence

__all__ = [
    "Case",
    "CaseDocument",
    "CaseEvent",
    "Checklist",
    "ChecklistAnswer",
    "Committee",
    "Notification",
    "PublicBody",
    "RegistryEntry",
    "RegistrySequence",
    "StaffProfile",
    "case_document_upload_to",
]
