"""Writes for source documents: taking a consultation response from the public and moderating
it; editors' drafts of a document and its commitments, published all at once.

The rules live here (and in the models' constraints), not in the views: nothing is stored for
a closed consultation, a response whose author did not consent is never published, and the
live document and commitments change only when a draft is published.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.crypto import salted_hmac

from core import clock
from core.client import client_address  # noqa: F401 (callers use services.client_address)
from core.pagecache import bump_published_version
from core.textdiff import changed
from milestones.dates import Due
from milestones.models import DueDateMixin, Status, StatusReport, stamp_status
from organisations.models import Organisation, Role, in_kept_order
from publishing.edits import NotEditable, OrganisationChoice, refuse_if_changed
from publishing.models import ChangeRecord
from publishing.records import record_change, record_field_changes
from routemap.changes import Change
from routemap.models import Foundation
from sources.models import (
    Commitment,
    CommitmentChange,
    CommitmentChangeOrganisation,
    CommitmentOrganisation,
    ConsultationAnswer,
    ConsultationQuestion,
    ConsultationResponse,
    DocumentDraft,
    DocumentVersion,
    Phase,
    Section,
    SourceDocument,
)
from sources.signals import announce_document_published, document_draft_discarded
from sources.timescales import TimescaleError, describe_span, parse_timescale, timescale_due

# At most this many responses per address per window, across all consultations.
RATE_LIMIT = 5
RATE_WINDOW = datetime.timedelta(hours=1)
RATE_LIMIT_MESSAGE = (
    "You have sent a lot of responses from this connection in the last hour. "
    "Wait an hour and try again, or email the consultation team."
)


class ConsultationClosed(Exception):
    """The consultation has closed: responses are no longer accepted."""


def address_hash(address: str) -> str:
    """A salted, keyed hash: enough to count responses per address, useless to recover it."""
    return salted_hmac(
        "sources.consultation-response-address", address, algorithm="sha256"
    ).hexdigest()


def is_rate_limited(*, address_hash: str, now: datetime.datetime | None = None) -> bool:
    since = (now or clock.now()) - RATE_WINDOW
    recent = ConsultationResponse.objects.from_address_since(address_hash, since)
    return recent.count() >= RATE_LIMIT


@transaction.atomic
def consultation_response_submit(
    *,
    document: SourceDocument,
    respondent_type: str,
    answers: dict[ConsultationQuestion, str],
    name: str = "",
    organisation: str = "",
    consent_to_publish: bool = False,
    address_hash: str = "",
    today: datetime.date | None = None,
) -> ConsultationResponse:
    """Store a response and its non-blank answers; refuses once the consultation closed."""
    if not document.is_open(today):
        raise ConsultationClosed(document.closed_message)
    answers = {q: text.strip() for q, text in answers.items() if text and text.strip()}
    if not answers:
        raise ValidationError("Answer at least one question.")
    if any(question.document_id != document.pk for question in answers):
        raise ValidationError("Answer the questions of this consultation.")
    response = ConsultationResponse(
        document=document,
        name=name.strip(),
        organisation=organisation.strip(),
        respondent_type=respondent_type,
        consent_to_publish=consent_to_publish,
        address_hash=address_hash,
    )
    response.full_clean()
    response.save()
    ConsultationAnswer.objects.bulk_create(
        ConsultationAnswer(response=response, question=question, text=text)
        for question, text in answers.items()
    )
    return response


@transaction.atomic
def consultation_response_moderate(
    *, response: ConsultationResponse, state: str, user
) -> ConsultationResponse:
    """Publish or reject a response (ValidationError when publishing without consent)."""
    if state not in ConsultationResponse.State.values:
        raise ValidationError(f"Unknown moderation state {state!r}.")
    response = ConsultationResponse.objects.select_for_update().get(pk=response.pk)
    response.state = state
    response.moderated_by = user
    response.moderated_at = clock.now()
    response.full_clean()
    response.save(update_fields=["state", "moderated_by", "moderated_at"])
    # The document's public page lists published responses: drop cached copies.
    bump_published_version()
    transaction.on_commit(bump_published_version)
    return response


# ------------------------------------------------------------------------ document drafts
# Editors change a document and its commitments in a DocumentDraft; the live rows change only
# in document_publish. Every write locks the document's row first, so a save arriving during a
# publish waits and then lands in a fresh draft.

COMMITMENT_FIELDS = [
    "title",
    "text",
    "timescale",
    "status",
    "progress_note",
    "section",
    "phase",
    "foundation",
    "status_updated_on",
    "status_updated_by",
]
DOCUMENT_FIELDS = ["title", "summary", "introduction", "url", "closes_on"]
# Long text is described as "reworded" rather than quoted in the list of changes.
REWORDED_FIELDS = {"text", "progress note", "summary", "introduction"}

Action = ChangeRecord.Action


@dataclass
class EditableCommitment(StatusReport, DueDateMixin):
    """A commitment as editors see it: the draft's proposed values when there are any, else the
    live ones. `key` is "c<commitment pk>" for a live commitment, "n<change pk>" for a new one."""

    key: str
    commitment: Commitment | None
    change: CommitmentChange | None
    reference: str
    title: str
    text: str
    timescale: str
    status: str
    progress_note: str
    section: Section | None
    phase: Phase | None
    foundation: Foundation | None
    status_updated_on: datetime.date | None = None
    status_updated_by: Organisation | None = None
    organisations: list[OrganisationChoice] = field(default_factory=list)

    @property
    def revision(self) -> int:
        """Goes up with every save and survives a publish (as a milestone's does), so a form
        opened before a publish is not refused by it."""
        if self.change is not None:
            return self.change.revision
        return self.commitment.revision if self.commitment is not None else 0

    @property
    def state(self) -> str:
        """ "added", "removed", "changed" (in the draft) or "" (as published)."""
        if self.change is None:
            return ""
        if self.change.removed:
            return "removed"
        return "changed" if self.commitment else "added"

    @property
    def heading(self) -> str:
        return f"{self.reference} {self.title}".strip()

    @property
    def subject(self) -> str:
        return f"commitment {self.reference}"

    def get_status_display(self) -> str:
        return Status(self.status).label

    @property
    def span_label(self) -> str:
        try:
            return describe_span(parse_timescale(self.timescale))
        except TimescaleError:
            return ""

    @property
    def due(self) -> Due | None:
        """What the draft's timescale will make the due date once published."""
        try:
            return timescale_due(self.timescale)
        except TimescaleError:
            return None

    def snapshot(self) -> dict[str, str]:
        """Every field as people read it, for the history and the list of changes."""
        return {
            "title": self.title,
            "text": self.text,
            "timescale": self.timescale,
            "status": self.get_status_display(),
            "progress note": self.progress_note,
            "section": str(self.section) if self.section else "",
            "phase": str(self.phase) if self.phase else "",
            "foundation": self.foundation.name if self.foundation else "",
            "organisations": "; ".join(
                c.organisation.name + (f" ({Role(c.role).label.lower()})" if c.role else "")
                for c in self.organisations
            ),
        }


def _from_commitment(commitment: Commitment) -> EditableCommitment:
    return EditableCommitment(
        key=commitment_key(commitment.pk),
        commitment=commitment,
        change=None,
        reference=commitment.reference,
        **{name: getattr(commitment, name) for name in COMMITMENT_FIELDS},
        organisations=[
            OrganisationChoice(link.organisation, link.role)
            for link in commitment.organisation_links.all()
        ],
    )


def _from_change(
    change: CommitmentChange, organisations: list[OrganisationChoice] | None = None
) -> EditableCommitment:
    """The change's values; its bodies are `organisations` when given (a form's, not yet
    saved), else its links (fetch changes `with_context()`)."""
    if organisations is None:
        organisations = [
            OrganisationChoice(link.organisation, link.role)
            for link in change.organisation_links.all()
        ]
    return EditableCommitment(
        key=commitment_key(change.commitment_id) if change.commitment_id else f"n{change.pk}",
        commitment=change.commitment,
        change=change,
        reference=change.reference,
        **{name: getattr(change, name) for name in COMMITMENT_FIELDS},
        organisations=list(organisations),
    )


def document_draft(document: SourceDocument) -> DocumentDraft | None:
    return DocumentDraft.objects.filter(document=document).first()


def editable_commitments(
    document: SourceDocument, draft: DocumentDraft | None
) -> list[tuple[EditableCommitment, EditableCommitment | None]]:
    """(draft-if-any values, live values or None) for every commitment of the document, in
    document order with added ones last; a fixed number of queries."""
    live = list(Commitment.objects.filter(document=document).with_context().order_by("order", "pk"))
    changes = []
    if draft is not None:
        changes = list(draft.changes.with_context().select_related("commitment"))
    by_commitment = {c.commitment_id: c for c in changes if c.commitment_id}
    rows = []
    for commitment in live:
        published = _from_commitment(commitment)
        change = by_commitment.get(commitment.pk)
        if change is not None:
            change.commitment = commitment
            rows.append((_from_change(change), published))
        else:
            rows.append((published, published))
    rows += [(_from_change(c), None) for c in changes if not c.commitment_id]
    return rows


def editable_commitment(document: SourceDocument, draft, key: str) -> EditableCommitment:
    """One commitment by its key (see EditableCommitment); NotEditable when not found."""
    kind, number = key[:1], key[1:]
    if kind not in ("c", "n") or not number.isdigit():
        raise NotEditable("No such commitment in this document.")
    changes = draft.changes.with_context() if draft else None
    if kind == "c":
        commitment = (
            Commitment.objects.filter(document=document, pk=int(number)).with_context().first()
        )
        if commitment is None:
            raise NotEditable("No such commitment in this document.")
        change = changes.filter(commitment=commitment).first() if changes is not None else None
        if change is None:
            return _from_commitment(commitment)
        change.commitment = commitment
    else:
        change = (
            changes.filter(pk=int(number), commitment=None).first() if changes is not None else None
        )
        if change is None:
            raise NotEditable("No such commitment in this document.")
    return _from_change(change)


def current_commitments(commitments) -> dict[int, EditableCommitment]:
    """Each live commitment as editors now see it (its draft's values when its document's
    draft changes it), by pk; three queries whatever the number. Prefetch the commitments'
    `organisation_links__organisation` for those not changed in a draft."""
    commitments = list(commitments)
    changes = list(
        CommitmentChange.objects.filter(commitment__in=[c.pk for c in commitments]).with_context()
    )
    by_commitment = {change.commitment_id: change for change in changes}
    current = {}
    for commitment in commitments:
        change = by_commitment.get(commitment.pk)
        if change is None:
            current[commitment.pk] = _from_commitment(commitment)
        else:
            change.commitment = commitment
            current[commitment.pk] = _from_change(change)
    return current


def document_lock(document: SourceDocument) -> SourceDocument:
    """The document's row, locked: every write to a document and its draft takes it first."""
    return SourceDocument.objects.select_for_update().get(pk=document.pk)


def commitment_key(commitment_id: int) -> str:
    """The key an editor's form and `editable_commitment` use for a live commitment."""
    return f"c{commitment_id}"


def _ensure_draft(document: SourceDocument, user) -> DocumentDraft:
    """The document's draft, started from its live fields on the first change."""
    draft = document_draft(document)
    if draft is None:
        draft = DocumentDraft.objects.create(
            document=document,
            created_by=user,
            **{name: getattr(document, name) for name in DOCUMENT_FIELDS},
        )
    return draft


def _set_change_organisations(
    change: CommitmentChange, organisations: list[OrganisationChoice]
) -> None:
    """The change's bodies become `organisations`, in that order."""
    CommitmentChangeOrganisation.objects.filter(change=change).delete()
    CommitmentChangeOrganisation.objects.bulk_create(
        CommitmentChangeOrganisation(
            change=change, organisation=c.organisation, role=c.role, order=order
        )
        for order, c in enumerate(organisations, start=1)
    )


def _apply(
    change: CommitmentChange,
    values: dict,
    organisations,
    previous_status: str | None,
    *,
    status_by: Organisation | None = None,
    status_on: datetime.date | None = None,
) -> EditableCommitment:
    """Put the form's values on the change; a changed status is stamped with `status_on`
    (default today) and `status_by` (default None: Promise Scotland, as editors are)."""
    for name, value in values.items():
        setattr(change, name, value)
    stamp_status(change, previous_status, by=status_by, on=status_on)
    change.full_clean(exclude=["draft"])
    return _from_change(change, organisations)


def commitment_conflict_records(document, item: EditableCommitment):
    """The newest changes to a commitment, for an editor whose save was refused."""
    return (
        ChangeRecord.objects.filter(document=document, object_label=item.subject)
        .exclude(action=Action.PUBLISHED)
        .newest_first()[:5]
    )


@transaction.atomic
def commitment_draft_save(
    *,
    document: SourceDocument,
    key: str,
    user,
    values: dict,
    organisations: list[OrganisationChoice],
    expected_revision: int,
    status_by: Organisation | None = None,
    status_on: datetime.date | None = None,
) -> EditableCommitment:
    """Save an editor's changes to one commitment in the draft, refusing (EditConflict) when
    someone else saved it after this editor opened it. Saving the live values starts no draft.
    A changed status is credited as in `_apply`; an accepted partner update passes the
    partner and the day they reported."""
    document = document_lock(document)
    draft = document_draft(document)
    item = editable_commitment(document, draft, key)
    if item.state == "removed":
        raise NotEditable("This commitment is removed in the draft.")
    refuse_if_changed(item, expected_revision, commitment_conflict_records(document, item))
    before = item.snapshot()
    change = item.change or CommitmentChange(
        commitment=item.commitment,
        reference=item.reference,
        revision=item.revision,
        status_updated_on=item.status_updated_on,
        status_updated_by=item.status_updated_by,
    )
    # The form lists bodies by role; keep the order the document gives, new ones last.
    organisations = in_kept_order(
        organisations,
        [(c.organisation.pk, c.role) for c in item.organisations],
        key=lambda c: (c.organisation.pk, c.role),
    )
    after = _apply(
        change,
        values,
        organisations,
        previous_status=item.status,
        status_by=status_by,
        status_on=status_on,
    )
    if after.snapshot() == before:
        return item
    change.draft = draft or _ensure_draft(document, user)
    change.revision += 1
    change.save()
    _set_change_organisations(change, organisations)
    record_field_changes(
        document=document,
        user=user,
        object_type="commitment",
        object_label=item.subject,
        before=before,
        after=after.snapshot(),
    )
    return _from_change(change, organisations)


@transaction.atomic
def commitment_draft_add(
    *, document: SourceDocument, user, reference: str, values: dict, organisations
) -> EditableCommitment:
    """A new commitment in the draft (ValidationError when its reference is taken)."""
    document = document_lock(document)
    reference = reference.strip()
    draft = _ensure_draft(document, user)
    taken = Commitment.objects.filter(document=document, reference=reference).exists() or (
        draft.changes.filter(commitment=None, reference=reference).exists()
    )
    if taken:
        raise ValidationError({"reference": f"This document already has a commitment {reference}."})
    change = CommitmentChange(draft=draft, reference=reference)
    item = _apply(change, values, organisations, previous_status=None)
    change.save()
    _set_change_organisations(change, organisations)
    record_change(
        document=document,
        user=user,
        action=Action.ADDED,
        object_type="commitment",
        object_label=item.subject,
        field="text",
        after=change.text,
    )
    return _from_change(change, organisations)


@transaction.atomic
def commitment_draft_remove(*, document: SourceDocument, key: str, user) -> None:
    """Mark a published commitment for removal, or drop one that was only added in the draft."""
    document = document_lock(document)
    draft = _ensure_draft(document, user)
    item = editable_commitment(document, draft, key)
    if item.state == "removed":
        raise NotEditable("This commitment is already removed in the draft.")
    record_change(
        document=document,
        user=user,
        action=Action.REMOVED,
        object_type="commitment",
        object_label=item.subject,
        field="text",
        before=item.text,
    )
    if item.commitment is None:
        item.change.delete()
        return
    change = item.change or CommitmentChange(
        draft=draft,
        commitment=item.commitment,
        reference=item.reference,
        revision=item.revision,
        **{name: getattr(item, name) for name in COMMITMENT_FIELDS},
    )
    change.removed = True
    change.revision += 1
    change.save()
    if item.change is None:
        _set_change_organisations(change, item.organisations)


def _document_snapshot(source) -> dict[str, str]:
    values = {name: getattr(source, name) for name in DOCUMENT_FIELDS}
    closes_on = values.pop("closes_on")
    values["closing date"] = f"{closes_on.day} {closes_on:%B %Y}" if closes_on else ""
    values["link"] = values.pop("url")
    return {name: value or "" for name, value in values.items()}


@transaction.atomic
def document_draft_update(*, document: SourceDocument, user, values: dict) -> DocumentDraft:
    """The document's own fields (title, summary, introduction, link, closing date)."""
    document = document_lock(document)
    draft = _ensure_draft(document, user)
    before = _document_snapshot(draft)
    for name, value in values.items():
        setattr(draft, name, value)
    proposed = SourceDocument(kind=document.kind, closes_on=draft.closes_on)
    proposed.clean()
    draft.full_clean(exclude=["document"])
    draft.save()
    record_field_changes(
        document=document,
        user=user,
        object_type="document",
        object_label="document",
        before=before,
        after=_document_snapshot(draft),
    )
    return draft


def describe_draft(document: SourceDocument, draft: DocumentDraft | None) -> list[Change]:
    """The draft's differences from the live document, in plain words."""
    if draft is None:
        return []
    rows = editable_commitments(document, draft)
    live = {
        "document": _document_snapshot(document),
        "commitments": [_content_entry(published) for _, published in rows if published],
    }
    proposed = {
        "document": _document_snapshot(draft),
        "commitments": [_content_entry(item) for item, _ in rows if item.state != "removed"],
    }
    return describe_content_changes(live, proposed)


# ---------------------------------------------------------------------- published versions
# Every publish keeps the document as it then read (DocumentVersion.content); one describer
# says what changed between a live document and its draft, or between any two versions.


def _content_entry(item: EditableCommitment) -> dict:
    return {"key": item.key, "reference": item.reference, "fields": item.snapshot()}


def document_content(document: SourceDocument) -> dict:
    """The live document and its commitments as people read them, for a DocumentVersion."""
    commitments = (
        Commitment.objects.filter(document=document).with_context().order_by("order", "pk")
    )
    return {
        "document": _document_snapshot(document),
        "commitments": [_content_entry(_from_commitment(c)) for c in commitments],
    }


def _named(entry: dict) -> str:
    return entry["fields"].get("title") or entry["fields"].get("text", "")[:80]


def describe_content_changes(old: dict, new: dict) -> list[Change]:
    """What changed from `old` to `new` (each as `document_content` gives it), in plain
    words, as route maps' changes are told (routemap.changes.Change, so one list template
    shows both): the document's fields, then commitments in document order, added last."""
    changes = []
    for name, before in old.get("document", {}).items():
        changes += _describe_field("Document", name, before, new["document"].get(name, ""))
    now = {entry["key"]: entry for entry in new.get("commitments", [])}
    for entry in old.get("commitments", []):
        after = now.pop(entry["key"], None)
        if after is None:
            changes.append(_commitment_change("removed", entry))
            continue
        label = f"Commitment {after['reference']}"
        for name, before in entry["fields"].items():
            changes += _describe_field(label, name, before, after["fields"].get(name, ""))
    changes += [_commitment_change("added", entry) for entry in now.values()]
    return changes


def _commitment_change(kind: str, entry: dict) -> Change:
    description = f"Commitment {entry['reference']} {kind}: {_named(entry)}"
    return Change(kind=kind, subject="commitment", outcome="", description=description)


def latest_versions(document: SourceDocument, limit: int) -> list[DocumentVersion]:
    """The newest `limit` published versions, each with `changes`: what it changed from the
    version before, or None for the first (or when the one before is past the limit). The
    Changes page and the feed both read them."""
    # One more than asked for: the oldest listed is compared with the one before it.
    versions = list(document.versions.newest_first()[: limit + 1])
    for version, previous in zip(versions[:limit], [*versions[1:], None], strict=False):
        version.changes = (
            describe_content_changes(previous.content, version.content) if previous else None
        )
    return versions[:limit]


def document_version_record(
    *, document: SourceDocument, user=None, note: str, imported_from: str = ""
) -> DocumentVersion:
    """Keep the live document as a new published version (call with the document locked, as
    publishing does, so two publishes never take the same number)."""
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        published_at=clock.now(),
        published_by=user,
        change_note=note,
        imported_from=imported_from,
        content=document_content(document),
    )


