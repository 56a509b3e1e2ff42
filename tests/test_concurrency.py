"""Many simultaneous saves and a publish at the same moment, on PostgreSQL: nothing is lost and
every published version is complete and unchanged afterwards."""

import pytest
from django.db import connection

from editing import services
from milestones.models import Milestone
from outcomes.models import ProgressEntry
from publishing.edits import EditConflict
from routemap.models import Edition
from sources import services as sources
from tests.factories import (
    EditorFactory,
    PublisherFactory,
    build_route_map,
    build_source_document,
    edit_commitment_in_draft,
    edit_in_draft,
)
from tests.helpers import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_saves_racing_a_publish_lose_nothing():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL's row locks; SQLite serialises the file.")
    edition = build_route_map(outcomes=2)
    route_map = edition.route_map
    milestones = list(
        Milestone.objects.filter(outcome__edition=edition)
        .select_related("outcome__edition__route_map")
        .order_by("pk")[:6]
    )
    total = Milestone.objects.filter(outcome__edition=edition).count()
    services.edition_ensure_draft(route_map=route_map)  # a draft is waiting to be published
    editors = [EditorFactory(all_route_maps=True) for _ in milestones]
    publisher = PublisherFactory()

    jobs = [
        (lambda m=m, user=user, i=i: edit_in_draft(m, {"text": f"Saved by editor {i}"}, user=user))
        for i, (user, m) in enumerate(zip(editors, milestones, strict=True))
    ]
    jobs.append(
        lambda: services.route_map_publish(route_map=route_map, user=publisher, note="Racing")
    )
    errors = run_together(jobs)
    assert errors == []

    live = Edition.objects.published().get(route_map=route_map)
    assert live.number == 2
    current = Edition.objects.drafts().filter(route_map=route_map).first() or live
    for i, milestone in enumerate(milestones):
        saved = Milestone.objects.get(outcome__edition=current, key=milestone.key)
        assert saved.text == f"Saved by editor {i}"  # every save survived
    for version in Edition.objects.filter(route_map=route_map):
        assert Milestone.objects.filter(outcome__edition=version).count() == total
    first = Edition.objects.get(route_map=route_map, number=1)
    assert not Milestone.objects.filter(
        outcome__edition=first, text__startswith="Saved by"
    ).exists()


def test_document_saves_racing_a_publish_lose_nothing_and_versions_stay_whole():
    """The same promise for a source document: saves of its commitments racing a publish all
    survive (in the published version or the next draft), and each kept version is whole."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL's row locks; SQLite serialises the file.")
    document = build_source_document(commitments=6)
    commitments = list(document.commitments.order_by("order"))
    edit_commitment_in_draft(commitments[0], {"title": "Waiting"})  # a draft to publish
    editors = [PublisherFactory() for _ in commitments]
    publisher = PublisherFactory()
    jobs = [
        (lambda c=c, user=user, i=i: edit_commitment_in_draft(c, {"text": f"By {i}"}, user=user))
        for i, (user, c) in enumerate(zip(editors, commitments, strict=True))
    ]
    jobs.append(lambda: sources.document_publish(document=document, user=publisher, note="Racing"))
    assert run_together(jobs) == []

    draft = sources.document_draft(document)
    current = {
        item.reference: item.text for item, _ in sources.editable_commitments(document, draft)
    }
    assert current == {c.reference: f"By {i}" for i, c in enumerate(commitments)}
    assert list(document.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    for version in document.versions.all():
        assert len(version.content["commitments"]) == len(commitments)


def test_two_editors_saving_one_commitment_at_once_one_is_refused():
    """Both opened the form at the same revision: one save lands, the other is refused with
    an edit conflict, never a silent overwrite."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL's row locks; SQLite serialises the file.")
    document = build_source_document(commitments=1)
    commitment = document.commitments.get()
    users = [PublisherFactory(), PublisherFactory()]
    jobs = [
        (lambda user=user, i=i: edit_commitment_in_draft(
            commitment, {"text": f"Editor {i}'s words"}, user=user, expected_revision=0
        ))
        for i, user in enumerate(users)
    ]  # fmt: skip
    errors = run_together(jobs)
    assert [type(error) for error in errors] == [EditConflict]
    item, _ = sources.editable_commitments(document, sources.document_draft(document))[0]
    assert item.text in {"Editor 0's words", "Editor 1's words"}


def _save_outcome(route_map, outcome, user, text, revision):
    services.outcome_update(
        route_map=route_map,
        key=outcome.key,
        user=user,
        values={"statement": text},
        organisations=[],
        linked_route_maps=[],
        expected_revision=revision,
    )


def _save_progress(route_map, entry, user, text, revision):
    services.progress_update(
        route_map=route_map,
        key=entry.key,
        user=user,
        values={"text": text},
        expected_revision=revision,
    )


def _save_details(route_map, edition, user, text, revision):
    services.route_map_update(
        route_map=route_map,
        user=user,
        values={"summary": text},
        what_matters=[],
        expected_revision=revision,
    )


@pytest.mark.parametrize(
    "save, item_of, field",
    [
        (_save_outcome, lambda edition: edition.outcomes.first(), "statement"),
        (
            _save_progress,
            lambda edition: ProgressEntry.objects.filter(outcome__edition=edition).first(),
            "text",
        ),
        (_save_details, lambda edition: edition, "summary"),
    ],
    ids=["outcome", "progress", "details"],
)
def test_two_editors_saving_one_thing_at_once_one_is_refused(save, item_of, field):
    """An outcome, a progress entry, a route map's details: both editors opened the form at
    the same revision and save at the same moment (the draft not yet started). One save
    lands, whole; the other is refused with an edit conflict, never a silent overwrite."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL's row locks; SQLite serialises the file.")
    edition = build_route_map(outcomes=1)
    route_map = edition.route_map
    item = item_of(edition)
    users = [EditorFactory(all_route_maps=True), EditorFactory(all_route_maps=True)]
    jobs = [
        (lambda user=user, i=i: save(route_map, item, user, f"Editor {i}'s words", item.revision))
        for i, user in enumerate(users)
    ]
    errors = run_together(jobs)
    assert [type(error) for error in errors] == [EditConflict]

    draft = Edition.objects.drafts().get(route_map=route_map)
    saved = item_of(draft)
    assert saved.revision == item.revision + 1
    winner = getattr(saved, field)
    assert winner in {"Editor 0's words", "Editor 1's words"}
    # The one refused is told of the save that won, so nothing is lost unseen.
    assert [record.after for record in errors[0].records if record.field == field] == [winner]
