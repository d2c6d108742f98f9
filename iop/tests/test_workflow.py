"""The case's state machine against the documented workflow (DOMAIN.md §3).

WORKFLOW below is written by hand from the documentation, not generated from the code: the
first test fails when the model declares a transition the documentation does not have (or
lacks one it has), and every other test walks the table, so a new row is tested the moment
it is added.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext

from agreements import services as agreement_services
from agreements.constants import RiskFactor, SectionKey, SigningMethod
from agreements.models import AgreementParty, AgreementVersion, ReviewComment
from agreements.tests.factories import agreement_at, complete_draft, record_assessment
from decisions.constants import MatterKind, MatterStatus, Outcome
from decisions.models import Decision, Matter, Meeting
from decisions.tests.factories import decide
from iop import permissions
from iop.constants import FINAL_STATUSES, CaseEventKind, CaseStatus, NoticeGivenBy, Role
from iop.models import Case, CaseDocument, CaseEvent, ChecklistAnswer
from iop.services import (
    TransitionForbidden,
    TransitionRefused,
    case_transition,
    transition_info,
)
from iop.tests.factories import (
    CaseDocumentFactory,
    CaseFactory,
    ChecklistFactory,
    UserFactory,
)
from iop.workflow import guards_of
from partners.tests.factories import OrganisationFactory, ValueDeclarationFactory

S = CaseStatus

# Who takes a transition (DOMAIN.md §2, issue 2 §7).
OFFICER = "officer"  # the case's officer, its substitute, or the IOP coordinator
JURIST = "jurist"  # acts on legal review
SECRETARY = "secretary"  # records the committee's decisions

# (source, target, transition, role) — DOMAIN.md §3, stage by stage.
WORKFLOW = [
    # 1–2. Initiative received; preparation with the checklist, or "not relevant".
    (S.RECEIVED, S.PREPARATION, "start_preparation", OFFICER),
    (S.PREPARATION, S.NOT_PURSUED, "close_not_pursued", OFFICER),
    (S.PREPARATION, S.DRAFTING, "start_drafting", OFFICER),
    # 3–4. Drafting; the jurist approves or returns it with comments.
    (S.DRAFTING, S.LEGAL_REVIEW, "submit_for_legal_review", OFFICER),
    (S.LEGAL_REVIEW, S.DRAFTING, "return_to_drafting", JURIST),
    (S.LEGAL_REVIEW, S.AWAITING_DECISION, "approve_legal_review", JURIST),
    # 5. Committee decision: approved → signing, rejected (avslag) → closed.
    (S.AWAITING_DECISION, S.SIGNING, "record_approval", SECRETARY),
    (S.AWAITING_DECISION, S.REJECTED, "record_rejection", SECRETARY),
    # Not in DOMAIN.md §3: a committee may also refer a matter back (återremiss) instead of
    # deciding it; the case then returns to drafting. Added deliberately, beyond the document.
    (S.AWAITING_DECISION, S.DRAFTING, "record_referral_back", SECRETARY),
    # 6. Signing, then active.
    (S.SIGNING, S.ACTIVE, "activate", OFFICER),
    # 8. Renegotiation: decided by the committee; the new version needs no new decision.
    (S.ACTIVE, S.RENEGOTIATION, "start_renegotiation", SECRETARY),
    (S.RENEGOTIATION, S.ACTIVE, "complete_renegotiation", OFFICER),
    # 9. Termination: either party gives notice (also in the middle of a renegotiation), the
    # committee decides the ending, the wind-down plan is registered, then closed.
    (S.ACTIVE, S.NOTICE_GIVEN, "give_notice", OFFICER),
    (S.RENEGOTIATION, S.NOTICE_GIVEN, "give_notice", OFFICER),
    (S.NOTICE_GIVEN, S.WINDING_DOWN, "start_winding_down", SECRETARY),
    (S.WINDING_DOWN, S.CLOSED, "close", OFFICER),
]

PERMISSION = {
    OFFICER: permissions.can_change_case,
    JURIST: permissions.can_review_legal,
    SECRETARY: permissions.can_record_decision,
}

# Who succeeds, per role of the table.
ALLOWED = {
    OFFICER: {"officer", "substitute", "coordinator"},
    JURIST: {"jurist"},
    SECRETARY: {"secretary"},
}

# Everyone who can knock: the case's own officer and substitute, a holder of every role, a
# case officer who has nothing to do with this case, a user without any role, a user of the
# right role whose account is deactivated, and nobody logged in.
ACTORS = [
    "officer",
    "substitute",
    "coordinator",
    "other_officer",
    "jurist",
    "secretary",
    "finance",
    "auditor",
    "no_groups",
    "inactive",
    "anonymous",
]

# The rule each condition enforces, copied by hand: the user reads exactly this text.
RULES = {
    "has_organisation": "Ärendet måste ha minst en idéburen organisation.",
    "checklist_passed": "Checklistan ska vara ifylld och alla kriterier uppfyllda innan avtal tas fram.",
    "value_declarations_signed": "Varje organisation i ärendet ska ha undertecknat värdegrundsintyget.",
    "has_closing_reason": "Ett skäl måste anges när ärendet avslutas som ej aktuellt för IOP.",
    "has_notice_date": "Datum för uppsägningen och vilken part som sagt upp måste anges.",
    "notice_date_not_in_future": "Uppsägningsdatum kan inte ligga i framtiden.",
    "wind_down_plan_registered": "En avvecklingsplan ska vara diarieförd innan ärendet avslutas.",
    # The agreement's conditions (agreements/conditions.py); their variants are tested in
    # agreements/tests/test_conditions.py.
    "agreement_ready_for_review": (
        "Avtalsutkastet ska vara komplett innan det skickas till juristen: text under varje "
        "rubrik, parterna med firmatecknare, startdatum och avtalstid, en budget där alla "
        "parter bidrar utan vinstpost, och en handlingsplan med aktiviteter och minst två "
        "avstämningar om året. Avtalets sida visar vad som saknas."
    ),
    "review_comments_given": (
        "Juristen ska kommentera utkastet (per rubrik eller som helhet) innan det skickas tillbaka."
    ),
    "legal_assessment_recorded": (
        "Juristen ska ha besvarat varje upphandlingsfaktor och registrerat en samlad "
        "bedömning, och vid full offentlig finansiering angett skälet till att den godtas."
    ),
    "all_parties_signed": "Alla parter ska ha skrivit under den godkända avtalsversionen.",
    # The committee's conditions (decisions/conditions.py): the move needs the decision the
    # secretary recorded (decisions/tests/test_recording.py tests the recording itself).
    "approval_recorded": (
        "Nämndens bifall måste vara registrerat på ärendet (sammanträde, § och beslut) av "
        "nämndsekreteraren."
    ),
    "rejection_recorded": (
        "Nämndens avslag måste vara registrerat på ärendet (sammanträde, § och beslut) av "
        "nämndsekreteraren."
    ),
    "referral_back_recorded": (
        "Nämndens återremiss måste vara registrerad på ärendet (sammanträde, § och beslut) av "
        "nämndsekreteraren."
    ),
    "renegotiation_decided": (
        "Nämndens beslut om omförhandling måste vara registrerat på ett omförhandlingsärende "
        "av nämndsekreteraren."
    ),
    "ending_decided": (
        "Nämndens beslut om att avsluta partnerskapet måste vara registrerat på "
        "avslutsärendet av nämndsekreteraren."
    ),
    "renegotiated_version_signed": (
        "Den omförhandlade avtalsversionen ska vara godkänd av juristen och underskriven av "
        "alla parter."
    ),
}

CONDITIONS = {
    "start_preparation": ["has_organisation"],
    "close_not_pursued": ["has_closing_reason"],
    "start_drafting": ["checklist_passed", "value_declarations_signed"],
    "give_notice": ["has_notice_date", "notice_date_not_in_future"],
    "close": ["wind_down_plan_registered"],
    "submit_for_legal_review": ["agreement_ready_for_review"],
    "return_to_drafting": ["review_comments_given"],
    "approve_legal_review": ["legal_assessment_recorded"],
    "activate": ["all_parties_signed"],
    "complete_renegotiation": ["renegotiated_version_signed"],
    "record_approval": ["approval_recorded"],
    "record_rejection": ["rejection_recorded"],
    "record_referral_back": ["referral_back_recorded"],
    "start_renegotiation": ["renegotiation_decided"],
    "start_winding_down": ["ending_decided"],
}

# Transitions that are refused without a note (the committee's reasons for a referral back).
# The jurist's return needs no note: it needs comments on the version (review_comments_given).
NOTE_REQUIRED = {"record_referral_back"}

ROLE_REASON = {
    OFFICER: "Only the case's officer, its substitute or the IOP coordinator may do this.",
    JURIST: "Only a jurist may do this.",
    SECRETARY: "Only a committee secretary may do this.",
}

NAMES = sorted({name for _, _, name, _ in WORKFLOW})
ROLE_OF = {name: role for _, _, name, role in WORKFLOW}
SOURCES_OF = {name: {src for src, _, n, _ in WORKFLOW if n == name} for name in NAMES}


def declared_transitions():
    return list(Case._meta.get_field("status").get_all_transitions(Case))


# --- The table is the code's table ---------------------------------------------------------


def test_declared_transitions_are_the_documented_ones():
    declared = sorted(
        (str(t.source), str(t.target), t.name, t.permission) for t in declared_transitions()
    )
    documented = sorted(
        (str(src), str(dst), name, PERMISSION[role]) for src, dst, name, role in WORKFLOW
    )
    assert declared == documented


def test_declared_conditions_are_the_documented_rules():
    # The case's own conditions and the guards the product's apps register (iop.workflow)
    # alike; the test spoke's (tests/spoke, tests/test_spoke.py) is not the product's.
    def guards(t):
        return [g for g in guards_of(t) if g.app_label != "tests"]

    declared = {t.name: [g.name for g in guards(t)] for t in declared_transitions()}
    assert {n: c for n, c in declared.items() if c} == CONDITIONS
    for t in declared_transitions():
        for guard in guards(t):
            assert str(guard.rule) == RULES[guard.name]


def test_transitions_that_need_a_comment():
    declared = {t.name for t in declared_transitions() if t.custom.get("note_required")}
    assert declared == NOTE_REQUIRED


def test_the_table_covers_every_stage():
    sources = {src for src, _, _, _ in WORKFLOW}
    targets = {dst for _, dst, _, _ in WORKFLOW}
    assert sources | targets == set(CaseStatus)
    # Final stages lead nowhere, every other stage leads somewhere.
    assert sources == set(CaseStatus) - FINAL_STATUSES
    # Everything can be reached from the initiative.
    reached, frontier = {S.RECEIVED}, [S.RECEIVED]
    while frontier:
        state = frontier.pop()
        for src, dst, _, _ in WORKFLOW:
            if src == state and dst not in reached:
                reached.add(dst)
                frontier.append(dst)
    assert reached == set(CaseStatus)


# --- Building cases and actors ---------------------------------------------------------------


SIGNED_ON = datetime.date(2026, 6, 1)


def _all_signed_but_not_moved(version: AgreementVersion, actor) -> None:
    """Every party has signed ``version``. The signatures are recorded through the service
    except the last: record_signature takes the case's transition itself when the last party
    signs, and here that transition is what is tested, so the last signature is written as the
    service writes it, without the move."""
    *first, last = version.parties.order_by("order", "pk")
    for party in first:
        agreement_services.record_signature(
            party=party, actor=actor, signed_on=SIGNED_ON, method=SigningMethod.PAPER
        )
    AgreementParty.objects.filter(pk=last.pk).update(
        signed_on=SIGNED_ON,
        signing_method=SigningMethod.DIGITAL,
        signature_recorded_at=timezone.now(),
        signature_recorded_by=actor,
    )


def renegotiated_version(case: Case, *, jurist=None, secretary=None) -> AgreementVersion:
    """``case`` (in drafting) signed, then renegotiated: its new version approved by the
    jurist, nobody has signed it yet. The case is in renegotiation."""
    jurist = jurist or UserFactory(role=Role.JURIST)
    secretary = secretary or UserFactory(role=Role.SECRETARY)
    agreement_at(case, "signed", jurist=jurist, secretary=secretary)
    decide(case, Outcome.APPROVED, kind=MatterKind.RENEGOTIATION, secretary=secretary)
    draft = agreement_services.start_revision(case=case, actor=case.officer)
    agreement_services.submit_draft(case=case, actor=case.officer)
    record_assessment(AgreementVersion.objects.get(pk=draft.pk), jurist)
    return agreement_services.approve_version(case=case, actor=jurist)


def _agreement_ready(case: Case, name: str) -> None:
    """Build, through the agreement services, the agreement that meets the conditions of
    ``name``; ``case`` starts in drafting and ends at the stage ``name`` starts from."""
    if name == "submit_for_legal_review":
        complete_draft(case)
    elif name == "return_to_drafting":
        version = agreement_at(case, "submitted")
        ReviewComment.objects.create(
            version=version,
            section_key=SectionKey.COMMITMENTS,
            text="Beskriv syftet i stället för hur arbetet ska utföras.",
            author=UserFactory(role=Role.JURIST),
        )
    elif name == "approve_legal_review":
        version = agreement_at(case, "submitted")
        record_assessment(version, UserFactory(role=Role.JURIST))
    elif name == "activate":
        _all_signed_but_not_moved(agreement_at(case, "signing"), case.officer)
    elif name == "complete_renegotiation":
        _all_signed_but_not_moved(renegotiated_version(case), case.officer)


# The committee's transitions: each needs the decision the secretary recorded (kind of
# matter, outcome), which has not yet moved the case.
COMMITTEE_DECISIONS = {
    "record_approval": (MatterKind.NEW_IOP, Outcome.APPROVED),
    "record_rejection": (MatterKind.NEW_IOP, Outcome.REJECTED),
    "record_referral_back": (MatterKind.NEW_IOP, Outcome.REFERRED_BACK),
    "start_renegotiation": (MatterKind.RENEGOTIATION, Outcome.APPROVED),
    "start_winding_down": (MatterKind.ENDING, Outcome.APPROVED),
}


def decision_pending(case: Case, name: str) -> Decision:
    """The committee's decision behind transition ``name``, recorded and not yet applied to
    the case: what ``record_decision`` writes in the moment before it moves the case. Written
    directly, so that the transition itself is what the test takes."""
    kind, outcome = COMMITTEE_DECISIONS[name]
    matter = Matter.objects.create(
        case=case,
        committee=case.committee,
        kind=kind,
        status=MatterStatus.FINAL,
        title=f"{MatterKind(kind).label} – {case.title}",
    )
    meeting = Meeting.objects.create(
        committee=case.committee,
        date=timezone.localdate(),
        starts_at=datetime.time(13, 0),
        place="Sessionssalen",
        matters_deadline=timezone.localdate(),
    )
    return Decision.objects.create(
        matter=matter,
        meeting=meeting,
        paragraph=45,
        outcome=outcome,
        decision_text="Nämnden beslutar enligt förslaget.",
    )


AGREEMENT_TRANSITIONS = {
    "submit_for_legal_review",
    "return_to_drafting",
    "approve_legal_review",
    "activate",
    "complete_renegotiation",
}


def ready_case(status: str, name: str, **kwargs) -> Case:
    """A case at ``status`` where every condition of transition ``name`` is met."""
    if "substitute" not in kwargs:
        kwargs["substitute"] = UserFactory(role=Role.CASE_OFFICER)
    if name in AGREEMENT_TRANSITIONS and status in SOURCES_OF[name]:
        # The agreement is walked to this stage through its services, from drafting.
        case = CaseFactory(status=S.DRAFTING, **kwargs)
        _agreement_ready(case, name)
        case.refresh_from_db()
        assert case.status == status, (case.status, status)
        return case
    case = CaseFactory(status=status, **kwargs)
    if name in COMMITTEE_DECISIONS and status in SOURCES_OF[name]:
        decision_pending(case, name)
    if name == "start_drafting":
        ChecklistFactory(case=case, all_met=True)
    if name == "close":
        CaseDocumentFactory(case=case, kind=CaseDocument.Kind.WIND_DOWN_PLAN)
    return case


def transition_input(name: str) -> dict:
    """What the user fills in on the transition's form, when it is filled in correctly."""
    if name == "close_not_pursued":
        return {"data": {"closing_reason": "Föreningen söker i stället föreningsbidrag."}}
    if name == "give_notice":
        notice = timezone.localdate() - datetime.timedelta(days=3)
        return {"data": {"notice_date": notice, "notice_given_by": NoticeGivenBy.ORGANISATION}}
    return {}


