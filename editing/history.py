"""The history page as an editor reads it: each save (every field one form changed, sharing a
save key) is one entry, headed with what was changed and where (a milestone's outcome and
year, a commitment's reference), each field by its label with the difference marked.

Route maps and source documents share it; the Drafting adapters say where their items are
(`item_contexts`) and whether a save can be restored."""

from dataclasses import dataclass, field
from itertools import groupby

from django.db import models

from core.text import cut_at_word
from editing.services import organisation_pairs
from milestones.models import Milestone, Status
from organisations.models import Organisation, Role
from outcomes.models import Outcome, ProgressEntry
from publishing.models import ChangeRecord
from sources.models import Commitment

# What the editors' forms call a field, where its record's name does not say it.
FIELD_LABELS = {
    "text": "Text",
    "due": "Due date",
    "organisations": "Responsible bodies",
    "subject_to_decisions_after_may_2026": "Subject to decisions after May 2026",
    "date_label": "Date as written",
    "linked_route_maps": "Linked route maps",
}
# Long text, shown as the words that changed (and, on request, before and after in full).
WORDED_FIELDS = {
    "text",
    "progress_note",
    "progress note",
    "statement",
    "summary",
    "introduction",
    "title",
    "what_matters",
}
# The edition of a milestone or progress entry, under the name an outcome's own has.
F_EDITION = models.F("outcome__edition_id")
HEADING_LENGTH = 90
# Route maps' change records hold an item's opening words, cut at this many characters.
STORED_LABEL_LENGTH = 80
WHERE = {"route map": "Route map details", "document": "Document details"}
YES_NO = {"True": "Yes", "False": "No"}


@dataclass(frozen=True)
class ItemContext:
    """Where an item is, as its history entry is headed: "Milestone in “Outcome”, 2027"."""

    where: str
    title: str = ""  # the item's own words, whole
    revision: int | None = None  # its revision in the editable draft; None when it is gone


@dataclass
class FieldChange:
    label: str
    before: str
    after: str
    worded: bool  # long text: its words marked

    @property
    def marked(self) -> bool:
        return self.worded and bool(self.before) and bool(self.after)


@dataclass
class Save:
    """The records of one save, in the order they were written."""

    records: list[ChangeRecord]
    context: ItemContext
    changes: list[FieldChange] = field(default_factory=list)
    restorable: bool = False

    @property
    def first(self) -> ChangeRecord:
        return self.records[0]

    @property
    def heading(self) -> str:
        record = self.first
        if self.context.title:
            return cut_at_word(self.context.title, HEADING_LENGTH)
        label = record.object_label
        if record.object_type in ("route map", "document") or record.document_id:
            return ""
        return cut_at_word(label, HEADING_LENGTH, cut=len(label) >= STORED_LABEL_LENGTH)

    @property
    def restored_fields(self) -> str:
        """What restoring puts back, as a message says it: "text and status"."""
        labels = [change.label.lower() for change in self.changes]
        if len(labels) <= 1:
            return "".join(labels)
        return ", ".join(labels[:-1]) + " and " + labels[-1]


def _capital(words: str) -> str:
    """The first letter a capital, the rest as written ("Commitment C4", not "c4")."""
    return words[:1].upper() + words[1:]


def _where(record: ChangeRecord) -> ItemContext:
    """A route map or document itself: its details when a field changed, else the whole."""
    kind = record.object_type
    return ItemContext(where=WHERE.get(kind, _capital(kind)) if record.field else _capital(kind))


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


def _organisation_slugs(records) -> set[str]:
    return {
        slug
        for record in records
        if record.route_map_id and record.field == "organisations"
        for value in (record.before, record.after)
        for slug, _ in organisation_pairs(value)
    }


def _bodies(value: str, names: dict[str, str]) -> str:
    """Route maps record bodies as "slug:role; slug:role"; people read names and roles."""
    read = []
    for slug, role in organisation_pairs(value):
        name = names.get(slug, slug)
        stated = role in Role.values and role
        read.append(f"{name} ({Role(role).label.lower()})" if stated else name)
    return "; ".join(read)


