"""The agreements' part of the demo story (the texts and budgets are in
``agreements.demo_story``).

The agreement moves with its case: it is started an hour after «start drafting» and written two
weeks later, revised two weeks after the jurist returns it, assessed an hour before she
approves it, and signed party by party, the region up to a week before the organisation; the
last signature activates the case (or completes its renegotiation). Every write goes through
``agreements.services``, as the demo user who would do it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from iop.constants import Transition
from iop.demo import (
    CaseStory,
    PlannedStep,
    Story,
    days_after,
    hours_after,
    month_start,
    swedish_date,
)
from iop.demo_story import paragraph_on

from . import services
from .budget import budget_summary
from .constants import (
    BudgetKind,
    PartyKind,
    RiskDirection,
    RiskFactor,
    SectionKey,
    SigningMethod,
    TermKind,
)
from .demo_story import (
    AFTER_RETURN,
    AGREEMENTS,
    COMMON_SECTIONS,
    HOURLY_VALUE,
    INVOICE_ADDRESS,
    JURIST,
    OVERALL_ASSESSMENT,
    PAPER_BEFORE_YEARS,
    REGION_SIGNATORY,
    REGION_SIGNED_DAYS_AGO,
    RENEGOTIATED,
    RETURN_COMMENTS,
    RISK_COMMENTS,
    SIGNING_DAYS_BEFORE,
    VERSION_FIELDS,
    Contribution,
    Terms,
)
from .models import ActionPlanActivity, AgreementVersion, BudgetLine


def play(story: Story) -> None:
    for transition, when, reaction in REACTIONS:
        story.react(transition, reaction, when=when)
    for transition, perform in TAKES_OVER:
        story.take_over(transition, perform)
    for key, days_ago in REGION_SIGNED_DAYS_AGO.items():
        case_story = story.cases.get(key)
        if case_story is not None:
            on = story.day(days_ago)
            story.schedule(
                story.moment(on),
                lambda cs=case_story, on=on: _sign(story, cs, on, first_only=True),
                case_story=case_story,
            )


# --- What the agreement does at each step -------------------------------------------------------


def start(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    services.agreement_start(case=case_story.case, actor=story.officer(case_story))


def write_first_draft(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    _write(story, case_story, AGREEMENTS[case_story.key], start=_planned_start(story, case_story))


def return_with_comments(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    """The jurist's return: her comments per heading, and the step's note on the whole."""
    services.return_version(
        case=case_story.case,
        actor=story.actor(case_story, step),
        comments=RETURN_COMMENTS[case_story.key],
        note=step.note,
    )


def revise_after_return(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    _write(story, case_story, AFTER_RETURN[case_story.key], start=_planned_start(story, case_story))


def assess_submitted(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    """The jurist's procurement-risk assessment of the version she is about to approve."""
    version = services.submitted_version(services.agreement_of(case_story.case))
    share = budget_summary(version).public_share
    services.assessment_save(
        version=version,
        actor=story.user(JURIST),
        answers={
            factor: (RiskDirection.PARTNERSHIP, RISK_COMMENTS.get(factor, "").format(share=share))
            for factor in RiskFactor.values
        },
        overall_assessment=OVERALL_ASSESSMENT,
    )