ROLE_GROUP = {
    "coordinator": Role.COORDINATOR,
    "other_officer": Role.CASE_OFFICER,
    "jurist": Role.JURIST,
    "secretary": Role.SECRETARY,
    "finance": Role.FINANCE,
    "auditor": Role.AUDITOR,
}


def make_actor(kind: str, case: Case, role: str):
    if kind == "officer":
        return case.officer
    if kind == "substitute":
        return case.substitute
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "no_groups":
        return UserFactory()
    if kind == "inactive":
        # The right role, but the account is deactivated (for officer transitions: a coordinator).
        group = Role.COORDINATOR if role == OFFICER else ROLE_GROUP[role]
        return UserFactory(role=group, is_active=False)
    return UserFactory(role=ROLE_GROUP[kind])


def allowed_actor(case: Case, name: str):
    role = ROLE_OF[name]
    return case.officer if role == OFFICER else make_actor(role, case, role)


def snapshot(case: Case) -> tuple:
    """Everything a refused transition must leave untouched."""
    return (
        Case.objects.filter(pk=case.pk).values().get(),
        CaseEvent.objects.filter(case=case).count(),
        case.history.count(),
    )


# --- (a) the right role, in the right stage, with the conditions met -------------------------

SUCCESS = [
    pytest.param(src, dst, name, kind, id=f"{name}-from-{src}-by-{kind}")
    for src, dst, name, role in WORKFLOW
    for kind in sorted(ALLOWED[role])
]


