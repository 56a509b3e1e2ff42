"""Forms for editing a source document and its commitments in a draft."""

from django import forms

from core.forms import DesignSystemForm
from editing.conflicts import RemembersOpened
from editing.forms import (
    ResponsibleBodiesMixin,
    item_text_field,
    progress_note_field,
    publish_note_field,
    status_field,
)
from routemap.models import Foundation
from sources.models import Phase, Section, SourceDocument
from sources.services import COMMITMENT_FIELDS
from sources.timescales import TimescaleError, parse_timescale


def _optional_choice(queryset, label: str, invalid: str) -> forms.ModelChoiceField:
    """A list to choose one from, or "None"."""
    return forms.ModelChoiceField(
        queryset,
        required=False,
        label=label,
        empty_label="None",
        error_messages={"invalid_choice": invalid},
    )


class CommitmentForm(RemembersOpened, ResponsibleBodiesMixin):
    """One commitment's proposed values; `reference` only when adding one (a published
    commitment keeps the reference printed in the document)."""

    reference = forms.CharField(
        max_length=30,
        label="Reference",
        help_text="As printed in the document, for example “8.12” or “Voice 4”.",
        error_messages={"required": "Enter the commitment's reference."},
    )
    title = forms.CharField(max_length=300, required=False, label="Title")
    text = item_text_field(
        label="What the document commits to", required_message="Enter the commitment text."
    )
    timescale = forms.CharField(
        max_length=100,
        required=False,
        label="Timescale as printed",
        help_text="For example “Autumn 2025”, “2025-26” or “2025-28”. Leave it empty when "
        "the document gives none.",
    )
    status = status_field()
    progress_note = progress_note_field()
    section = _optional_choice(
        Section.objects.none(), "Section of the document", "Choose a section of this document."
    )
    phase = _optional_choice(
        Phase.objects.none(), "Delivery phase", "Choose a phase of this document."
    )
    foundation = _optional_choice(
        Foundation.objects.all(), "Foundation", "Choose a foundation from the list."
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # In the order a commitment's values are kept; who set the status is stamped, not typed.
    field_order = [
        "reference",
        *(name for name in COMMITMENT_FIELDS if not name.startswith("status_updated")),
    ]

    def __init__(self, *args, document: SourceDocument, adding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = document.sections.all()
        self.fields["phase"].queryset = document.phases.all()
        if adding:
            del self.fields["revision"]
            del self.fields["opened"]
        else:
            del self.fields["reference"]

    def clean_timescale(self) -> str:
        text = self.cleaned_data["timescale"].strip()
        try:
            parse_timescale(text)
        except TimescaleError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return text

    def clean_revision(self) -> int:
        return self.cleaned_data["revision"] or 0

    @classmethod
    def initial_for(cls, item) -> dict:
        return {
            "title": item.title,
            "text": item.text,
            "timescale": item.timescale,
            "status": item.status,
            "progress_note": item.progress_note,
            "section": item.section.pk if item.section else None,
            "phase": item.phase.pk if item.phase else None,
            "foundation": item.foundation.pk if item.foundation else None,
            "revision": item.revision,
            **cls.initial_for_links([_Link(c.organisation.pk, c.role) for c in item.organisations]),
        }

    def values(self) -> dict:
        names = ["title", "text", "timescale", "status", "progress_note"]
        names += ["section", "phase", "foundation"]
        return {name: self.cleaned_data[name] for name in names}


class _Link:
    def __init__(self, organisation_id, role):
        self.organisation_id, self.role = organisation_id, role


class DocumentForm(DesignSystemForm):
    """The document's own fields; the closing date only for a consultation."""

    prefix = "document"

    title = forms.CharField(
        max_length=300, label="Title", error_messages={"required": "Enter the document's title."}
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Summary",
        help_text="What the document is, as it says itself.",
    )
    introduction = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Introduction"
    )
    url = forms.URLField(
        required=False,
        label="Link to the document",
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, for example https://www.gov.scot/..."},
    )
    closes_on = forms.DateField(
        label="Closing date",
        help_text="The last day responses are accepted, for example 2026-03-31.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": "Enter a real date, for example 2026-03-31.",
            "required": "Enter the date the consultation closes.",
        },
    )

    def __init__(self, *args, document: SourceDocument, **kwargs):
        super().__init__(*args, **kwargs)
        if not document.is_consultation:
            del self.fields["closes_on"]

    @classmethod
    def initial_for(cls, source) -> dict:
        return {
            name: getattr(source, name)
            for name in ("title", "summary", "introduction", "url", "closes_on")
        }

    def values(self) -> dict:
        return dict(self.cleaned_data)


class PublishForm(DesignSystemForm):
    note = publish_note_field(
        help_text="Kept in the document's history of changes.",
        required_message="Enter what changed.",
    )
