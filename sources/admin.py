"""Admin for source documents and their commitments, until editors get their own pages.

Consultation responses are moderated on /edit/sources/<slug>/responses/, by moderators only,
not here, so the consent rule and the audit fields are always applied. `editors` assigns the
people who may edit a document.
"""

from django.contrib import admin

from core.forms import CleanTextModelForm
from milestones.models import stamp_status
from sources.models import (
    Commitment,
    CommitmentMilestone,
    CommitmentOrganisation,
    CommitmentOutcome,
    ConsultationQuestion,
    Phase,
    Section,
    SourceDocument,
)


class PhaseInline(admin.TabularInline):
    model = Phase
    form = CleanTextModelForm
    extra = 0


class SectionInline(admin.StackedInline):
    model = Section
    form = CleanTextModelForm
    extra = 0


class QuestionInline(admin.StackedInline):
    model = ConsultationQuestion
    form = CleanTextModelForm
    extra = 0


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["title", "kind", "publisher", "published_on", "closes_on", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["editors"]
    inlines = [PhaseInline, SectionInline, QuestionInline]


class CommitmentOrganisationInline(admin.TabularInline):
    model = CommitmentOrganisation
    form = CleanTextModelForm
    extra = 0
    autocomplete_fields = ["organisation"]


class CommitmentOutcomeInline(admin.TabularInline):
    model = CommitmentOutcome
    form = CleanTextModelForm
    extra = 0


class CommitmentMilestoneInline(admin.TabularInline):
    model = CommitmentMilestone
    form = CleanTextModelForm
    extra = 0


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["reference", "title", "document", "timescale", "status"]
    list_filter = ["document", "status", "foundation"]
    search_fields = ["reference", "title", "text"]
    readonly_fields = ["year_from", "year_to"]
    inlines = [CommitmentOrganisationInline, CommitmentOutcomeInline, CommitmentMilestoneInline]

    def save_model(self, request, obj, form, change):
        """A changed status is stamped as every other write path stamps it, unless the date
        or organisation was entered here by hand (recording an earlier report)."""
        entered = {"status_updated_on", "status_updated_by"} & set(form.changed_data)
        if "status" in form.changed_data and not entered:
            stamp_status(obj, form.initial.get("status") if change else None)
        super().save_model(request, obj, form, change)