@pytest.mark.parametrize(("source", "target", "name", "actor_kind"), SUCCESS)
def test_transition_succeeds_and_writes_one_event(db, source, target, name, actor_kind):
    case = ready_case(source, name)
    actor = make_actor(actor_kind, case, ROLE_OF[name])
    note = "Anteckning till händelsen."
    # The move writes one transition event; the other apps' receivers may write their own
    # entries (reaching awaiting decision drafts the committee's matter, a MATTER event).
    moves = CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION)
    events_before = moves.count()

    result = case_transition(
        case=case, name=name, actor=actor, note=f"  {note}  ", **transition_input(name)
    )

    assert result.status == target
    assert Case.objects.get(pk=case.pk).status == target
    assert moves.count() == events_before + 1
    event = moves.latest("pk")
    assert (event.kind, event.transition, event.actor, event.from_status, event.to_status) == (
        CaseEventKind.TRANSITION,
        name,
        actor,
        source,
        target,
    )
    assert event.note == note


# --- (b) every other stage is refused, and nothing changes --------------------------------------
# One test per transition, trying it in every stage it does not start from; each stage is a
# case of its own (sharing officer and organisation, so that ~180 cases stay fast).


def attempt(case: Case, name: str, actor, **kwargs) -> tuple[str, list[str], bool]:
    """Try a transition; return how it was refused, the reasons, and whether nothing changed."""
    before = snapshot(case)
    try:
        case_transition(case=case, name=name, actor=actor, **kwargs)
    except TransitionForbidden as e:
        return "forbidden", e.reasons, snapshot(case) == before
    except TransitionRefused as e:
        return "refused", e.reasons, snapshot(case) == before
    return "done", [], False


