"""The agreement version's own state machine: the declared moves are the documented ones, and a
move from the wrong status is refused and changes nothing."""

from __future__ import annotations

import pytest
from django_fsm import TransitionNotAllowed

from django.db import transaction

from agreements import services
from agreements.constants import VersionStatus as V
from agreements.models import AgreementVersion

from .factories import agreement_at, complete_draft, drafting_case

pytestmark = pytest.mark.django_db

# By hand, from DOMAIN.md §3.4–§3.8: (source, target, move).
DOCUMENTED = {
    (V.DRAFT, V.SUBMITTED, "submit"),
    (V.SUBMITTED, V.RETURNED, "return_for_changes"),
    (V.SUBMITTED, V.APPROVED, "approve"),
    (V.APPROVED, V.RETURNED, "refer_back"),
    (V.APPROVED, V.SIGNED, "sign"),
    (V.DRAFT, V.SUPERSEDED, "withdraw"),
    (V.SUBMITTED, V.SUPERSEDED, "withdraw"),
    (V.APPROVED, V.SUPERSEDED, "withdraw"),
    (V.SIGNED, V.SUPERSEDED, "supersede"),
}
MOVES = sorted({name for _source, _target, name in DOCUMENTED})


def test_declared_moves_are_the_documented_ones():
    declared = {
        (t.source, t.target, t.name) for t in AgreementVersion().get_all_status_transitions()
    }
    assert declared == DOCUMENTED


def test_returned_and_superseded_versions_move_no_more():
    ends = {V.RETURNED, V.SUPERSEDED}
    assert not {source for source, _target, _name in DOCUMENTED} & ends


def _version(state: str, jurist) -> AgreementVersion:
    if state == "draft":
        return complete_draft(drafting_case())
    return agreement_at(None, state, jurist=jurist)


def _row(version: AgreementVersion) -> dict:
    return AgreementVersion.objects.filter(pk=version.pk).values().get()


# Every move from every status a version can be built in, but the declared ones.
BUILT = {"draft": V.DRAFT, "submitted": V.SUBMITTED, "approved": V.APPROVED, "signed": V.SIGNED}
REFUSED = [
    (state, name)
    for state, status in BUILT.items()
    for name in MOVES
    if (status, name) not in {(source, move) for source, _target, move in DOCUMENTED}
]


@pytest.mark.parametrize(("state", "name"), REFUSED)
def test_a_move_from_the_wrong_status_is_refused_and_changes_nothing(state, name, jurist):
    status = BUILT[state]
    version = _version(state, jurist)
    assert version.status == status
    before = _row(version)
    with pytest.raises(TransitionNotAllowed), transaction.atomic():
        services.move(getattr(version, name), actor=version.agreement.case.officer)
    assert version.status == status
    assert _row(version) == before


def test_signing_a_draft_is_refused_and_leaves_the_row_unchanged(jurist):
    draft = _version("draft", jurist)
    before = _row(draft)
    with pytest.raises(TransitionNotAllowed):
        services.move(draft.sign, actor=draft.agreement.case.officer)
    assert _row(draft) == before and before["signed_at"] is None


def test_the_status_is_changed_by_its_moves_only(jurist):
    draft = _version("draft", jurist)
    with pytest.raises(AttributeError):
        draft.status = V.SIGNED
    draft.refresh_from_db()  # the protected field reloads (FSMModelMixin)
    assert draft.status == V.DRAFT


def test_a_submission_stamps_who_and_when(jurist):
    draft = _version("draft", jurist)
    officer = draft.agreement.case.officer
    services.move(draft.submit, actor=officer)
    saved = AgreementVersion.objects.get(pk=draft.pk)
    assert (saved.status, saved.submitted_by) == (V.SUBMITTED, officer)
    assert saved.submitted_at is not None
    assert saved.history.latest("history_id").history_user == officer
