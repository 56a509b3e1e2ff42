"""Change records written before they carried a save key are grouped as they were saved
(publishing 0003): the same item, the same person, within the same second."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from publishing.models import ChangeRecord
from tests.factories import EditorFactory, RouteMapFactory
from tests.helpers import migrate_to_latest

BEFORE_SAVE_KEYS = [("publishing", "0002_one_change_record")]


def at(second: int, microsecond: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, 3, 9, 15, second, microsecond))


@pytest.mark.django_db(transaction=True)
def test_records_of_one_second_one_item_and_one_person_become_one_save():
    route_map = RouteMapFactory()
    morag, iain = EditorFactory(), EditorFactory()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE_SAVE_KEYS)
        old = executor.loader.project_state(BEFORE_SAVE_KEYS).apps
        Old = old.get_model("publishing", "ChangeRecord")
        milestone = "6f0d6a52-6a6b-4b8e-9d47-4a3b8c0c9a01"
        other = "6f0d6a52-6a6b-4b8e-9d47-4a3b8c0c9a02"
        rows = {
            # One save of Morag's: text and status, microseconds apart.
            "text": (morag, milestone, "text", at(1, 100)),
            "status": (morag, milestone, "status", at(1, 900)),
            # The same second, another milestone; another person; a later second.
            "other": (morag, other, "text", at(1, 500)),
            "iain": (iain, milestone, "year", at(1, 200)),
            "later": (morag, milestone, "year", at(2)),
            # The same field again in the same second is another save.
            "again": (morag, milestone, "text", at(1, 950)),
        }
        ids = {}
        for name, (user, key, field, when) in rows.items():
            record = Old.objects.create(
                route_map_id=route_map.pk,
                user_id=user.pk,
                action="changed",
                object_type="milestone",
                object_key=key,
                field=field,
                before="a",
                after="b",
            )
            Old.objects.filter(pk=record.pk).update(created_at=when)
            ids[name] = record.pk
    finally:
        migrate_to_latest()
    save = {name: ChangeRecord.objects.get(pk=pk).save_key for name, pk in ids.items()}
    assert save["text"] == save["status"]
    assert len({save[name] for name in ["text", "other", "iain", "later", "again"]}) == 5