@pytest.mark.parametrize("name", NAMES)
def test_transition_is_refused_in_every_other_stage(db, name):
    role = ROLE_OF[name]
    shared = {
        "officer": UserFactory(role=Role.CASE_OFFICER),
        "substitute": UserFactory(role=Role.CASE_OFFICER),
        "organisations": [OrganisationFactory(declared=True)],
    }
    actor = shared["officer"] if role == OFFICER else make_actor(role, None, role)
    other_stages = [s for s in CaseStatus if s not in SOURCES_OF[name]]
    outcomes, reasons = {}, {}
    for status in other_stages:
        case = ready_case(status, name, **shared)
        kind, reasons[status], unchanged = attempt(
            case, name, actor, note="Försök.", **transition_input(name)
        )
        outcomes[status] = (kind, unchanged)

    # Refused, not forbidden: a stage refusal is no permission problem (no 403 in views).
    assert outcomes == dict.fromkeys(other_stages, ("refused", True))
    for status, [reason] in reasons.items():
        # The one reason names the stage the case is at, and the action that was tried.
        assert str(CaseStatus(status).label) in reason, (status, reason)
        assert transition_info(name).label in reason, (status, reason)


# --- (c) every other role is forbidden, and nothing changes -------------------------------------
# One test per row of the table, knocked on by everyone who may not take it.


