"""Commitments showed "Not started" because it was the default, not because anyone said so.

A commitment's "Not started" becomes "No update yet" unless an editor set it: a change record
(SourceChangeRecord, field "status") shows the status changed to it in a draft that was then
published (the next publish or discard of the document after the record is a publish). The
latest such change also dates any other status it explains, credited to Promise Scotland
(commitments have no partner updates); a status nothing explains keeps no date.

Pending drafts (CommitmentChange) follow the same rule with the draft's own, not yet published,
records; a change proposing the live status keeps the live status's date.
"""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

NOT_STARTED, NO_UPDATE = "not_started", "no_update"
# Change records hold statuses as people read them, in the words of the time.
LABELS = {
    "Not started": "not_started",
    "In progress": "in_progress",
    "Achieved": "achieved",
    "Delayed": "delayed",
    "No longer planned": "no_longer_planned",
}
PUBLISHED, DISCARDED = "published", "discarded"
BATCH = 500


def _status_changes(apps) -> tuple[dict, dict]:
    """({(document id, subject): [(day, status)]} published, the same for pending drafts),
    each in time order."""
    SourceChangeRecord = apps.get_model("sources", "SourceChangeRecord")
    published, pending = defaultdict(list), defaultdict(list)
    rows = SourceChangeRecord.objects.filter(
        field__in=["status", ""], action__in=["changed", PUBLISHED, DISCARDED]
    ).order_by("document_id", "created_at", "pk")
    waiting = defaultdict(list)  # changes not yet published or discarded, per document
    for record in rows.iterator(chunk_size=BATCH):
        if record.action in (PUBLISHED, DISCARDED):
            if record.action == PUBLISHED:
                for key, event in waiting[record.document_id]:
                    published[key].append(event)
            waiting[record.document_id] = []
        elif record.field == "status" and record.after in LABELS:
            event = (timezone.localdate(record.created_at), LABELS[record.after])
            waiting[record.document_id].append(((record.document_id, record.subject), event))
    for changes in waiting.values():
        for key, event in changes:
            pending[key].append(event)
    return published, pending


def _settle(item, events: list, fallback=None) -> bool:
    """Date the item's status from the latest event, or "No update yet" for an unexplained
    "Not started"; True when the item changed. `fallback` is (status, day, by) to keep."""
    latest = events[-1] if events else None
    if latest is not None and latest[1] == item.status:
        item.status_updated_on, item.status_updated_by_id = latest[0], None
    elif fallback is not None and fallback[0] == item.status:
        item.status_updated_on, item.status_updated_by_id = fallback[1], fallback[2]
    elif item.status == NOT_STARTED:
        item.status = NO_UPDATE
        item.status_updated_on, item.status_updated_by_id = None, None
    else:
        return False
    return True


def settle_commitment_statuses(apps, schema_editor=None) -> None:
    Commitment = apps.get_model("sources", "Commitment")
    CommitmentChange = apps.get_model("sources", "CommitmentChange")
    published, pending = _status_changes(apps)
    fields = ["status", "status_updated_on", "status_updated_by"]

    changed, live = [], {}
    for commitment in Commitment.objects.exclude(status=NO_UPDATE).iterator(chunk_size=BATCH):
        key = (commitment.document_id, f"commitment {commitment.reference}")
        if _settle(commitment, published.get(key, [])):
            changed.append(commitment)
    Commitment.objects.bulk_update(changed, fields, batch_size=BATCH)
    for pk, status, day, by in Commitment.objects.values_list(
        "pk", "status", "status_updated_on", "status_updated_by_id"
    ):
        live[pk] = (status, day, by)

    changed = []
    drafts = CommitmentChange.objects.exclude(status=NO_UPDATE).select_related("draft")
    for change in drafts.iterator(chunk_size=BATCH):
        key = (change.draft.document_id, f"commitment {change.reference}")
        if _settle(change, pending.get(key, []), live.get(change.commitment_id)):
            changed.append(change)
    CommitmentChange.objects.bulk_update(changed, fields, batch_size=BATCH)


def back_to_not_started(apps, schema_editor=None) -> None:
    """Reversing: "No update yet" did not exist, so it reads "Not started" again."""
    for name in ("Commitment", "CommitmentChange"):
        model = apps.get_model("sources", name)
        model.objects.filter(status=NO_UPDATE).update(status=NOT_STARTED)


class Migration(migrations.Migration):
    dependencies = [("sources", "0006_status_no_update_and_who_set_it")]

    operations = [migrations.RunPython(settle_commitment_statuses, back_to_not_started)]
