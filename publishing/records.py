"""Writing the one change record (publishing.models.ChangeRecord), whether the draft is a
route map's or a source document's: one record, and one record per changed field, the
records of one save sharing its save key."""

import uuid

from publishing.models import ChangeRecord


def change_record(
    *,
    route_map=None,
    document=None,
    edition=None,
    user,
    action: str,
    object_type: str,
    object_key=None,
    object_label: str = "",
    field: str = "",
    before: str = "",
    after: str = "",
    save_key: uuid.UUID | None = None,
) -> ChangeRecord:
    """An unsaved record of a change to `route_map` or `document` (the CSV import saves
    thousands of them in one query); a save of its own unless `save_key` names one."""
    return ChangeRecord(  # ids rather than objects: quicker, by thousands
        route_map_id=route_map.pk if route_map else None,
        document_id=document.pk if document else None,
        edition_id=edition.pk if edition else None,
        user_id=user.pk if user else None,
        action=action,
        object_type=object_type,
        object_key=object_key,
        object_label=object_label[:200],
        field=field,
        before=before,
        after=after,
        save_key=save_key or uuid.uuid4(),
    )


def record_change(**about) -> ChangeRecord:
    """A record (`about`: change_record's arguments), saved."""
    record = change_record(**about)
    record.save()
    return record


def field_change_records(
    *, before: dict, after: dict, action: str = ChangeRecord.Action.CHANGED, **about
) -> list[ChangeRecord]:
    """Unsaved records of the fields whose snapshot value differs, in the snapshot's order,
    as one save (`about`: change_record's other arguments)."""
    save_key = uuid.uuid4()
    return [
        change_record(**about, action=action, field=name, before=old, after=new, save_key=save_key)
        for name, old in before.items()
        if old != (new := after[name])
    ]


def record_field_changes(**kwargs) -> list[ChangeRecord]:
    """field_change_records, saved."""
    records = field_change_records(**kwargs)
    for record in records:
        record.save()
    return records
