"""The hub's models: the case, what it records, and the reference data it stands on."""

from .case import Case
from .records import (
    CaseDocument,
    CaseEvent,
    Checklist,
    ChecklistAnswer,
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
    "PublicBody",
    "RegistrySequence",
    "case_document_upload_to",
]
