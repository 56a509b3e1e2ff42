"""Backup and restore: the whole editorial state survives a round trip into an empty database."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from core import clock
from editing import services
from milestones.models import Milestone, Status, day_in_words
from organisations.models import Organisation
from publishing.models import ChangeRecord
from routemap.models import Edition, RouteMap
from tests.factories import PublisherFactory, edit_in_draft

PUBLIC_URLS = [
    "/",
    "/route-maps/where-children-live/",
    "/route-maps/where-children-live/outcomes/secure-care/",
    "/route-maps/where-children-live/changes/",
    "/organisations/",
    "/organisations/scottish-government/",
    "/api/route-maps/where-children-live/",
    "/api/organisations/cosla/",
]


def snapshot(client) -> dict[str, bytes]:
    cache.clear()
    pages = {}
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
    return pages


@pytest.mark.django_db(transaction=True)
def test_public_pages_are_byte_identical_after_backup_and_restore(client, tmp_path):
    from seeding.routemaps import load_seed

    load_seed()
    publisher = PublisherFactory(username="morgan")
    route_map = RouteMap.objects.get(slug="where-children-live")
    milestone = Milestone.objects.published().filter(outcome__slug="secure-care").first()
    edit_in_draft(
        milestone,
        {"status": Status.IN_PROGRESS, "progress_note": "Restored after backup"},
        user=publisher,
    )
    reported = Milestone.objects.published().filter(outcome__slug="secure-care").last()
    edit_in_draft(
        reported,
        {"status": Status.DELAYED},
        user=publisher,
        status_by=Organisation.objects.get(slug="cosla"),  # as an accepted partner update
    )
    services.route_map_publish(route_map=route_map, user=publisher, note="Secure care update.")
    draft_milestone = Milestone.objects.published().filter(outcome__slug="kinship-care").first()
    edit_in_draft(draft_milestone, {"text": "Unpublished draft wording"}, user=publisher)
    before = snapshot(client)
    counts = (Edition.objects.count(), Milestone.objects.count(), ChangeRecord.objects.count())

    backup = tmp_path / "state.json"
    call_command("export_state", str(backup))
    call_command("flush", "--no-input")
    assert not RouteMap.objects.exists()

    call_command("import_state", str(backup))
    assert snapshot(client) == before
    assert (Edition.objects.count(), Milestone.objects.count(), ChangeRecord.objects.count()) == (
        counts
    )
    draft = Edition.objects.drafts().get(route_map__slug="where-children-live")
    assert (
        draft.outcomes.get(slug="kinship-care")
        .milestones.filter(text="Unpublished draft wording")
        .exists()
    )
    restored_status = Milestone.objects.published().get(key=reported.key)
    assert restored_status.status_summary == (
        f"Delayed, updated {day_in_words(clock.today())} by Convention of Scottish Local "
        "Authorities"
    )
    restored = ChangeRecord.objects.filter(action="published").get()
    assert restored.user.username == "morgan"
    # Editing goes on after a restore (sequences are reset, keys kept).
    services.milestone_update(
        route_map=route_map,
        key=draft_milestone.key,
        user=restored.user,
        values={"text": "Edited after restore"},
        organisations=[],
        expected_revision=draft_milestone.revision + 1,
    )


@pytest.mark.django_db
def test_restore_refuses_a_database_that_has_content(seeded, tmp_path):
    backup = tmp_path / "state.json"
    call_command("export_state", str(backup))
    with pytest.raises(CommandError, match="restore into an empty database"):
        call_command("import_state", str(backup))


@pytest.mark.django_db
def test_restore_reports_a_file_that_is_not_a_backup(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("this is not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not a backup this site can read"):
        call_command("import_state", str(bad))
