"""The jurist's comments and assessments, and a version's rows listed for their own history:
records written on the agreement's pages, read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy

from partners.users import display_name

from ..models import (
    ActionPlanActivity,
    AgreementParty,
    AgreementSection,
    BudgetLine,
    ReviewComment,
    RiskAssessment,
    RiskFactorAnswer,
)
from .common import ReadOnlyHistoryAdmin, ReadOnlyInline, case_number

# --- The review: comments and assessments (written on the review page) -----------------------


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("created_at", "case", "version_number", "section_key", "author_name")
    list_filter = ("section_key",)
    list_select_related = ("version__agreement__case", "author")
    search_fields = ("text", "version__agreement__case__registry_number")
    fields = ("version", "section_key", "text", "author", "created_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("case"))
    def case(self, comment: ReviewComment) -> str:
        return case_number(comment.version)

    @admin.display(description=gettext_lazy("version"), ordering="version__number")
    def version_number(self, comment: ReviewComment) -> int:
        return comment.version.number

    @admin.display(description=gettext_lazy("author"))
    def author_name(self, comment: ReviewComment) -> str:
        return display_name(comment.author)


class RiskFactorAnswerInline(ReadOnlyInline):
    model = RiskFactorAnswer
    fields = ("factor", "direction", "comment")
    readonly_fields = fields


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "version_number", "assessed_at", "assessor")
    list_select_related = ("version__agreement__case", "assessed_by")
    search_fields = ("version__agreement__case__registry_number", "overall_assessment")
    fields = (
        "version",
        "overall_assessment",
        "full_funding_accepted",
        "assessed_at",
        "assessed_by",
    )
    readonly_fields = fields
    inlines = (RiskFactorAnswerInline,)

    @admin.display(description=gettext_lazy("case"))
    def case(self, assessment: RiskAssessment) -> str:
        return case_number(assessment.version)

    @admin.display(description=gettext_lazy("version"), ordering="version__number")
    def version_number(self, assessment: RiskAssessment) -> int:
        return assessment.version.number

    @admin.display(description=gettext_lazy("assessed by"))
    def assessor(self, assessment: RiskAssessment) -> str:
        return display_name(assessment.assessed_by)


# --- Rows, listed for their own history --------------------------------------------------------


class VersionRowAdmin(ReadOnlyHistoryAdmin):
    """A version's rows, listed for the history of each; edited on the version's page."""

    list_select_related = ("version__agreement__case",)
    search_fields = ("version__agreement__case__registry_number",)

    @admin.display(description=gettext_lazy("case"))
    def case(self, row) -> str:
        return case_number(row.version)

    @admin.display(description=gettext_lazy("version"), ordering="version__number")
    def version_number(self, row) -> int:
        return row.version.number


@admin.register(AgreementSection)
class AgreementSectionAdmin(VersionRowAdmin):
    list_display = ("case", "version_number", "key", "revision", "updated_at")
    list_filter = ("key",)


@admin.register(AgreementParty)
class AgreementPartyAdmin(VersionRowAdmin):
    list_display = ("case", "version_number", "order", "party_name", "signatory_name", "signed_on")
    list_select_related = ("version__agreement__case", "public_body", "organisation")

    @admin.display(description=gettext_lazy("party"))
    def party_name(self, party: AgreementParty) -> str:
        return party.name


@admin.register(BudgetLine)
class BudgetLineAdmin(VersionRowAdmin):
    list_display = ("case", "version_number", "year", "kind", "description", "value_kr")
    list_filter = ("kind", "year")

    @admin.display(description=gettext_lazy("amount (kr)"))
    def value_kr(self, line: BudgetLine):
        return line.value


@admin.register(ActionPlanActivity)
class ActionPlanActivityAdmin(VersionRowAdmin):
    list_display = ("case", "version_number", "order", "__str__", "owner", "timetable")


@admin.register(RiskFactorAnswer)
class RiskFactorAnswerAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "factor", "direction")
    list_filter = ("factor", "direction")
    list_select_related = ("assessment__version__agreement__case",)

    @admin.display(description=gettext_lazy("case"))
    def case(self, answer: RiskFactorAnswer) -> str:
        return case_number(answer.assessment.version)
