"""The hub's models: the case, what it records, and the reference data it stands on."""

from .audit import AuditEvent, AuditEventKind
from .case import Case
from .outbox import PendingTask
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
from .users import ROLE_GROUP_NAMES, is_role_group

__all__ = [
    "ROLE_GROUP_NAMES",
    "AuditEvent",
    "AuditEventKind",
    "Case",
    "CaseDocument",
    "CaseEvent",
    "Checklist",
    "ChecklistAnswer",
    "Committee",
    "Notification",
    "PendingTask",
    "PublicBody",
    "RegistryEntry",
    "RegistrySequence",
    "StaffProfile",
    "case_document_upload_to",
    "is_role_group",
]