@pytest.mark.parametrize(
    ("source", "name"),
    [pytest.param(src, name, id=f"{name}-from-{src}") for src, _, name, _ in WORKFLOW],
)
def test_transition_is_forbidden_for_every_other_role(db, source, name):
    role = ROLE_OF[name]
    case = ready_case(source, name)
    outcomes = {
        kind: attempt(
            case, name, make_actor(kind, case, role), note="Försök.", **transition_input(name)
        )
        for kind in ACTORS
        if kind not in ALLOWED[role]
    }

    forbidden = ("forbidden", [gettext(ROLE_REASON[role])], True)
    assert outcomes == {kind: forbidden for kind in ACTORS if kind not in ALLOWED[role]}
    assert Case.objects.get(pk=case.pk).status == source


# --- (d) each condition unmet is refused with its rule -----------------------------------------


def _no_organisation(case):
    case.organisations.clear()


def _no_checklist(case):
    case.checklist.delete()


def _checklist_unanswered(case):
    ChecklistAnswer.objects.filter(checklist=case.checklist, criterion="mora7").update(answer=None)


def _checklist_failed(case):
    ChecklistAnswer.objects.filter(checklist=case.checklist, criterion="rv6").update(answer=False)


def _organisation_without_declaration(case):
    case.organisations.add(OrganisationFactory())


def _declaration_point_unconfirmed(case):
    organisation = OrganisationFactory()
    ValueDeclarationFactory(organisation=organisation, no_anti_democracy=False)
    case.organisations.set([organisation])


def _unsigned_and_no_checklist(case):
    _no_checklist(case)
    _organisation_without_declaration(case)


def _no_wind_down_plan(case):
    case.documents.all().delete()