def _value(record: ChangeRecord, value: str, names: dict[str, str]) -> str:
    if record.field == "status" and value in Status.values:
        return Status(value).label
    if record.route_map_id and record.field == "organisations":
        return _bodies(value, names)
    if record.field == "subject_to_decisions_after_may_2026":
        return YES_NO.get(value, value)
    return value


def field_changes(records: list[ChangeRecord], names: dict[str, str]) -> list[FieldChange]:
    return [
        FieldChange(
            label=field_label(record.field),
            before=_value(record, record.before, names),
            after=_value(record, record.after, names),
            worded=record.field in WORDED_FIELDS,
        )
        for record in records
        if record.field
    ]


def organisation_names(records) -> dict[str, str]:
    """The names of the bodies route-map records name by slug: one query."""
    slugs = _organisation_slugs(records)
    if not slugs:
        return {}
    return dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "name"))


def saves(records, contexts: dict, restorable=lambda save: False) -> list[Save]:
    """`records` (newest first) as saves, newest first; `contexts` maps a record's object
    key (or, without one, its label) to its ItemContext."""
    records = list(records)
    names = organisation_names(records)
    grouped = []
    for _, group in groupby(records, key=lambda record: record.save_key):
        group = sorted(group, key=lambda record: record.pk)
        record = group[0]
        context = contexts.get(record.object_key or record.object_label) or _where(record)
        save = Save(records=group, context=context, changes=field_changes(group, names))
        save.restorable = restorable(save)
        grouped.append(save)
    return grouped


# ------------------------------------------------------------------ where each item is


def _keys(records, object_type: str) -> set:
    return {r.object_key for r in records if r.object_type == object_type and r.object_key}


def route_map_contexts(route_map, editable_edition_id, records) -> dict:
    """Each milestone, progress entry and outcome the records name, as the newest edition
    holding it has it (three queries at most): a milestone's outcome and year tell apart the
    same words in several outcomes. Only an item still in the editable edition has a revision
    to restore at."""
    contexts: dict = {}

    def revision(row) -> int | None:
        return row["revision"] if row["edition_id"] == editable_edition_id else None

    if keys := _keys(records, "milestone"):
        rows = (
            Milestone.objects.filter(outcome__edition__route_map=route_map, key__in=keys)
            .order_by("outcome__edition_id", "pk")
            .values("key", "text", "year", "revision", "outcome__title", edition_id=F_EDITION)
        )
        for row in rows:  # the newest edition comes last, and wins
            contexts[row["key"]] = ItemContext(
                where=f"Milestone in “{row['outcome__title']}”, {row['year']}",
                title=row["text"],
                revision=revision(row),
            )
    if keys := _keys(records, "progress"):
        rows = (
            ProgressEntry.objects.filter(outcome__edition__route_map=route_map, key__in=keys)
            .order_by("outcome__edition_id", "pk")
            .values("key", "text", "revision", "outcome__title", edition_id=F_EDITION)
        )
        for row in rows:
            contexts[row["key"]] = ItemContext(
                where=f"Progress entry in “{row['outcome__title']}”",
                title=row["text"],
                revision=revision(row),
            )
    if keys := _keys(records, "outcome"):
        rows = (
            Outcome.objects.filter(edition__route_map=route_map, key__in=keys)
            .order_by("edition_id", "pk")
            .values("key", "title", "revision", "edition_id")
        )
        for row in rows:
            contexts[row["key"]] = ItemContext(
                where="Outcome", title=row["title"], revision=revision(row)
            )
    return contexts


def document_contexts(document, records) -> dict:
    """Each commitment the records name (by its reference, "commitment 8.2"), with its
    words as published when it still is (one query)."""
    labels = {r.object_label for r in records if r.object_type == "commitment"}
    titles = dict(
        Commitment.objects.filter(
            document=document,
            reference__in=[label.removeprefix("commitment ") for label in labels],
        ).values_list("reference", "title")
    )
    contexts = {
        label: ItemContext(
            where=_capital(label),
            title=titles.get(label.removeprefix("commitment "), ""),
        )
        for label in labels
    }
    return contexts
