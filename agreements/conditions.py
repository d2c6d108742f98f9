"""The case's conditions that depend on its agreement, registered as guards of the case's
transitions in ``AgreementsConfig.ready`` (with the rules users read)."""

from __future__ import annotations

from iop.models import Case

from . import services
from .models import Agreement, ReviewComment


def _agreement(case: Case) -> Agreement | None:
    return services.agreement_of(case) if case.pk else None


def agreement_ready_for_review(case: Case) -> bool:
    draft = services.draft_version(_agreement(case))
    return draft is not None and not services.submission_problems(draft)


def review_comments_given(case: Case) -> bool:
    version = services.submitted_version(_agreement(case))
    return version is not None and ReviewComment.objects.filter(version=version).exists()


def legal_assessment_recorded(case: Case) -> bool:
    version = services.submitted_version(_agreement(case))
    return version is not None and not services.assessment_problems(version)


def all_parties_signed(case: Case) -> bool:
    version = services.approved_version(_agreement(case))
    return version is not None and all(p.has_signed for p in version.parties.all())


def renegotiated_version_signed(case: Case) -> bool:
    # An IOP that went active before it was handled here has no version in force: its
    # renegotiated agreement is the first one written here, and completes the same way.
    return all_parties_signed(case)
