from django.db import models
from django.utils.translation import gettext_lazy as _

# The organisation's choices live in the bottom layer; named here too for older imports.
from partners.constants import DocumentKind, LegalForm  # noqa: F401


class CaseStatus(models.TextChoices):
    """The stages of an IOP case (DOMAIN.md §3)."""

    RECEIVED = "received", _("Initiative received")
    PREPARATION = "preparation", _("Preparation")
    NOT_PURSUED = "not_pursued", _("Not pursued")
    DRAFTING = "drafting", _("Drafting agreement")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting committee decision")
    REJECTED = "rejected", _("Rejected by committee")
    SIGNING = "signing", _("Signing")
    ACTIVE = "active", _("Active")
    RENEGOTIATION = "renegotiation", _("Renegotiation")
    NOTICE_GIVEN = "notice_given", _("Notice given")
    WINDING_DOWN = "winding_down", _("Winding down")
    CLOSED = "closed", _("Closed")


# Stages in which nothing more happens to the case.
FINAL_STATUSES = frozenset({CaseStatus.NOT_PURSUED, CaseStatus.REJECTED, CaseStatus.CLOSED})


class Transition(models.TextChoices):
    """The case's transitions (DOMAIN.md §3), by the name of their method on ``Case``; the
    label is the action's name on buttons and in the timeline. Every app names a transition
    by this enum, never by a string."""

    START_PREPARATION = "start_preparation", _("Start preparation")
    CLOSE_NOT_PURSUED = "close_not_pursued", _("Close as not pursued")
    START_DRAFTING = "start_drafting", _("Start drafting the agreement")
    SUBMIT_FOR_LEGAL_REVIEW = "submit_for_legal_review", _("Submit for legal review")
    RETURN_TO_DRAFTING = "return_to_drafting", _("Return to drafting")
    APPROVE_LEGAL_REVIEW = "approve_legal_review", _("Approve the agreement")
    RECORD_APPROVAL = "record_approval", _("Record approval by the committee")
    RECORD_REJECTION = "record_rejection", _("Record rejection by the committee")
    RECORD_REFERRAL_BACK = "record_referral_back", _("Record referral back by the committee")
    ACTIVATE = "activate", _("Activate the partnership")
    START_RENEGOTIATION = "start_renegotiation", _("Record decision to renegotiate")
    COMPLETE_RENEGOTIATION = "complete_renegotiation", _("Complete the renegotiation")
    GIVE_NOTICE = "give_notice", _("Register notice of termination")
    START_WINDING_DOWN = "start_winding_down", _("Record the committee's decision to end")
    CLOSE = "close", _("Close the case")


class Role(models.TextChoices):
    """The staff roles (DOMAIN.md §2); each is a Django group created by a migration."""

    CASE_OFFICER = "Handläggare", _("Case officer")
    COORDINATOR = "IOP-ansvarig", _("IOP coordinator")
    JURIST = "Jurist", _("Legal reviewer")
    SECRETARY = "Nämndsekreterare", _("Committee secretary")
    FINANCE = "Ekonomi", _("Finance officer")
    AUDITOR = "Revisor", _("Auditor")


class PublicBodyKind(models.TextChoices):
    REGION = "region", _("Region")
    MUNICIPALITY = "kommun", _("Municipality")


class NoticeGivenBy(models.TextChoices):
    PUBLIC_BODY = "public_body", _("The public body")
    ORGANISATION = "organisation", _("The organisation")


class CaseEventKind(models.TextChoices):
    TRANSITION = "transition", _("Stage changed")
    ASSIGNMENT = "assignment", _("Case officer assigned")
    SUBSTITUTE = "substitute", _("Substitute changed")
    CREATED = "created", _("Case registered")
    AGREEMENT = "agreement", _("Agreement")
    DOCUMENT = "document", _("Document registered")
    MATTER = "matter", _("Committee matter")
    DECISION = "decision", _("Committee decision")
    FOLLOW_UP = "followup", _("Follow-up")
    PAYMENT = "payment", _("Payment")
    EXPORT = "export", _("Case exported")


class ChecklistSource(models.TextChoices):
    REGION_VARMLAND = "rv", _("Region Värmland's criteria (RS/230793)")
    MORA = "mora", _("Mora kommun's intake statements")