def sign_first(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    _sign(story, case_story, _first_signature_on(step), first_only=True)


def sign_the_rest(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    """The last signatures, which move the case on."""
    _sign(story, case_story, step.on, first_only=False)


def revise(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    """In renegotiation: version 2 drafted from the agreement in force, with its new terms."""
    renegotiation = RENEGOTIATED.get(case_story.key)
    if renegotiation is None:
        return
    draft = services.start_revision(case=case_story.case, actor=story.officer(case_story))
    starts_after = case_story.step(renegotiation.starts_after)
    decided = case_story.step(Transition.START_RENEGOTIATION)
    # The revision cites the recorded decision to renegotiate (start_revision links the
    # case's start_renegotiation event); the typed note only where there is none.
    note = (
        ""
        if draft.authorising_event_id
        else (
            f"{case_story.committee.name} {decided.on.isoformat()} "
            f"§ {paragraph_on(case_story.demo.committee, decided.on)}"
        )
    )
    _write(
        story,
        case_story,
        renegotiation.terms,
        start=month_start(starts_after.on, renegotiation.months_after),
        authorising_decision=note,
    )


def submit(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    services.submit_draft(case=case_story.case, actor=story.officer(case_story))


def approve(story: Story, case_story: CaseStory, step: PlannedStep) -> None:
    services.approve_version(case=case_story.case, actor=story.user(JURIST))


def _first_signature_on(step: PlannedStep) -> datetime.date:
    """The region signs up to a week before the organisation, after the step before."""
    return max(
        step.previous_on + datetime.timedelta(days=1),
        step.on - datetime.timedelta(days=SIGNING_DAYS_BEFORE),
    )


def _first_signature_at(story: Story, case_story: CaseStory, step: PlannedStep):
    return story.moment(_first_signature_on(step), case_story.demo.officer)


def _an_hour_before(when):
    return lambda *args: when(*args) - datetime.timedelta(hours=1)


# The agreement's step list: (the case's step, when relative to it, what the agreement does).
REACTIONS = (
    (Transition.START_DRAFTING, hours_after(1), start),
    (Transition.START_DRAFTING, days_after(14), write_first_draft),
    (Transition.RETURN_TO_DRAFTING, days_after(14), revise_after_return),
    (Transition.APPROVE_LEGAL_REVIEW, hours_after(-1), assess_submitted),
    (Transition.ACTIVATE, _first_signature_at, sign_first),
    (Transition.START_RENEGOTIATION, days_after(21), revise),
    (Transition.COMPLETE_RENEGOTIATION, days_after(-49), submit),
    (Transition.COMPLETE_RENEGOTIATION, _an_hour_before(days_after(-28, JURIST)), assess_submitted),
    (Transition.COMPLETE_RENEGOTIATION, days_after(-28, JURIST), approve),
    (Transition.COMPLETE_RENEGOTIATION, _first_signature_at, sign_first),
)
# The case's steps the agreement's services take themselves.
TAKES_OVER = (
    (Transition.RETURN_TO_DRAFTING, return_with_comments),
    (Transition.ACTIVATE, sign_the_rest),
    (Transition.COMPLETE_RENEGOTIATION, sign_the_rest),
)


# --- Writing a version ---------------------------------------------------------------------------


def _planned_start(story: Story, case_story: CaseStory) -> datetime.date:
    """The first day of the month after the agreement is (or is expected to be) signed."""
    activated = case_story.step(Transition.ACTIVATE)
    if activated is not None:
        signed = activated.on
    elif case_story.key in REGION_SIGNED_DAYS_AGO:
        signed = story.day(REGION_SIGNED_DAYS_AGO[case_story.key])
    else:
        signed = case_story.steps[-1].on + datetime.timedelta(days=60)
    return month_start(signed, 1)


def _budget_year(start: datetime.date) -> int:
    """The first full calendar year of the agreement: the budget is per full year."""
    return start.year if (start.month, start.day) == (1, 1) else start.year + 1


def _sections(case_story: CaseStory, terms: Terms, start: datetime.date) -> dict[str, str]:
    case = case_story.case
    organisation = case.organisations.get()
    contact = organisation.contacts.get(is_primary=True)
    values = {
        "committee": case.committee.name.lower(),
        "organisation": organisation.name,
        "org_number": organisation.org_number_display,
        "officer": case.officer.get_full_name(),
        "contact": contact.name,
        "contact_title": contact.title.lower(),
        "start": swedish_date(start),
        "region_commitments": terms.region_commitments,
        "organisation_commitments": terms.organisation_commitments,
    }
    texts = {key: text.format(**values) for key, text in COMMON_SECTIONS.items()}
    texts |= {SectionKey.GOALS: terms.goals, SectionKey.TARGET_GROUP: terms.target_group}
    return texts | terms.sections


def _line(version: AgreementVersion, party: Any, year: int, c: Contribution) -> BudgetLine:
    volunteer = c.kind == BudgetKind.VOLUNTEER
    return BudgetLine(
        version=version,
        party=party,
        year=year,
        kind=c.kind,
        description=c.description,
        amount=None if volunteer else Decimal(c.amount),
        hours=Decimal(c.hours) if volunteer else None,
        hourly_value=HOURLY_VALUE if volunteer else None,
    )


def _write(
    story: Story,
    case_story: CaseStory,
    terms: Terms,
    *,
    start: datetime.date,
    authorising_decision: str = "",
) -> AgreementVersion:
    """Write ``terms`` into the case's draft: every heading, the term, the parties' signatories
    and amounts, the budget for one full year and the action plan (a copied draft's budget and
    plan replaced)."""
    case = case_story.case
    actor = story.officer(case_story)
    version = services.draft_version(services.agreement_of(case))
    texts = _sections(case_story, terms, start)
    for section in version.sections.order_by("pk"):
        text = "" if section.key in terms.missing else texts.get(section.key, section.text)
        services.section_save(section=section, text=text, revision=section.revision, actor=actor)
    version = AgreementVersion.objects.get(pk=version.pk)
    version = services.version_update(
        version=version,
        revision=version.revision,
        actor=actor,
        data={
            "start_date": start,
            "term_kind": TermKind.UNTIL_FURTHER_NOTICE,
            "term_years": None,
            "notice_months": VERSION_FIELDS["notice_months"],
            "revision_interval_years": VERSION_FIELDS["revision_interval_years"],
            "invoice_address": INVOICE_ADDRESS.format(number=case.registry_number),
            "authorising_decision": authorising_decision,
        },
    )

    parties = list(version.parties.select_related("organisation"))
    contributions = {}
    for party in parties:
        if party.kind == PartyKind.PUBLIC_BODY:
            party.signatory_name, party.signatory_title = REGION_SIGNATORY[
                case.committee.short_code
            ]
            contributions[party.pk] = terms.region
        else:
            party.signatory_name = party.contact_name
            party.signatory_title = party.organisation.contacts.get(is_primary=True).title
            contributions[party.pk] = terms.organisation
        party.annual_amount = Decimal(
            sum(c.amount for c in contributions[party.pk] if c.kind == BudgetKind.MONEY)
        )
    version = services.parties_save(
        actor=actor, version=version, revision=version.revision, changed=parties
    )

    year = _budget_year(start)
    version = services.budget_save(
        actor=actor,
        version=version,
        revision=version.revision,
        changed=[_line(version, p, year, c) for p in parties for c in contributions[p.pk]],
        deleted=list(version.budget_lines.all()),
    )

    version = services.plan_save(
        actor=actor,
        version=version,
        revision=version.revision,
        data={
            "concrete_results": terms.concrete_results,
            "intangible_results": terms.intangible_results,
            "checkins_per_year": VERSION_FIELDS["checkins_per_year"],
            "annual_evaluation": VERSION_FIELDS["annual_evaluation"],
        },
        changed=[
            ActionPlanActivity(
                version=version,
                order=i,
                description=a.description,
                owner=a.owner,
                timetable=a.timetable,
                expected_result=a.expected_result,
            )
            for i, a in enumerate(terms.activities, start=1)
        ],
        deleted=list(version.activities.all()),
    )
    return version


def _sign(story: Story, case_story: CaseStory, on: datetime.date, *, first_only: bool) -> None:
    """The parties sign the approved version in order: the first only, or all who have not."""
    version = services.approved_version(services.agreement_of(case_story.case))
    unsigned = [p for p in version.parties.order_by("order", "pk") if not p.has_signed]
    today = story.today
    paper_until = datetime.date(today.year - PAPER_BEFORE_YEARS, today.month, min(today.day, 28))
    method = SigningMethod.PAPER if on < paper_until else SigningMethod.DIGITAL
    for party in unsigned[:1] if first_only else unsigned:
        services.record_signature(
            party=party, actor=story.officer(case_story), signed_on=on, method=method
        )