def _describe_field(label: str, name: str, old: str, new: str) -> list[Change]:
    if not changed(old, new):  # line endings alone are no change, as for route maps
        return []
    subject = "document" if label == "Document" else "commitment"
    if name in REWORDED_FIELDS:
        description = f"{label}: {name} reworded"
        return [Change("reworded", subject, "", description, old_text=old, new_text=new)]
    description = f"{label}: {name} {old or '(none)'} → {new or '(none)'}"
    return [Change("updated", subject, "", description)]


ADMIN_NOTE = "Changed in the site administration."


@transaction.atomic
def document_version_if_changed(*, document: SourceDocument, user, note: str = ADMIN_NOTE):
    """A new version when the live document no longer reads as its latest version (after an
    edit in the site administration, which changes live rows without a draft), so the
    Changes page accounts for every change the public saw. Documents not shown keep none.
    Returns the new version, or None."""
    document = document_lock(document)
    if not document.is_published:
        return None
    latest = document.versions.newest_first().first()
    if latest is not None and latest.content == document_content(document):
        return None
    return document_version_record(document=document, user=user, note=note)


@transaction.atomic
def document_publish(*, document: SourceDocument, user, note: str) -> SourceDocument:
    """Apply every pending change to the live rows, all or nothing, then drop the draft.

    year_from/year_to follow the timescale (Commitment.save), the document's "last updated"
    date is stamped, history records the publish, and cached public pages are refreshed."""
    document = document_lock(document)
    draft = DocumentDraft.objects.select_for_update().filter(document=document).first()
    if draft is None:
        raise NotEditable("There are no unpublished changes to publish.")
    changes = list(
        draft.changes.select_related("commitment", "status_updated_by").prefetch_related(
            "organisation_links"
        )
    )
    for name in DOCUMENT_FIELDS:
        setattr(document, name, getattr(draft, name))
    document.last_updated = clock.today()
    document.full_clean()
    document.save()
    for change in changes:
        if change.removed and change.commitment is not None:
            change.commitment.delete()
    next_order = (document.commitments.aggregate(n=Max("order"))["n"] or 0) + 1
    for change in changes:
        if change.removed:
            continue
        commitment = change.commitment
        if commitment is None:
            commitment = Commitment(document=document, reference=change.reference, order=next_order)
            next_order += 1
        for name in COMMITMENT_FIELDS:
            setattr(commitment, name, getattr(change, name))
        commitment.revision = change.revision
        commitment.full_clean()
        commitment.save()
        CommitmentOrganisation.objects.filter(commitment=commitment).delete()
        CommitmentOrganisation.objects.bulk_create(
            CommitmentOrganisation(
                commitment=commitment,
                organisation_id=link.organisation_id,
                role=link.role,
                order=order,
            )
            for order, link in enumerate(change.organisation_links.all(), start=1)
        )
    document_version_record(document=document, user=user, note=note)
    record_change(
        document=document,
        user=user,
        action=Action.PUBLISHED,
        object_type="document",
        object_label="document",
        after=note,
    )
    draft.delete()
    bump_published_version()
    transaction.on_commit(bump_published_version)
    announce_document_published(document=document, published_at=clock.now())
    return document


@transaction.atomic
def document_draft_discard(*, document: SourceDocument, user) -> None:
    document = document_lock(document)
    draft = DocumentDraft.objects.select_for_update().filter(document=document).first()
    if draft is None:
        raise NotEditable("There is no draft to discard.")
    record_change(
        document=document,
        user=user,
        action=Action.DISCARDED,
        object_type="document",
        object_label="document",
    )
    document_draft_discarded.send(sender=SourceDocument, document=document)
    draft.delete()
