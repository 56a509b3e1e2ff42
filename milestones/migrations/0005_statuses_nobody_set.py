"""Milestones showed "Not started" because it was the default, not because anyone said so.

Every milestone row (live, earlier versions and drafts alike) whose "Not started" nobody set
becomes "No update yet". Someone set a status when an editor's change record shows the status
being changed to it (editing.ChangeRecord, field "status", in that version or an earlier one of
the route map; a discarded draft's records have no edition and do not count), or a partner's
accepted update proposed it. The latest of those events before the row's version says who set
the status and when, so it fills in `status_updated_on` and `status_updated_by` for any status
it explains; a status nothing explains keeps no date ("date not recorded").

An update accepted into a draft reaches every version published after it was accepted (and
the current draft): partner updates name no edition, so their time is compared.
"""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

NOT_STARTED, NO_UPDATE = "not_started", "no_update"
BATCH = 500


def _events(apps) -> dict:
    """{(route map id, milestone key): [(when, status, day, organisation id, edition id or
    None, accepted at or None)]} in time order."""
    ChangeRecord = apps.get_model("editing", "ChangeRecord")
    ProgressUpdate = apps.get_model("partners", "ProgressUpdate")
    events = defaultdict(list)
    records = ChangeRecord.objects.filter(
        object_type="milestone", field="status", edition__isnull=False
    ).values_list("route_map_id", "object_key", "created_at", "after", "edition_id")
    for route_map_id, key, created_at, after, edition_id in records:
        day = timezone.localdate(created_at)
        events[(route_map_id, key)].append((created_at, after, day, None, edition_id, None))
    updates = ProgressUpdate.objects.filter(state="accepted", reviewed_at__isnull=False)
    for route_map_id, key, reviewed_at, status, created_at, organisation_id in updates.values_list(
        "route_map_id",
        "milestone_key",
        "reviewed_at",
        "proposed_status",
        "created_at",
        "organisation_id",
    ):
        day = timezone.localdate(created_at)  # the day the partner reported it
        events[(route_map_id, key)].append(
            (reviewed_at, status, day, organisation_id, None, reviewed_at)
        )
    for items in events.values():
        items.sort(key=lambda event: event[0])
    return events


def _applies(event, edition_id: int, published_at) -> bool:
    """Whether the event reached the version `edition_id` (published at `published_at`)."""
    _, _, _, _, event_edition, accepted_at = event
    if accepted_at is None:
        return event_edition <= edition_id
    return published_at is None or published_at >= accepted_at


def settle_milestone_statuses(apps, schema_editor=None) -> None:
    Milestone = apps.get_model("milestones", "Milestone")
    Edition = apps.get_model("routemap", "Edition")
    events = _events(apps)
    editions = dict(Edition.objects.values_list("pk", "published_at"))
    rows = Milestone.objects.exclude(status=NO_UPDATE).select_related("outcome__edition")
    changed = []
    for milestone in rows.iterator(chunk_size=BATCH):
        edition = milestone.outcome.edition
        route_map_id = edition.route_map_id
        applicable = [
            event
            for event in events.get((route_map_id, milestone.key), [])
            if _applies(event, edition.pk, editions[edition.pk])
        ]
        latest = applicable[-1] if applicable else None
        if latest is not None and latest[1] == milestone.status:
            milestone.status_updated_on, milestone.status_updated_by_id = latest[2], latest[3]
        elif milestone.status == NOT_STARTED:
            milestone.status = NO_UPDATE
            milestone.status_updated_on, milestone.status_updated_by_id = None, None
        else:
            continue
        changed.append(milestone)
    Milestone.objects.bulk_update(
        changed, ["status", "status_updated_on", "status_updated_by"], batch_size=BATCH
    )


def back_to_not_started(apps, schema_editor=None) -> None:
    """Reversing: "No update yet" did not exist, so it reads "Not started" again."""
    Milestone = apps.get_model("milestones", "Milestone")
    Milestone.objects.filter(status=NO_UPDATE).update(status=NOT_STARTED)


class Migration(migrations.Migration):
    dependencies = [
        ("milestones", "0004_status_no_update_and_who_set_it"),
        ("editing", "0001_initial"),
        ("partners", "0003_status_no_update_choice"),
        ("routemap", "0004_plain_constraint_messages"),
    ]

    operations = [migrations.RunPython(settle_milestone_statuses, back_to_not_started)]
