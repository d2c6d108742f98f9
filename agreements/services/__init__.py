"""Write use cases for agreements. Views, admin and the demo data call these.

Every function locks the case first, then what it changes, refuses edits to frozen versions, and records who did
it: simple-history keeps each row's changes, and the case's timeline gets one event per step
that moves the agreement (submission, return, approval, signature).
"""

from .budget import budget_save
from .common import (
    EDITABLE_CASE_STATUSES,
    EditConflict,
    VersionFrozen,
    agreement_event,
    agreement_of,
    approved_version,
    can_edit_draft,
    draft_version,
    ensure_editable,
    existing_agreement,
    in_force_version,
    lock_case_of,
    lock_version,
    move,
    save_rows,
    submitted_version,
    versions_with,
)
from .correction import draft_rows_correct
from .drafting import (
    agreement_start,
    copy_version,
    lock_draft,
    return_to_new_draft,
    section_save,
    start_revision,
    version_update,
)
from .parties import parties_save
from .plan import plan_save
from .readiness import amounts_changed, submission_problems
from .review import (
    approve_version,
    assessment_problems,
    assessment_save,
    return_version,
    submit_draft,
)
from .signing import record_signature

__all__ = [
    "return_to_new_draft",
    "EDITABLE_CASE_STATUSES",
    "VersionFrozen",
    "EditConflict",
    "versions_with",
    "draft_version",
    "submitted_version",
    "approved_version",
    "in_force_version",
    "agreement_of",
    "can_edit_draft",
    "ensure_editable",
    "existing_agreement",
    "lock_case_of",
    "lock_version",
    "agreement_event",
    "move",
    "save_rows",
    "budget_save",
    "plan_save",
    "parties_save",
    "draft_rows_correct",
    "agreement_start",
    "copy_version",
    "start_revision",
    "section_save",
    "version_update",
    "lock_draft",
    "amounts_changed",
    "submission_problems",
    "assessment_problems",
    "submit_draft",
    "return_version",
    "approve_version",
    "assessment_save",
    "record_signature",
]
