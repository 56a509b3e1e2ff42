"""The promises of publishing, held for everything an editor drafts: a route map (with its
outcomes and milestones) and a source document (with its commitments). Each test runs for
both kinds through the same steps: a draft never reaches the public, a publish is all or
nothing and keeps a version with one change record, and a save from a stale form is refused
without losing the words already saved."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from editing.services import route_map_publish
from publishing.edits import EditConflict
from publishing.models import ChangeRecord
from routemap.models import Edition
from sources import services as sources
from tests.factories import (
    PublisherFactory,
    build_route_map,
    build_source_document,
    edit_commitment_in_draft,
    edit_in_draft,
)

pytestmark = pytest.mark.django_db

SECRET = "Zanzibarquoll words only in the draft"


@dataclass
class Drafted:
    """One publishable thing and the editor's steps on it."""

    public_urls: list[str]
    changes_url: str
    save: Callable[..., object]  # save(text, user, stale=False): one item's text in the draft
    publish: Callable[[object, str], object]
    versions: Callable[[], int]
    live_text: Callable[[], str]  # the item's text as the public reads it now
    records: Callable[[], object]  # its change records


def route_map_kind() -> Drafted:
    edition = build_route_map(outcomes=1)
    route_map = edition.route_map
    milestone = edition.outcomes.first().milestones.order_by("year", "order").first()
    read_revision = {}

    def save(text, user, stale=False):
        from milestones.models import Milestone

        draft_copy = Milestone.objects.filter(key=milestone.key).order_by("-pk").first()
        if stale:
            draft_copy.revision = read_revision["first"]
        else:
            read_revision.setdefault("first", draft_copy.revision)
        return edit_in_draft(draft_copy, {"text": text}, user=user)

    def publish(user, note):
        return route_map_publish(route_map=route_map, user=user, note=note)

    def live_text():
        from milestones.models import Milestone

        return Milestone.objects.published().get(key=milestone.key).text

    return Drafted(
        public_urls=[
            route_map.get_absolute_url(),
            f"/api/route-maps/{route_map.slug}/",
            f"/search/?q={SECRET.split()[0]}",
            "/timeline/",
        ],
        changes_url=f"/route-maps/{route_map.slug}/changes/",
        save=save,
        publish=publish,
        versions=lambda: route_map.editions.exclude(state=Edition.State.DRAFT).count(),
        live_text=live_text,
        records=lambda: ChangeRecord.objects.filter(route_map=route_map),
    )


def document_kind() -> Drafted:
    document = build_source_document(commitments=2)
    commitment = document.commitments.order_by("order").first()
    read_revision = {}

    def save(text, user, stale=False):
        if stale:
            return edit_commitment_in_draft(
                commitment, {"text": text}, user=user, expected_revision=read_revision["first"]
            )
        item = sources.editable_commitment(
            document, sources.document_draft(document), f"c{commitment.pk}"
        )
        read_revision.setdefault("first", item.revision)
        return edit_commitment_in_draft(commitment, {"text": text}, user=user)

    def live_text():
        commitment.refresh_from_db()
        return commitment.text

    return Drafted(
        public_urls=[
            document.get_absolute_url(),
            f"/api/sources/{document.slug}/",
            f"/search/?q={SECRET.split()[0]}",
        ],
        changes_url=f"/sources/{document.slug}/changes/",
        save=save,
        publish=lambda user, note: sources.document_publish(
            document=document, user=user, note=note
        ),
        versions=lambda: document.versions.count(),
        live_text=live_text,
        records=lambda: ChangeRecord.objects.filter(document=document),
    )


@pytest.fixture(params=["route map", "source document"])
def drafted(request) -> Drafted:
    return {"route map": route_map_kind, "source document": document_kind}[request.param]()


def test_a_draft_never_reaches_the_public_until_it_is_published(client, drafted, publisher):
    drafted.save(SECRET, publisher)
    for url in [*drafted.public_urls, drafted.changes_url]:
        assert SECRET not in client.get(url).content.decode(), url

    drafted.publish(publisher, "Reworded")
    for url in drafted.public_urls[:2]:
        assert SECRET in client.get(url).content.decode(), url
    assert "Zanzibarquoll" in client.get(drafted.changes_url).content.decode()


def test_a_publish_keeps_a_version_and_records_who_published_with_the_note(drafted, publisher):
    before = drafted.versions()
    drafted.save(SECRET, publisher)
    drafted.publish(publisher, "Spring review")
    assert drafted.versions() == before + 1
    published = drafted.records().get(action=ChangeRecord.Action.PUBLISHED)
    assert (published.user, published.after) == (publisher, "Spring review")
    changed = drafted.records().get(action=ChangeRecord.Action.CHANGED, field="text")
    assert changed.after == SECRET and changed.user == publisher


def test_a_publish_that_fails_at_its_last_step_changes_nothing(drafted, publisher, monkeypatch):
    old_text, versions = drafted.live_text(), drafted.versions()
    drafted.save(SECRET, publisher)

    def refresh_fails():
        raise RuntimeError("the cache went away")

    # Refreshing the cached pages comes after every write of both publishes.
    monkeypatch.setattr("publishing.services.bump_published_version", refresh_fails)
    monkeypatch.setattr("sources.services.bump_published_version", refresh_fails)
    with pytest.raises(RuntimeError):
        drafted.publish(publisher, "Half")

    assert drafted.live_text() == old_text
    assert drafted.versions() == versions
    assert not drafted.records().filter(action=ChangeRecord.Action.PUBLISHED).exists()
    # The draft is kept, so nothing the editor saved is lost: once the cache is back, the
    # same draft publishes whole.
    monkeypatch.undo()
    drafted.publish(publisher, "Whole")
    assert drafted.live_text() == SECRET
    assert drafted.versions() == versions + 1


def test_a_save_from_a_stale_form_is_refused_and_keeps_the_first_words(drafted, publisher):
    drafted.save("The first editor's words.", publisher)
    with pytest.raises(EditConflict):
        drafted.save("The second editor's words.", PublisherFactory(), stale=True)
    drafted.publish(publisher, "First editor")
    assert drafted.live_text() == "The first editor's words."