def _other_documents_only(case):
    _no_wind_down_plan(case)
    CaseDocumentFactory(case=case, kind=CaseDocument.Kind.NOTICE_LETTER)
    CaseDocumentFactory(case=case, kind=CaseDocument.Kind.MEETING_NOTES)


def _heading_emptied(case):
    draft = agreement_services.draft_version(case.agreement)
    goals = draft.sections.get(key=SectionKey.GOALS)
    agreement_services.section_save(
        section=goals, text="", revision=goals.revision, actor=case.officer
    )


def _no_review_comment(case):
    ReviewComment.objects.filter(version__agreement__case=case).delete()


def _overall_assessment_blank(case):
    version = agreement_services.submitted_version(case.agreement)
    record_assessment(version, UserFactory(role=Role.JURIST), overall="  ")


def _one_factor_unanswered(case):
    version = agreement_services.submitted_version(case.agreement)
    agreement_services.assessment_save(
        version=version,
        actor=UserFactory(role=Role.JURIST),
        answers={RiskFactor.SANCTIONS: ("", "Oklart.")},
        overall_assessment="Samlad bedömning: partnerskap.",
    )


def _last_party_unsigned(case):
    version = agreement_services.approved_version(case.agreement)
    last = version.parties.order_by("order", "pk").last()
    AgreementParty.objects.filter(pk=last.pk).update(
        signed_on=None, signing_method="", signature_recorded_at=None, signature_recorded_by=None
    )


def _nothing(case):
    pass


def _no_decision(case):
    Decision.objects.filter(matter__case=case).delete()


def _other_outcome_recorded(case):
    # A rejection is recorded, not an approval (and the other way round).
    decision = Decision.objects.get(matter__case=case)
    other = Outcome.REJECTED if decision.outcome == Outcome.APPROVED else Outcome.APPROVED
    Decision.objects.filter(pk=decision.pk).update(outcome=other)


def _follow_up_only(case):
    # The committee approved a follow-up, not a renegotiation.
    Matter.objects.filter(case=case).update(kind=MatterKind.FOLLOW_UP)


def _decision_already_applied(case):
    # The recorded decision moved the case once already: it cannot move it again.
    decision = Decision.objects.get(matter__case=case)
    event = CaseEvent.objects.create(case=case, kind=CaseEventKind.DECISION, note="§ 45")
    Decision.objects.filter(pk=decision.pk).update(case_event=event)


