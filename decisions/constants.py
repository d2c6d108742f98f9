from django.db import models
from django.utils.translation import gettext_lazy as _


class MatterKind(models.TextChoices):
    """What the committee is asked to decide (DOMAIN.md §3 stages 5, 7–9, §7)."""

    NEW_IOP = "new_iop", _("Entering a new IOP")
    FOLLOW_UP = "follow_up", _("Biennial follow-up")
    RENEGOTIATION = "renegotiation", _("Renegotiation")
    FOLLOW_UP_RENEGOTIATION = "follow_up_renegotiation", _("Follow-up and renegotiation")
    ENDING = "ending", _("Ending the IOP")

    @property
    def has_follow_up(self) -> bool:
        return self in (MatterKind.FOLLOW_UP, MatterKind.FOLLOW_UP_RENEGOTIATION)

    @property
    def changes_amount(self) -> bool:
        return self in (MatterKind.RENEGOTIATION, MatterKind.FOLLOW_UP_RENEGOTIATION)


class MatterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")
    REPLACED = "replaced", _("Replaced by a new version")


class Outcome(models.TextChoices):
    """The committee's decision on a matter."""

    APPROVED = "approved", _("Approved as proposed")
    APPROVED_WITH_CHANGES = "approved_with_changes", _("Approved with changes")
    REJECTED = "rejected", _("Rejected")
    REFERRED_BACK = "referred_back", _("Referred back")

    @property
    def approves(self) -> bool:
        return self in (Outcome.APPROVED, Outcome.APPROVED_WITH_CHANGES)


class DocumentRole(models.TextChoices):
    """The documents a matter and its decision print; each is registered in the diarium."""

    REPORT = "report", _("Tjänsteskrivelse")
    FOLLOW_UP = "follow_up", _("Follow-up attachment")
    RENEGOTIATION = "renegotiation", _("Renegotiation attachment")
    PARTNER_REQUEST = "partner_request", _("The partner's request")
    AGREEMENT = "agreement", _("The agreement")
    WIND_DOWN = "wind_down", _("Wind-down plan")
    EXTRACT = "extract", _("Decision extract")


class PackageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


# A package's stages, in order, as the progress bar names them.
class PackageStage(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    DOCUMENTS = "documents", _("Printing the matters' documents")
    AGENDA = "agenda", _("Printing the agenda and the table of contents")
    MERGING = "merging", _("Merging the documents")
    BOOKMARKS = "bookmarks", _("Adding bookmarks and page labels")
    DONE = "done", _("Ready")
