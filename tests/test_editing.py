"""Editors: permissions, drafts that stay private, publishing, history and no lost updates."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from core import clock
from editing import services
from milestones.models import Milestone, Status, day_in_words
from publishing.models import ChangeRecord
from routemap.models import Edition
from tests.factories import (
    EditorFactory,
    OrganisationFactory,
    ProgressEntryFactory,
    PublisherFactory,
    RouteMapFactory,
    UserFactory,
    build_route_map,
    edit_in_draft,
)
from tests.helpers import run_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return build_route_map(outcomes=2)


def milestone_post(milestone, **changes):
    data = {
        "text": milestone.text,
        "year": milestone.year,
        "status": milestone.status,
        "progress_note": milestone.progress_note,
        "revision": milestone.revision,
    }
    for link in milestone.organisation_links.all():
        field = {"lead": "lead", "contributor": "contributing"}.get(link.role, "other")
        data.setdefault(f"{field}_organisations", []).append(link.organisation_id)
    data.update(changes)
    return data


def edit_urls(route_map, milestone):
    outcome_key = milestone.outcome.key
    slug = route_map.slug
    key = milestone.key
    progress_key = milestone.outcome.progress_entries.first().key
    return [
        ("get", reverse("editing:dashboard")),
        ("get", reverse("editing:route_map", args=[slug])),
        ("post", reverse("editing:details", args=[slug])),
        ("get", reverse("editing:history", args=[slug])),
        ("get", reverse("editing:outcome", args=[slug, outcome_key])),
        ("get", reverse("editing:milestone_add", args=[slug, outcome_key])),
        ("get", reverse("editing:progress_add", args=[slug, outcome_key])),
        ("get", reverse("editing:milestone", args=[slug, key])),
        ("post", reverse("editing:milestone", args=[slug, key])),
        ("get", reverse("editing:milestone_remove", args=[slug, key])),
        ("post", reverse("editing:milestone_move", args=[slug, key])),
        ("get", reverse("editing:progress", args=[slug, progress_key])),
        ("get", reverse("editing:progress_remove", args=[slug, progress_key])),
        ("post", reverse("editing:progress_move", args=[slug, progress_key])),
    ]


PUBLISHER_URLS = ["editing:publish", "editing:discard"]


def test_anonymous_readers_are_sent_to_sign_in_from_every_editor_url(client, route_map, milestone):
    for method, url in edit_urls(route_map, milestone) + [
        ("get", reverse(name, args=[route_map.slug])) for name in PUBLISHER_URLS
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_signed_in_people_without_a_role_get_403_everywhere(client, route_map, milestone):
    client.force_login(UserFactory())
    for method, url in edit_urls(route_map, milestone) + [
        ("get", reverse(name, args=[route_map.slug])) for name in PUBLISHER_URLS
    ]:
        assert getattr(client, method)(url).status_code == 403, url


def test_editors_reach_editor_pages_but_not_publish_or_discard(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    for method, url in edit_urls(route_map, milestone):
        if method == "get":
            assert client.get(url).status_code == 200, url
    for name in PUBLISHER_URLS:
        assert client.get(reverse(name, args=[route_map.slug])).status_code == 403


def test_publishers_reach_every_editor_page(client, route_map, milestone):
    client.force_login(PublisherFactory())
    for method, url in edit_urls(route_map, milestone):
        if method == "get":
            assert client.get(url).status_code == 200, url
    client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        milestone_post(milestone, status=Status.IN_PROGRESS),
    )
    for name in PUBLISHER_URLS:
        assert client.get(reverse(name, args=[route_map.slug])).status_code == 200


def test_an_editor_assigned_to_other_route_maps_cannot_edit_this_one(client, route_map):
    editor = EditorFactory(route_maps=[RouteMapFactory()])
    client.force_login(editor)
    assert client.get(reverse("editing:route_map", args=[route_map.slug])).status_code == 403
    route_map.editors.add(editor)
    assert client.get(reverse("editing:route_map", args=[route_map.slug])).status_code == 200


def test_public_route_map_page_offers_editing_only_to_editors(client, route_map):
    url = route_map.get_absolute_url()
    assert "Edit this route map" not in client.get(url).content.decode()
    client.force_login(UserFactory())
    assert "Edit this route map" not in client.get(url).content.decode()
    client.force_login(EditorFactory(all_route_maps=True))
    assert "Edit this route map" in client.get(url).content.decode()


def test_saving_a_milestone_changes_only_the_draft(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    response = client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        milestone_post(milestone, status=Status.DELAYED, progress_note="Waiting for funding"),
    )
    assert response.status_code == 302
    draft = Edition.objects.drafts().get(route_map=route_map)
    saved = Milestone.objects.get(outcome__edition=draft, key=milestone.key)
    assert saved.status == Status.DELAYED
    assert saved.progress_note == "Waiting for funding"
    milestone.refresh_from_db()
    assert milestone.status == Status.NO_UPDATE  # the live edition is untouched
    for url in [
        route_map.get_absolute_url(),
        milestone.outcome.get_absolute_url(),
        f"/api/route-maps/{route_map.slug}/",
        f"/route-maps/{route_map.slug}/changes/",
    ]:
        body = client.get(url).content.decode()
        assert "Waiting for funding" not in body, url


def test_htmx_save_returns_only_the_milestone_fragment(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    response = client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        milestone_post(milestone, status=Status.IN_PROGRESS),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<li class="milestone" id="edit-milestone-')
    assert "In progress" in body
    assert "<html" not in body


def test_htmx_edit_button_returns_the_form_fragment(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    response = client.get(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert '<label class="ds_label" for="id_text">Milestone</label>' in body
    assert "<html" not in body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"year": "2031"}, "Enter a year from 2024 to 2030"),
        ({"text": ""}, "Enter the milestone text."),
        ({"status": "finished"}, "Choose a status from the list."),
    ],
)
def test_invalid_milestone_shows_errors_keeps_text_and_saves_nothing(
    client, route_map, milestone, changes, message
):
    client.force_login(EditorFactory(all_route_maps=True))
    typed = {"progress_note": "Typed by the editor", **changes}
    response = client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        milestone_post(milestone, **typed),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert message in body
    assert "Typed by the editor" in body
    assert not Edition.objects.drafts().filter(route_map=route_map).exists()


def test_second_editor_saving_a_stale_milestone_is_refused_and_keeps_their_text(
    client, route_map, milestone
):
    first, second = (
        EditorFactory(all_route_maps=True, username="alex"),
        EditorFactory(all_route_maps=True, username="sam"),
    )
    url = reverse("editing:milestone", args=[route_map.slug, milestone.key])
    opened = milestone_post(milestone)  # both opened the form at the same revision

    client.force_login(first)
    assert client.post(url, {**opened, "status": Status.ACHIEVED}).status_code == 302

    client.force_login(second)
    response = client.post(url, {**opened, "progress_note": "Sam's careful note"})
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this milestone" in body
    assert "alex" in body and "Achieved" in body
    assert "Sam&#x27;s careful note" in body
    draft_milestone = Milestone.objects.get(outcome__edition__state="draft", key=milestone.key)
    assert draft_milestone.status == Status.ACHIEVED
    assert draft_milestone.progress_note == ""

    # Saving again, having seen the other change, is a deliberate overwrite.
    resubmit = {**opened, "progress_note": "Sam's careful note", "revision": 2}
    assert client.post(url, resubmit).status_code == 302


def test_editing_records_who_changed_which_field_before_and_after(client, route_map, milestone):
    editor = EditorFactory(all_route_maps=True)
    client.force_login(editor)
    client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        milestone_post(milestone, status=Status.IN_PROGRESS, year=2028),
    )
    records = {r.field: r for r in ChangeRecord.objects.filter(object_key=milestone.key)}
    assert set(records) == {"status", "year"}
    assert records["status"].before == "no_update"
    assert records["status"].after == "in_progress"
    assert records["year"].before == "2027" and records["year"].after == "2028"
    assert records["year"].user == editor
    page = client.get(reverse("editing:milestone_history", args=[route_map.slug, milestone.key]))
    assert "Before" in page.content.decode() and "2027" in page.content.decode()


def test_restoring_an_earlier_value_makes_a_new_draft_change(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    url = reverse("editing:milestone", args=[route_map.slug, milestone.key])
    client.post(url, milestone_post(milestone, text="A worse wording"))
    record = ChangeRecord.objects.get(object_key=milestone.key, field="text")
    response = client.post(reverse("editing:restore", args=[route_map.slug, record.pk]))
    assert response.status_code == 302
    restored = Milestone.objects.get(outcome__edition__state="draft", key=milestone.key)
    assert restored.text == milestone.text
    assert ChangeRecord.objects.filter(object_key=milestone.key, action="restored").exists()


def test_publishing_needs_a_note_and_then_makes_the_draft_public(client, route_map, milestone):
    client.force_login(PublisherFactory())
    client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        milestone_post(milestone, status=Status.ACHIEVED, progress_note="Done in spring"),
    )
    publish_url = reverse("editing:publish", args=[route_map.slug])
    assert (
        "Status changed from No update yet to Achieved" in client.get(publish_url).content.decode()
    )
    missing = client.post(publish_url, {"note": ""})
    assert "Enter what changed, so readers know." in missing.content.decode()
    assert not Edition.objects.filter(route_map=route_map, number=2).exists()

    response = client.post(publish_url, {"note": "Marked the milestone achieved."})
    assert response.status_code == 302
    live = Edition.objects.published().get(route_map=route_map)
    assert live.number == 2
    public = client.get(route_map.get_absolute_url()).content.decode()
    assert "Done in spring" in public
    changes = client.get(f"/route-maps/{route_map.slug}/changes/").content.decode()
    assert "Marked the milestone achieved." in changes
    today = day_in_words(clock.today())
    assert f"Status changed from No update yet to Achieved, updated {today} by " in changes
    assert Edition.objects.filter(route_map=route_map, state="superseded", number=1).exists()


def test_published_versions_are_never_changed_by_later_edits(client, route_map, milestone):
    client.force_login(PublisherFactory())
    url = reverse("editing:milestone", args=[route_map.slug, milestone.key])
    client.post(url, milestone_post(milestone, text="Second wording"))
    client.post(reverse("editing:publish", args=[route_map.slug]), {"note": "Reworded."})
    version_two = Milestone.objects.get(outcome__edition__number=2, key=milestone.key)
    client.post(url, milestone_post(version_two, text="Third wording"))
    assert Milestone.objects.get(outcome__edition__number=1, key=milestone.key).text == (
        milestone.text
    )
    assert Milestone.objects.get(outcome__edition__number=2, key=milestone.key).text == (
        "Second wording"
    )


def test_a_failure_midway_through_publishing_leaves_the_published_version(
    client, route_map, milestone, monkeypatch
):
    client.force_login(PublisherFactory())
    client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        milestone_post(milestone, text="Never published"),
    )
    original_save = Edition.save

    def failing_save(self, *args, **kwargs):
        if self.state == Edition.State.PUBLISHED and self.number == 2:
            raise IntegrityError("simulated failure")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Edition, "save", failing_save)
    draft = Edition.objects.drafts().get(route_map=route_map)
    with pytest.raises(IntegrityError):
        services.route_map_publish(route_map=route_map, user=None, note="Boom")
    live = Edition.objects.published().get(route_map=route_map)
    assert live.number == 1
    assert Edition.objects.drafts().get(route_map=route_map) == draft
    assert "Never published" not in client.get(route_map.get_absolute_url()).content.decode()


def test_discarding_a_draft_needs_confirmation_and_keeps_the_public_version(
    client, route_map, milestone
):
    client.force_login(PublisherFactory())
    client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        milestone_post(milestone, text="Abandoned idea"),
    )
    discard_url = reverse("editing:discard", args=[route_map.slug])
    body = client.get(discard_url).content.decode()
    assert "Discard the draft?" in body
    assert "The published version stays as it is." in body
    edit_page = reverse("editing:route_map", args=[route_map.slug])
    assert f'href="{edit_page}">No, keep editing</a>' in body
    assert Edition.objects.drafts().filter(route_map=route_map).exists()
    client.post(discard_url)
    assert not Edition.objects.drafts().filter(route_map=route_map).exists()
    assert Edition.objects.published().get(route_map=route_map).number == 1


def test_adding_moving_and_removing_milestones(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    outcome = milestone.outcome
    council = OrganisationFactory(name="Highland Council")
    response = client.post(
        reverse("editing:milestone_add", args=[route_map.slug, outcome.key]),
        {
            "text": "A new milestone",
            "year": 2029,
            "status": "not_started",
            "lead_organisations": [council.pk],
        },
    )
    assert response.status_code == 302
    added = Milestone.objects.get(outcome__edition__state="draft", text="A new milestone")
    assert [link.organisation for link in added.organisation_links.all()] == [council]
    assert added.organisation_links.get().role == "lead"

    client.post(reverse("editing:milestone_remove", args=[route_map.slug, milestone.key]))
    assert not Milestone.objects.filter(outcome__edition__state="draft", key=milestone.key).exists()
    assert Milestone.objects.filter(outcome__edition__state="published", key=milestone.key).exists()


def test_editing_outcome_bodies_with_roles_and_links(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    lead, helper = OrganisationFactory(), OrganisationFactory()
    linked = RouteMapFactory()
    outcome = milestone.outcome
    response = client.post(
        reverse("editing:outcome", args=[route_map.slug, outcome.key]),
        {
            "title": "Renamed",
            "statement": "New statement",
            "lead_organisations": [lead.pk],
            "contributing_organisations": [helper.pk],
            "linked_route_maps": [linked.pk],
            "revision": outcome.revision,
        },
    )
    assert response.status_code == 302
    draft_outcome = outcome.__class__.objects.get(edition__state="draft", key=outcome.key)
    roles = {link.organisation: link.role for link in draft_outcome.organisation_links.all()}
    assert roles == {lead: "lead", helper: "contributor"}
    assert list(draft_outcome.linked_route_maps.all()) == [linked]


def test_the_same_organisation_in_two_roles_is_refused(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    body = OrganisationFactory()
    response = client.post(
        reverse("editing:outcome", args=[route_map.slug, milestone.outcome.key]),
        {
            "title": "T",
            "statement": "S",
            "lead_organisations": [body.pk],
            "contributing_organisations": [body.pk],
        },
    )
    assert "Choose each organisation in one list only." in response.content.decode()


def test_route_map_details_and_what_matters(client, route_map):
    client.force_login(EditorFactory(all_route_maps=True))
    response = client.post(
        reverse("editing:details", args=[route_map.slug]),
        {
            "summary": "New summary",
            "what_matters": "First statement\n\nSecond statement\n",
            "revision": route_map.live_edition.revision,
        },
    )
    assert response.status_code == 302
    draft = Edition.objects.drafts().get(route_map=route_map)
    assert draft.summary == "New summary"
    assert list(draft.what_matters.values_list("text", flat=True)) == [
        "First statement",
        "Second statement",
    ]


def test_progress_entries_can_be_added_edited_and_removed(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    outcome = milestone.outcome
    client.post(
        reverse("editing:progress_add", args=[route_map.slug, outcome.key]),
        {"date_label": "March 2026", "date": "2026-03-01", "text": "Guidance published."},
    )
    entry = outcome.__class__.objects.get(
        edition__state="draft", key=outcome.key
    ).progress_entries.get(text="Guidance published.")
    bad = client.post(
        reverse("editing:progress", args=[route_map.slug, entry.key]),
        {"date": "not a date", "text": "Kept text"},
    )
    assert "Enter a real date" in bad.content.decode() and "Kept text" in bad.content.decode()
    client.post(reverse("editing:progress_remove", args=[route_map.slug, entry.key]))
    assert not entry.__class__.objects.filter(pk=entry.pk).exists()


def test_moving_a_progress_entry_reorders_its_outcome_and_returns_to_the_list(client, milestone):
    outcome = milestone.outcome
    route_map = outcome.edition.route_map
    outcome.progress_entries.all().delete()
    ProgressEntryFactory(outcome=outcome, order=1, text="First step.")
    second = ProgressEntryFactory(outcome=outcome, order=2, text="Second step.")
    client.force_login(EditorFactory(all_route_maps=True))
    response = client.post(
        reverse("editing:progress_move", args=[route_map.slug, second.key]), {"direction": "up"}
    )
    assert response.url == (
        reverse("editing:outcome", args=[route_map.slug, outcome.key]) + "#progress"
    )
    page = client.get(response.url).content.decode()
    assert page.index("Second step.") < page.index("First step.")
    assert ChangeRecord.objects.get(object_key=second.key, action="moved").object_type == (
        "progress"
    )


def test_csrf_is_enforced_on_editor_posts(route_map, milestone):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(EditorFactory(all_route_maps=True))
    url = reverse("editing:milestone", args=[route_map.slug, milestone.key])
    assert client.post(url, milestone_post(milestone)).status_code == 403
    assert (
        client.post(url, milestone_post(milestone), headers={"HX-Request": "true"}).status_code
        == 403
    )


def test_changes_page_compares_two_versions(client, route_map, milestone):
    publisher = PublisherFactory()
    client.force_login(publisher)
    url = reverse("editing:milestone", args=[route_map.slug, milestone.key])
    client.post(url, milestone_post(milestone, year=2029))
    client.post(reverse("editing:publish", args=[route_map.slug]), {"note": "Moved a year."})
    client.logout()
    page = client.get(f"/route-maps/{route_map.slug}/changes/?from_version=1&to_version=2")
    assert "Milestone moved from 2027 to 2029" in page.content.decode()
    bad = client.get(f"/route-maps/{route_map.slug}/changes/?from_version=1&to_version=9")
    assert bad.status_code == 200
    assert "Choose a published version." in bad.content.decode()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_milestone_let_exactly_one_through_on_postgresql():
    """Two editors saving at the same moment: the row lock serialises them and the second
    sees the first's revision, so it is refused rather than silently overwriting."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite locks the file.")
    edition = build_route_map(outcomes=1)
    target = (
        Milestone.objects.filter(outcome__edition=edition)
        .select_related("outcome__edition__route_map")
        .first()
    )
    services.edition_ensure_draft(route_map=edition.route_map)
    editors = [EditorFactory(all_route_maps=True), EditorFactory(all_route_maps=True)]
    errors = run_together(
        [
            lambda: edit_in_draft(target, {"text": "First text"}, user=editors[0]),
            lambda: edit_in_draft(target, {"text": "Second text"}, user=editors[1]),
        ]
    )
    assert [type(error) for error in errors] == [services.EditConflict]  # one saved, one refused
    saved = Milestone.objects.get(outcome__edition__state="draft", key=target.key)
    assert saved.text in {"First text", "Second text"}
    assert saved.revision == target.revision + 1


def test_moving_a_milestone_swaps_it_with_its_neighbour_in_the_year(client):
    edition = build_route_map(outcomes=1, milestones_per_year=3)
    route_map = edition.route_map
    first, second, third = Milestone.objects.filter(outcome__edition=edition, year=2026).order_by(
        "order"
    )
    client.force_login(EditorFactory(all_route_maps=True))
    move = reverse("editing:milestone_move", args=[route_map.slug, third.key])
    client.post(move, {"direction": "up"})
    client.post(move, {"direction": "up"})
    client.post(move, {"direction": "up"})  # already first: nothing changes
    draft_order = list(
        Milestone.objects.filter(outcome__edition__state="draft", year=2026)
        .order_by("order")
        .values_list("key", flat=True)
    )
    assert draft_order == [third.key, first.key, second.key]
    assert ChangeRecord.objects.filter(object_key=third.key, action="moved").count() == 2