TODAY = datetime.date(2026, 6, 15)
JUST_AFTER_MIDNIGHT = datetime.datetime(2026, 6, 15, 0, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
NOTICE = {"notice_date": TODAY, "notice_given_by": NoticeGivenBy.PUBLIC_BODY}

# (id, source, transition, arrange, form input, the rules that must be shown)
# fmt: off
UNMET = [
    ("start_preparation-no_organisation", S.RECEIVED, "start_preparation", _no_organisation,
     {}, ["has_organisation"]),
    ("start_drafting-no_checklist", S.PREPARATION, "start_drafting", _no_checklist,
     {}, ["checklist_passed"]),
    ("start_drafting-criterion_unanswered", S.PREPARATION, "start_drafting",
     _checklist_unanswered, {}, ["checklist_passed"]),
    ("start_drafting-criterion_failed", S.PREPARATION, "start_drafting", _checklist_failed,
     {}, ["checklist_passed"]),
    ("start_drafting-organisation_without_declaration", S.PREPARATION, "start_drafting",
     _organisation_without_declaration, {}, ["value_declarations_signed"]),
    ("start_drafting-declaration_point_unconfirmed", S.PREPARATION, "start_drafting",
     _declaration_point_unconfirmed, {}, ["value_declarations_signed"]),
    ("start_drafting-no_organisation", S.PREPARATION, "start_drafting", _no_organisation,
     {}, ["value_declarations_signed"]),
    ("start_drafting-both_unmet", S.PREPARATION, "start_drafting",
     _unsigned_and_no_checklist, {}, ["checklist_passed", "value_declarations_signed"]),
    ("close_not_pursued-no_reason", S.PREPARATION, "close_not_pursued", _nothing,
     {"data": {}}, ["has_closing_reason"]),
    ("close_not_pursued-blank_reason", S.PREPARATION, "close_not_pursued", _nothing,
     {"data": {"closing_reason": "  \n "}}, ["has_closing_reason"]),
    ("give_notice-no_date", S.ACTIVE, "give_notice", _nothing,
     {"data": {"notice_given_by": NoticeGivenBy.ORGANISATION}}, ["has_notice_date"]),
    ("give_notice-no_party", S.ACTIVE, "give_notice", _nothing,
     {"data": {"notice_date": TODAY}}, ["has_notice_date"]),
    ("give_notice-future_date", S.ACTIVE, "give_notice", _nothing,
     {"data": {**NOTICE, "notice_date": TODAY + datetime.timedelta(days=1)}},
     ["notice_date_not_in_future"]),
    ("give_notice-during_renegotiation-no_date", S.RENEGOTIATION, "give_notice", _nothing,
     {"data": {}}, ["has_notice_date"]),
    ("give_notice-during_renegotiation-future_date", S.RENEGOTIATION, "give_notice", _nothing,
     {"data": {**NOTICE, "notice_date": datetime.date(2027, 1, 1)}},
     ["notice_date_not_in_future"]),
    ("close-no_wind_down_plan", S.WINDING_DOWN, "close", _no_wind_down_plan,
     {}, ["wind_down_plan_registered"]),
    ("close-only_other_documents", S.WINDING_DOWN, "close", _other_documents_only,
     {}, ["wind_down_plan_registered"]),
    ("submit_for_legal_review-heading_left_empty", S.DRAFTING, "submit_for_legal_review",
     _heading_emptied, {}, ["agreement_ready_for_review"]),
    ("return_to_drafting-no_comment", S.LEGAL_REVIEW, "return_to_drafting", _no_review_comment,
     {"note": ""}, ["review_comments_given"]),
    # A note on the transition is no comment on the version.
    ("return_to_drafting-note_but_no_comment", S.LEGAL_REVIEW, "return_to_drafting",
     _no_review_comment, {"note": "Se § 7 om vite."}, ["review_comments_given"]),
    ("approve_legal_review-no_overall_assessment", S.LEGAL_REVIEW, "approve_legal_review",
     _overall_assessment_blank, {}, ["legal_assessment_recorded"]),
    ("approve_legal_review-factor_unanswered", S.LEGAL_REVIEW, "approve_legal_review",
     _one_factor_unanswered, {}, ["legal_assessment_recorded"]),
    ("activate-last_party_unsigned", S.SIGNING, "activate", _last_party_unsigned,
     {}, ["all_parties_signed"]),
    ("complete_renegotiation-last_party_unsigned", S.RENEGOTIATION, "complete_renegotiation",
     _last_party_unsigned, {}, ["renegotiated_version_signed"]),
    ("record_referral_back-no_note", S.AWAITING_DECISION, "record_referral_back", _nothing,
     {"note": ""}, ["note"]),
    ("record_approval-no_decision", S.AWAITING_DECISION, "record_approval", _no_decision,
     {}, ["approval_recorded"]),
    ("record_approval-rejection_recorded", S.AWAITING_DECISION, "record_approval",
     _other_outcome_recorded, {}, ["approval_recorded"]),
    ("record_approval-decision_applied", S.AWAITING_DECISION, "record_approval",
     _decision_already_applied, {}, ["approval_recorded"]),
    ("record_rejection-no_decision", S.AWAITING_DECISION, "record_rejection", _no_decision,
     {}, ["rejection_recorded"]),
    ("record_rejection-approval_recorded", S.AWAITING_DECISION, "record_rejection",
     _other_outcome_recorded, {}, ["rejection_recorded"]),
    ("record_referral_back-no_decision", S.AWAITING_DECISION, "record_referral_back",
     _no_decision, {"note": "Återremiss."}, ["referral_back_recorded"]),
    ("start_renegotiation-no_decision", S.ACTIVE, "start_renegotiation", _no_decision,
     {}, ["renegotiation_decided"]),
    ("start_renegotiation-follow_up_only", S.ACTIVE, "start_renegotiation", _follow_up_only,
     {}, ["renegotiation_decided"]),
    ("start_renegotiation-rejected", S.ACTIVE, "start_renegotiation", _other_outcome_recorded,
     {}, ["renegotiation_decided"]),
    ("start_winding_down-no_decision", S.NOTICE_GIVEN, "start_winding_down", _no_decision,
     {}, ["ending_decided"]),
]
# fmt: on


def expected_reason(rule: str, name: str) -> str:
    if rule == "note":
        label = transition_info(name).label
        return gettext("A comment is required for «%(action)s».") % {"action": label}
    return RULES[rule]


def test_every_condition_has_an_unmet_case():
    covered = {rule for *_, rules in UNMET for rule in rules}
    assert covered == set(RULES) | {"note"}


@pytest.mark.parametrize(
    ("source", "name", "arrange", "form", "rules"),
    [pytest.param(*row[1:], id=row[0]) for row in UNMET],
)
def test_transition_is_refused_with_each_unmet_rule(
    db, time_machine, source, name, arrange, form, rules
):
    case = ready_case(source, name)
    arrange(case)
    # Set the clock after the case is built: the agreement's signatures are dated in the past.
    time_machine.move_to(JUST_AFTER_MIDNIGHT)
    actor = allowed_actor(case, name)
    before = snapshot(case)

    with pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, name=name, actor=actor, **form)

    assert type(refused.value) is TransitionRefused
    assert refused.value.reasons == [expected_reason(rule, name) for rule in rules]
    assert snapshot(case) == before


