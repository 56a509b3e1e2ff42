"""Route maps and source documents share one change record (publishing.models.ChangeRecord):
document drafts' records moved in from sources.SourceChangeRecord without loss, and backups
made before the move still restore."""

import datetime
import importlib
import json
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from milestones.models import Milestone
from publishing.models import ChangeRecord
from routemap.models import RouteMap
from sources import services as sources
from tests.factories import PublisherFactory, SourceDocumentFactory, build_route_map, edit_in_draft

migration = importlib.import_module("publishing.migrations.0002_one_change_record")


@pytest.fixture
def edition():
    return build_route_map(outcomes=1)


@pytest.fixture
def milestone(edition):
    return Milestone.objects.filter(outcome__edition=edition).first()


class _OldRows:
    """sources.SourceChangeRecord as the migration reads it (its table is gone today)."""

    def __init__(self, rows):
        self.rows = rows

    def order_by(self, *fields):
        return self

    def iterator(self):
        return iter(self.rows)


class _AppsWithOldRecords:
    def __init__(self, rows):
        self.old = SimpleNamespace(objects=_OldRows(rows))

    def get_model(self, app_label, name):
        if (app_label, name) == ("sources", "SourceChangeRecord"):
            return self.old
        return django_apps.get_model(app_label, name)


class _SchemaEditor:
    """What the migration's function uses of a schema editor: the connection, and running SQL
    (on PostgreSQL it checks the moved rows' foreign keys at once)."""

    connection = connection

    @staticmethod
    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.django_db
def test_the_migration_moves_document_records_with_their_dates_authors_and_values():
    document = SourceDocumentFactory()
    author = PublisherFactory(username="morag")
    long_ago = timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 15))
    rows = [
        SimpleNamespace(
            document_id=document.pk,
            user_id=author.pk,
            action="changed",
            subject="commitment 8.2",
            field="status",
            before="No update yet",
            after="In progress",
            created_at=long_ago,
        ),
        SimpleNamespace(
            document_id=document.pk,
            user_id=None,
            action="published",
            subject="document",
            field="",
            before="",
            after="Spring review",
            created_at=long_ago + datetime.timedelta(days=1),
        ),
    ]
    migration.move_document_records(_AppsWithOldRecords(rows), _SchemaEditor())

    records = list(document.change_records.order_by("created_at"))
    assert [(r.object_type, r.object_label, r.action) for r in records] == [
        ("commitment", "commitment 8.2", "changed"),
        ("document", "document", "published"),
    ]
    first, published = records
    assert (first.field, first.before, first.after) == ("status", "No update yet", "In progress")
    assert first.user == author and first.created_at == long_ago
    assert published.who == "Someone no longer registered"
    assert published.after == "Spring review"
    assert first.route_map is None


@pytest.mark.django_db
def test_a_record_names_a_route_map_or_a_document_never_both_nor_neither(edition):
    document = SourceDocumentFactory()
    for route_map, doc in [(None, None), (edition.route_map, document)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            ChangeRecord.objects.create(route_map=route_map, document=doc, object_type="x")


@pytest.mark.django_db
def test_document_drafts_and_route_map_drafts_write_the_same_record(milestone):
    document = SourceDocumentFactory()
    publisher = PublisherFactory()
    sources.document_draft_update(document=document, user=publisher, values={"summary": "New"})
    edit_in_draft(milestone, {"progress_note": "Under way"}, user=publisher)
    assert ChangeRecord.objects.get(document=document).field == "summary"
    route_map_records = ChangeRecord.objects.filter(route_map=milestone.outcome.edition.route_map)
    assert "progress_note" in {record.field for record in route_map_records}
    assert not route_map_records.filter(document__isnull=False).exists()


def _as_before_the_move(item: dict) -> dict:
    """A backup entry as export_state wrote it before the one change record."""
    if item["model"] != "publishing.changerecord":
        return item
    fields = dict(item["fields"])
    document = fields.pop("document")
    if document is None:
        return {**item, "model": "editing.changerecord", "fields": fields}
    return {
        "model": "sources.sourcechangerecord",
        "pk": item["pk"],
        "fields": {
            "document": document,
            "commitment": None,
            "user": fields["user"],
            "created_at": fields["created_at"],
            "action": fields["action"],
            "subject": fields["object_label"],
            "field": fields["field"],
            "before": fields["before"],
            "after": fields["after"],
        },
    }


def change_records() -> list[tuple]:
    """Every change record as a backup must give it back, in a stable order."""
    return sorted(
        ChangeRecord.objects.values_list(
            "object_type",
            "object_label",
            "field",
            "before",
            "after",
            "created_at",
            "user__username",
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_made_before_the_move_restores_both_kinds_of_record(tmp_path, milestone):
    document = SourceDocumentFactory()
    publisher = PublisherFactory(username="morag")
    sources.document_draft_update(document=document, user=publisher, values={"summary": "New"})
    edit_in_draft(milestone, {"progress_note": "Under way"}, user=publisher)
    expected = change_records()
    backup = tmp_path / "state.json"
    call_command("export_state", str(backup))
    old = [_as_before_the_move(item) for item in json.loads(backup.read_text())]
    assert {item["model"] for item in old} >= {"editing.changerecord", "sources.sourcechangerecord"}
    backup.write_text(json.dumps(old))
    call_command("flush", "--no-input")
    assert not RouteMap.objects.exists()

    call_command("import_state", str(backup))
    restored = change_records()
    assert restored == expected
    assert ChangeRecord.objects.get(document__slug=document.slug).field == "summary"