class Criterion(models.TextChoices):
    """The eligibility criteria (DOMAIN.md §4). The code's prefix names its source list."""

    RV_ORGANISATION_INITIATIVE = (
        "rv1",
        _("The partnership is on the initiative of the non-profit organisation."),
    )
    RV_NOT_BASIC_FUNDING = (
        "rv2",
        _("It is not part of the basic funding of civil society (normerat föreningsbidrag)."),
    )
    RV_NOT_PURCHASE = (
        "rv3",
        _(
            "It is not a purchase of a service, but a co-financed effort meant to develop and work "
            "over time."
        ),
    )
    RV_SHARED_NEED = "rv4", _("It rests on a shared need to cooperate.")
    RV_POLITICAL_PROGRAMME = (
        "rv5",
        _(
            "It is a step in realising a political programme or plan where non-profit organisations "
            "are named as partners (e.g. Värmlandsstrategin, committee plans, Folkhälsoplanen)."
        ),
    )
    RV_NO_MARKET = "rv6", _("There is no existing market or competitive situation to protect.")
    RV_NOT_DETAIL_REGULATED = (
        "rv7",
        _("The activity is not regulated in detail by the region (LOU)."),
    )
    RV_SHARED_COMMITMENT = (
        "rv8",
        _(
            "Both parties have shared commitment, ownership and steering (through money or other "
            "contributions)."
        ),
    )
    RV_LONG_TERM = (
        "rv9",
        _(
            "The partnership is meant to last and develop through joint follow-up, evaluation and "
            "decisions."
        ),
    )
    MORA_ORGANISATION_INITIATIVE = (
        "mora1",
        _("The activity takes place on the initiative of the non-profit organisation."),
    )
    MORA_LOCAL_DEVELOPMENT = (
        "mora2",
        _("The activity contributes to local development to solve a societal challenge."),
    )
    MORA_NOT_GRANT = (
        "mora3",
        _(
            "The activity cannot be seen as part of the normal or targeted grants the municipality "
            "offers."
        ),
    )
    MORA_INDEPENDENT = (
        "mora4",
        _("The intention is that the organisation remains a free and independent actor."),
    )
    MORA_CO_FINANCED = (
        "mora5",
        _(
            "Both parties finance the activity, with money or other contributions (e.g. volunteer "
            "time)."
        ),
    )
    MORA_LONG_TERM = (
        "mora6",
        _(
            "The activity is meant to run over a long time and will not be regulated in detail by "
            "the municipality."
        ),
    )
    MORA_NO_MARKET = (
        "mora7",
        _(
            "There is no market or competitive situation to protect (the procurement unit gives an "
            "opinion)."
        ),
    )
    MORA_NO_PRIVATE_COMPANIES = (
        "mora8",
        _("No private companies run the same activity in the same way or with the same values."),
    )
    MORA_JOINT_LEARNING = (
        "mora9",
        _("There is joint learning and development work connected to the agreement."),
    )

    @property
    def source(self) -> str:
        return (
            ChecklistSource.MORA
            if self.value.startswith("mora")
            else ChecklistSource.REGION_VARMLAND
        )


# The seven questions of Region Värmland's checklist, answered in free text:
# (field name on Checklist, question).
CHECKLIST_QUESTIONS = (
    ("why_cooperate", _("Why do we want to cooperate?")),
    ("societal_challenge", _("Which is the current societal challenge?")),
    ("added_benefit", _("What benefit will it give that existing systems cannot achieve?")),
    ("shared_goal", _("What shared goal and purpose do we have with the cooperation?")),
    ("effect_level", _("At what level do we expect effects?")),
    ("where_change", _("Where are we to achieve change?")),
    (
        "equal_influence",
        _("How do we make sure that the non-profit party has equal influence over the process?"),
    ),
)


class DocumentDirection(models.TextChoices):
    """Which way a document registered in a case went (the registry's direction)."""

    INCOMING = "incoming", _("Incoming")
    DRAWN_UP = "drawn_up", _("Drawn up")
    OUTGOING = "outgoing", _("Outgoing")


class AuditEventKind(models.TextChoices):
    """The events' names, for the admin's labels and filter. Not the field's choices: a module
    may log an event of its own (``iop.services.audit``) without a migration; an event not
    listed here shows its name."""

    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    LOCKOUT = "lockout", _("Lockout")
    UNLOCK = "unlock", _("Lockout lifted")
    SESSION_TIMEOUT = "session_timeout", _("Session ended")
    SSO_REFUSED = "sso_refused", _("Single sign-on refused")
    FORBIDDEN = "forbidden", _("Access refused")
    CSRF_FAILURE = "csrf_failure", _("Refused form (CSRF)")
    EXPORT = "export", _("Export")
    DOWNLOAD = "download", _("Download")


class AuditOutcome(models.TextChoices):
    """How the request ended, for the admin's labels (not the field's choices either)."""

    SUCCESS = "success", _("Succeeded")
    FAILURE = "failure", _("Failed")
    DENIED = "denied", _("Refused")