def test_notice_given_today_is_accepted(db, time_machine):
    # Just after midnight in Stockholm it is still yesterday in UTC: "today" is the Swedish date.
    time_machine.move_to(JUST_AFTER_MIDNIGHT)
    case = ready_case(S.ACTIVE, "give_notice")
    case = case_transition(case=case, name="give_notice", actor=case.officer, data=NOTICE)
    assert case.status == S.NOTICE_GIVEN
    assert Case.objects.get(pk=case.pk).notice_date == TODAY


# --- The whole life of one case ---------------------------------------------------------------


def test_a_case_lives_its_whole_life(db, coordinator, jurist, secretary):
    """Every stage, with the agreement written, reviewed and signed through its services:
    the steps that move the agreement take the case's transitions themselves."""
    case = ready_case(S.RECEIVED, "start_drafting")
    officer = case.officer
    history_before = case.history.count()
    expected = []

    def step(name, actor, **kwargs):
        nonlocal case
        case = case_transition(case=case, name=name, actor=actor, **kwargs)
        expected.append(name)

    def committee(name, outcome, *, kind=MatterKind.NEW_IOP, note=""):
        """The committee decides: the secretary records the decision, which moves the case."""
        nonlocal case
        decision = decide(case, outcome, kind=kind, secretary=secretary, note=note)
        case = Case.objects.get(pk=case.pk)
        assert decision.case_event.transition == name
        expected.append(name)

    def sign_all():
        version = agreement_services.approved_version(case.agreement)
        for party in version.parties.order_by("order", "pk"):
            agreement_services.record_signature(
                party=party, actor=officer, signed_on=SIGNED_ON, method=SigningMethod.DIGITAL
            )

    def approve():
        record_assessment(agreement_services.submitted_version(case.agreement), jurist)
        step("approve_legal_review", jurist)

    step("start_preparation", officer)
    step("start_drafting", case.substitute)
    complete_draft(case)
    step("submit_for_legal_review", officer)
    agreement_services.return_version(
        case=case,
        actor=jurist,
        comments=[(SectionKey.TERMINATION, "Stryk vitesklausulen.")],
        note="Undvik ordet kontrakt.",
    )
    expected.append("return_to_drafting")
    step("submit_for_legal_review", officer)
    approve()
    committee("record_referral_back", Outcome.REFERRED_BACK, note="Återremiss: budgeten.")
    step("submit_for_legal_review", coordinator)
    approve()
    committee("record_approval", Outcome.APPROVED)
    sign_all()
    expected.append("activate")
    committee("start_renegotiation", Outcome.APPROVED, kind=MatterKind.RENEGOTIATION)
    agreement_services.start_revision(case=case, actor=officer)
    agreement_services.submit_draft(case=case, actor=officer)
    record_assessment(agreement_services.submitted_version(case.agreement), jurist)
    agreement_services.approve_version(case=case, actor=jurist)
    sign_all()
    expected.append("complete_renegotiation")
    committee("start_renegotiation", Outcome.APPROVED, kind=MatterKind.RENEGOTIATION)
    step("give_notice", officer, **transition_input("give_notice"))
    committee("start_winding_down", Outcome.APPROVED, kind=MatterKind.ENDING)
    CaseDocumentFactory(case=case, kind=CaseDocument.Kind.WIND_DOWN_PLAN)
    step("close", officer)

    timeline = CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSITION).order_by("pk")
    assert [e.transition for e in timeline] == expected
    assert [e.to_status for e in timeline][-1] == S.CLOSED
    # Each event starts where the previous one ended: the timeline has no holes.
    assert all(a.to_status == b.from_status for a, b in zip(timeline, timeline[1:], strict=False))
    # …and every change of stage is in the case's history too, by whom it was made.
    assert case.history.count() == history_before + len(timeline)
    assert [h.history_user for h in case.history.order_by("history_id")][-len(timeline) :] == [
        e.actor for e in timeline
    ]
    # The agreement's versions: returned by the jurist, referred back by the committee,
    # signed and then superseded by the renegotiated version, which is in force.
    statuses = list(
        AgreementVersion.objects.filter(agreement__case=case)
        .order_by("number")
        .values_list("status", flat=True)
    )
    assert statuses == ["returned", "returned", "superseded", "signed"]
