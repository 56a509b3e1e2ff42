"""Admin for source documents and their commitments, until editors get their own pages.

Consultation responses are moderated on /edit/sources/<slug>/responses/, by moderators only,
not here, so the consent rule and the audit fields are always applied. `editors` assigns the
people who may edit a document.
"""

from django.contrib import admin, messages

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
from sources.services import COMMITMENT_FIELDS, DOCUMENT_FIELDS, document_version_if_changed

HELD_BY_DRAFT = (
    "{item} has unpublished changes in the editor's draft of this document, and publishing "
    "the draft would replace an edit made here. Publish or discard the draft first."
)


class KeepsVersions:
    """Every change made here that the public reads becomes a version of the document, as a
    publish does (sources.services.document_version_if_changed)."""

    @staticmethod
    def document_of(obj) -> SourceDocument:
        return obj if isinstance(obj, SourceDocument) else obj.document

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        document_version_if_changed(document=self.document_of(form.instance), user=request.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        if not isinstance(obj, SourceDocument):
            document_version_if_changed(document=obj.document, user=request.user)

    def delete_queryset(self, request, queryset):
        documents = {self.document_of(obj).pk for obj in queryset}
        super().delete_queryset(request, queryset)
        for document in SourceDocument.objects.filter(pk__in=documents):
            document_version_if_changed(document=document, user=request.user)


class HeldByDraft:
    """While the editor's draft carries changes to a record, the fields it carries
    (`held_fields`) are the draft's to change: read-only here, and the change page says why.
    Each admin says when a record is held (`held_by_draft`) and names it (`held_label`)."""

    held_fields: list[str]

    def get_readonly_fields(self, request, obj=None):
        if self.held_by_draft(obj):
            return [*super().get_readonly_fields(request, obj), *self.held_fields]
        return super().get_readonly_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if self.held_by_draft(obj) and request.method == "GET":
            messages.warning(request, HELD_BY_DRAFT.format(item=self.held_label(obj)))
        return super().change_view(request, object_id, form_url, extra_context)


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
class SourceDocumentAdmin(KeepsVersions, HeldByDraft, admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["title", "kind", "publisher", "published_on", "closes_on", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["editors"]
    inlines = [PhaseInline, SectionInline, QuestionInline]

    held_fields = DOCUMENT_FIELDS

    def held_by_draft(self, obj) -> bool:
        return obj is not None and hasattr(obj, "draft")

    def held_label(self, obj) -> str:
        return "This document"

    def get_prepopulated_fields(self, request, obj=None):
        if self.held_by_draft(obj):
            return {}
        return super().get_prepopulated_fields(request, obj)


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
class CommitmentAdmin(KeepsVersions, HeldByDraft, admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["reference", "title", "document", "timescale", "status"]
    list_filter = ["document", "status", "foundation"]
    search_fields = ["reference", "title", "text"]
    readonly_fields = ["year_from", "year_to"]
    inlines = [CommitmentOrganisationInline, CommitmentOutcomeInline, CommitmentMilestoneInline]

    # A commitment with a pending draft change keeps its content for the draft; its links to
    # route maps, which the draft does not carry, stay editable.
    held_fields = COMMITMENT_FIELDS

    def held_by_draft(self, obj) -> bool:
        return obj is not None and obj.pending_changes.exists()

    def held_label(self, obj) -> str:
        return f"Commitment {obj.reference}"

    def get_inlines(self, request, obj):
        if self.held_by_draft(obj):
            return [CommitmentOutcomeInline, CommitmentMilestoneInline]
        return super().get_inlines(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.held_by_draft(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """A changed status is stamped as every other write path stamps it, unless the date
        or organisation was entered here by hand (recording an earlier report)."""
        entered = {"status_updated_on", "status_updated_by"} & set(form.changed_data)
        if "status" in form.changed_data and not entered:
            stamp_status(obj, form.initial.get("status") if change else None)
        super().save_model(request, obj, form, change)
