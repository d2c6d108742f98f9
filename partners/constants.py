"""The organisation's choices: its legal form and the kinds of document it hands in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalForm(models.TextChoices):
    NON_PROFIT_ASSOCIATION = "ideell_forening", _("Non-profit association (ideell förening)")
    FOUNDATION = "stiftelse", _("Foundation (stiftelse)")
    RELIGIOUS_COMMUNITY = "trossamfund", _("Registered religious community")
    ECONOMIC_ASSOCIATION = "ekonomisk_forening", _("Economic association (ekonomisk förening)")
    LIMITED_COMPANY_SVB = (
        "aktiebolag_svb",
        _("Limited company with restricted profit distribution (SVB)"),
    )
    OTHER = "other", _("Other")


class DocumentKind(models.TextChoices):
    """The documents a committee should request before an IOP (DOMAIN.md §5, Mora)."""

    STATUTES = "statutes", _("Statutes or articles of association")
    IDEA_DESCRIPTION = "idea_description", _("Description of the organisation's idea and activity")
    ANNUAL_MEETING_MINUTES = "annual_meeting_minutes", _("Annual meeting minutes")
    ACTIVITY_REPORT = "activity_report", _("Annual activity report")
    FINANCIAL_REPORT = "financial_report", _("Financial report with accounts")
    AUDITOR_REPORT = "auditor_report", _("Auditor's report")
    ACTIVITY_PLAN = "activity_plan", _("Activity plan and board list")
    MEMBER_COUNT = "member_count", _("Information on the number of members")
    OTHER = "other", _("Other document")
