# The records of one save share a save key, so the history shows a save as one entry and
# restores it in one step. Records written before are grouped as they were saved: the same
# thing (route map or document, edition, item, action), by the same person, within the same
# second; every other record is a save of its own.

import uuid

from django.db import migrations, models


def _save_of(record) -> tuple:
    return (
        record.route_map_id,
        record.document_id,
        record.edition_id,
        record.user_id,
        record.action,
        record.object_type,
        record.object_key,
        record.object_label,
        record.created_at.replace(microsecond=0),
    )


def group_saves(apps, schema_editor):
    ChangeRecord = apps.get_model("publishing", "ChangeRecord")
    keys: dict[tuple, uuid.UUID] = {}
    batch = []
    for record in ChangeRecord.objects.order_by("pk").iterator(chunk_size=2000):
        save = _save_of(record)
        # A field changed twice in one second is two saves.
        fields = keys.setdefault(save, (uuid.uuid4(), set()))
        if record.field in fields[1]:
            fields = keys[save] = (uuid.uuid4(), set())
        fields[1].add(record.field)
        record.save_key = fields[0]
        batch.append(record)
        if len(batch) >= 2000:
            ChangeRecord.objects.bulk_update(batch, ["save_key"])
            batch = []
    ChangeRecord.objects.bulk_update(batch, ["save_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0002_one_change_record"),
    ]

    operations = [
        migrations.AddField(
            model_name="changerecord",
            name="save_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(group_saves, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="changerecord",
            name="save_key",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
    ]
