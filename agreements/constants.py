"""The agreement's fixed vocabulary: its headings, terms, budget kinds and the
procurement-risk factors (DOMAIN.md §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SectionKey(models.TextChoices):
    """The headings of an IOP agreement, in order (DOMAIN.md §6.1: Mora's list with VGR's
    governance heading). Parties, economy figures and the term are also structured fields;
    their sections hold what the parties want to say in words."""

    BACKGROUND = "background", _("Background")
    PURPOSE = "purpose", _("Purpose")
    PARTIES = "parties", _("Parties")
    GOALS = "goals", _("Goals")
    VALUES = "values", _("Values and approach")
    TARGET_GROUP = "target_group", _("Target group")
    COMMITMENTS = "commitments", _("Efforts and commitments of each party")
    GOVERNANCE = "governance", _("Governance of the partnership")
    FOLLOW_UP = "follow_up", _("Joint plan for follow-up and evaluation")
    LEARNING = "learning", _("Joint plan for learning and development")
    ORGANISATION = "organisation", _("Organisation and contact persons")
    DOCUMENTATION = "documentation", _("Documentation and reporting")
    ECONOMY = "economy", _("Economy")
    TERM = "term", _("Term of the agreement")
    TERMINATION = "termination", _("Renegotiation, termination, cancellation and dispute")


# What each heading should cover: shown as help while drafting (DOMAIN.md §6.1, SKL ch. 3).
SECTION_GUIDANCE: dict[str, str] = {
    SectionKey.BACKGROUND: _("Why the parties cooperate, and which societal challenge they meet."),
    SectionKey.PURPOSE: _("What benefit the partnership gives that existing systems cannot."),
    SectionKey.PARTIES: _("Who the parties are and what each brings to the partnership."),
    SectionKey.GOALS: _("What the partnership is to achieve."),
    SectionKey.VALUES: _("The values and approach the parties share."),
    SectionKey.TARGET_GROUP: _("Who the partnership is for, and how they are involved."),
    SectionKey.COMMITMENTS: _(
        "What each party contributes and commits to; the parties have equal influence."
    ),
    SectionKey.GOVERNANCE: _("How decisions are taken within the partnership."),
    SectionKey.FOLLOW_UP: _("How the parties follow up and evaluate the partnership together."),
    SectionKey.LEARNING: _("How the parties learn and develop the partnership together."),
    SectionKey.ORGANISATION: _("How the partnership is organised, and the contact persons."),
    SectionKey.DOCUMENTATION: _("What is documented and reported, by whom and when."),
    SectionKey.ECONOMY: _("The parties' contributions, payments and the invoice address."),
    SectionKey.TERM: _("When the partnership starts, and for how long it runs."),
    SectionKey.TERMINATION: _(
        "How the agreement is renegotiated, terminated or cancelled, and how disputes are settled."
    ),
}

# Every heading must have text before the agreement goes to the jurist.
REQUIRED_SECTIONS: tuple[str, ...] = tuple(SectionKey.values)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("In legal review")
    RETURNED = "returned", _("Returned for further drafting")
    APPROVED = "approved", _("Approved by the jurist")
    SIGNED = "signed", _("Signed by all parties")
    SUPERSEDED = "superseded", _("Superseded")


class TermKind(models.TextChoices):
    FIXED = "fixed", _("Fixed term")
    UNTIL_FURTHER_NOTICE = "until_further_notice", _("Until further notice, with revision points")


class PartyKind(models.TextChoices):
    PUBLIC_BODY = "public_body", _("Public party")
    ORGANISATION = "organisation", _("Non-profit organisation")


class BudgetKind(models.TextChoices):
    """What a contribution is (DOMAIN.md §6.2). In-kind contributions are converted to kronor;
    volunteer work as hours × a value per hour."""

    MONEY = "money", _("Money")
    VOLUNTEER = "volunteer", _("Volunteer work")
    PREMISES = "premises", _("Premises")
    EQUIPMENT = "equipment", _("Equipment")
    COMPETENCE = "competence", _("Competence and other")


class SigningMethod(models.TextChoices):
    PAPER = "paper", _("On paper")
    DIGITAL = "digital", _("Digitally")


class RiskDirection(models.TextChoices):
    PROCUREMENT = "procurement", _("Points to procurement")
    PARTNERSHIP = "partnership", _("Points to partnership")


class RiskFactor(models.TextChoices):
    """The factors the jurist weighs (DOMAIN.md §6.3: SKL ch. 4, SWD(2013) 53, SOU 2016:78)."""

    NEED_DEFINED = (
        "need_defined",
        _("Who defined the need: the authority in advance, or the organisation?"),
    )
    INITIATIVE = "initiative", _("Who took the initiative: the authority, or the organisation?")
    DETAILED_REGULATION = (
        "detailed_regulation",
        _("Does the agreement regulate in detail what is delivered and how?"),
    )
    PRICE = "price", _("Is a fixed price paid, or does the public money cover the full cost?")
    SANCTIONS = "sanctions", _("Are there sanctions for non-delivery (penalty, damages)?")
    CONTRACT_FORM = "contract_form", _("Is the agreement written as a commercial contract?")
    OWN_REGIME = "own_regime", _("Does the organisation run the activity under its own regime?")
    OTHER_FUNDING = "other_funding", _("Is the activity financed by more than public money?")
    PROFIT_MOTIVE = "profit_motive", _("Is the activity run without profit motive?")
    STEERING = "steering", _("Is the organisation free of the authority's steering?")
    GENERAL_PURPOSES = "general_purposes", _("Are purposes described in general terms?")
    REPAYMENT = "repayment", _("Is repayment limited to money not used as intended?")
