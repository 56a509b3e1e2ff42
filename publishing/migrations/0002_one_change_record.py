# One change record for route maps and source documents: the records of document drafts
# (sources.SourceChangeRecord) move in, with their dates, authors and values; sources 0010
# then drops their old table.

import django.db.models.deletion
from django.db import migrations, models


def _object_type(subject: str) -> str:
    return "commitment" if subject.startswith("commitment") else "document"


def move_document_records(apps, schema_editor):
    Old = apps.get_model("sources", "SourceChangeRecord")
    ChangeRecord = apps.get_model("publishing", "ChangeRecord")
    for old in Old.objects.order_by("pk").iterator():
        record = ChangeRecord.objects.create(
            document_id=old.document_id,
            user_id=old.user_id,
            action=old.action,
            object_type=_object_type(old.subject),
            object_label=old.subject,
            field=old.field,
            before=old.before,
            after=old.after,
        )
        # created_at is set on creation: keep the original moment.
        ChangeRecord.objects.filter(pk=record.pk).update(created_at=old.created_at)
    _check_now(schema_editor)


def _check_now(schema_editor):
    """PostgreSQL checks the new rows' foreign keys at commit, and until then refuses to
    alter their table ("pending trigger events"), which the operations after the move do:
    check them now, so a site with document history can upgrade (and downgrade)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def move_document_records_back(apps, schema_editor):
    Old = apps.get_model("sources", "SourceChangeRecord")
    ChangeRecord = apps.get_model("publishing", "ChangeRecord")
    records = ChangeRecord.objects.filter(document__isnull=False).order_by("pk")
    for record in records.iterator():
        old = Old.objects.create(
            document_id=record.document_id,
            user_id=record.user_id,
            action=record.action if record.action in {"changed", "added", "removed", "published", "discarded"} else "changed",
            subject=record.object_label,
            field=record.field,
            before=record.before,
            after=record.after,
        )
        Old.objects.filter(pk=old.pk).update(created_at=record.created_at)
    records.delete()
    _check_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_change_record_from_editing"),
        ("sources", "0009_organisation_link"),
    ]

    operations = [
        migrations.AlterModelTable(name="changerecord", table=None),
        migrations.AlterField(
            model_name="changerecord",
            name="route_map",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="changes",
                to="routemap.routemap",
            ),
        ),
        migrations.AddField(
            model_name="changerecord",
            name="document",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="change_records",
                to="sources.sourcedocument",
            ),
        ),
        migrations.RunPython(move_document_records, move_document_records_back),
        migrations.AddConstraint(
            model_name="changerecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("document__isnull", True), ("route_map__isnull", False))
                | models.Q(("document__isnull", False), ("route_map__isnull", True)),
                name="change_record_of_one_thing",
                violation_error_message="A change record is of a route map or a document.",
            ),
        ),
    ]
