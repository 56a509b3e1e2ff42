"""Who may edit what fails closed: an editor or publisher edits the route maps and source
documents assigned to them, or every one only with the explicit "edit all" permission.
No assignment means nothing, and consultation responses need the moderator role."""

import importlib
import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import (
    ALL_ROUTE_MAPS,
    ALL_SOURCE_DOCUMENTS,
    PUBLISHERS,
    can_edit_route_map,
    can_edit_source_document,
    is_moderator,
)
from milestones.models import Milestone, Status
from publishing.models import ChangeRecord
from tests.factories import (
    ConsultationFactory,
    ConsultationResponseFactory,
    EditorFactory,
    ModeratorFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    PublisherFactory,
    RouteMapFactory,
    UserFactory,
    build_route_map,
    build_source_document,
    edit_in_draft,
)

pytestmark = pytest.mark.django_db

QUEUE = "/edit/updates/"


@pytest.fixture
def edition():
    return build_route_map(outcomes=1)


@pytest.fixture
def milestone(edition):
    return Milestone.objects.filter(outcome__edition=edition).order_by("pk").first()


@pytest.fixture
def change(route_map, milestone):
    """A change in the draft, so the history and restore pages have a record."""
    edit_in_draft(milestone, {"text": "Changed in the draft"})
    return ChangeRecord.objects.filter(route_map=route_map, object_key=milestone.key).first()


def route_map_urls(route_map, milestone, change):
    """Every page that reads or changes one route map, for an editor."""
    slug, key = route_map.slug, milestone.key
    outcome_key = milestone.outcome.key
    return [
        ("get", reverse("editing:route_map", args=[slug])),
        ("post", reverse("editing:details", args=[slug])),
        ("get", reverse("editing:history", args=[slug])),
        ("get", reverse("editing:export_csv", args=[slug])),
        ("get", reverse("editing:import", args=[slug])),
        ("post", reverse("editing:import_apply", args=[slug])),
        ("get", reverse("editing:outcome", args=[slug, outcome_key])),
        ("get", reverse("editing:milestone_add", args=[slug, outcome_key])),
        ("get", reverse("editing:milestone", args=[slug, key])),
        ("post", reverse("editing:milestone", args=[slug, key])),
        ("get", reverse("editing:milestone_history", args=[slug, key])),
        ("get", reverse("editing:milestone_remove", args=[slug, key])),
        ("post", reverse("editing:milestone_move", args=[slug, key])),
        ("post", reverse("editing:restore", args=[slug, change.pk])),
    ]


def assert_no_access(client, route_map, milestone, change):
    for method, url in route_map_urls(route_map, milestone, change):
        assert getattr(client, method)(url).status_code == 403, url


# --- Route maps -------------------------------------------------------------------------------


def test_an_editor_with_no_assignment_edits_no_route_map(client, route_map, milestone, change):
    other = build_route_map(outcomes=1).route_map
    client.force_login(EditorFactory())
    assert_no_access(client, route_map, milestone, change)
    assert client.get(reverse("editing:route_map", args=[other.slug])).status_code == 403
    dashboard = client.get("/edit/").content.decode()
    assert "No route maps are assigned to you" in dashboard
    assert route_map.title not in dashboard and other.title not in dashboard
    assert "Edit this route map" not in client.get(route_map.get_absolute_url()).content.decode()


def test_an_editor_with_no_assignment_sees_an_empty_review_queue(client, milestone):
    update = ProgressUpdateFactory(milestone=milestone, organisation=OrganisationFactory())
    client.force_login(EditorFactory())
    assert f'id="update-{update.pk}"' not in client.get(QUEUE).content.decode()
    assert client.post(reverse("partners_review:accept", args=[update.pk])).status_code == 403
    assert client.get(reverse("partners_review:decline", args=[update.pk])).status_code == 403
    update.refresh_from_db()
    assert update.state == update.State.PENDING


def test_removing_the_last_assignment_removes_access(client, route_map, milestone, change):
    editor = EditorFactory(route_maps=[route_map])
    client.force_login(editor)
    assert client.get(reverse("editing:route_map", args=[route_map.slug])).status_code == 200
    route_map.editors.remove(editor)
    assert_no_access(client, route_map, milestone, change)


def test_deleting_an_editors_only_route_map_does_not_widen_their_access(client):
    doomed = RouteMapFactory()
    editor = EditorFactory(route_maps=[doomed])
    other = build_route_map(outcomes=1)
    update = ProgressUpdateFactory(
        milestone=Milestone.objects.filter(outcome__edition=other).first(),
        organisation=OrganisationFactory(),
    )
    doomed.delete()
    client.force_login(editor)
    assert client.get(reverse("editing:route_map", args=[other.route_map.slug])).status_code == 403
    assert f'id="update-{update.pk}"' not in client.get(QUEUE).content.decode()
    assert not can_edit_route_map(editor, other.route_map)


def test_an_editor_given_every_route_map_edits_them_all(client, route_map, milestone, change):
    other = RouteMapFactory()
    client.force_login(EditorFactory(all_route_maps=True))
    for method, url in route_map_urls(route_map, milestone, change):
        if method == "get":
            assert client.get(url).status_code == 200, url
    assert client.get(reverse("editing:route_map", args=[other.slug])).status_code == 200
    dashboard = client.get("/edit/").content.decode()
    assert route_map.title in dashboard and other.title in dashboard


def test_every_route_map_is_granted_through_a_group_too(client, route_map):
    editor = EditorFactory()
    group = Group.objects.create(name="Central editing team")
    group.permissions.add(permission(ALL_ROUTE_MAPS))
    editor.groups.add(group)
    client.force_login(editor)
    assert client.get(reverse("editing:route_map", args=[route_map.slug])).status_code == 200


def test_a_publisher_without_every_route_map_publishes_only_their_own(client, milestone):
    for group in Group.objects.filter(name=PUBLISHERS):
        group.permissions.clear()  # an admin took "every route map" from the group
    mine = milestone.outcome.edition.route_map
    theirs = build_route_map(outcomes=1).route_map
    publisher = PublisherFactory(
        all_route_maps=False, all_source_documents=False, route_maps=[mine]
    )
    edit_in_draft(milestone, {"status": Status.DELAYED}, user=publisher)
    client.force_login(publisher)
    assert client.get(reverse("editing:publish", args=[mine.slug])).status_code == 200
    assert client.get(reverse("editing:publish", args=[theirs.slug])).status_code == 403
    assert client.get(reverse("editing:route_map", args=[theirs.slug])).status_code == 403


def test_a_superuser_edits_everything(client, route_map):
    document = build_source_document(commitments=1)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("editing:route_map", args=[route_map.slug])).status_code == 200
    assert client.get(reverse("sources-edit:document", args=[document.slug])).status_code == 200


def test_the_publishers_group_is_given_every_route_map_and_document_once():
    """Installed sites keep their publishers' access, as a visible, revocable grant."""
    migration = importlib.import_module(
        "accounts.migrations.0002_moderators_and_publishers_edit_all"
    )
    Group.objects.filter(name__in=[PUBLISHERS, "Moderators"]).delete()
    migration.create_moderators_and_grant_publishers(apps, None)
    publishers = Group.objects.get(name=PUBLISHERS)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in publishers.permissions.all()}
    assert granted == {ALL_ROUTE_MAPS, ALL_SOURCE_DOCUMENTS}
    assert Group.objects.filter(name="Moderators").exists()
    assert not Group.objects.get(name="Moderators").permissions.exists()


# --- Source documents -------------------------------------------------------------------------


def document_urls(document):
    commitment = document.commitments.first()
    key = f"c{commitment.pk}"
    return [
        ("get", reverse("sources-edit:document", args=[document.slug])),
        ("post", reverse("sources-edit:details", args=[document.slug])),
        ("get", reverse("sources-edit:history", args=[document.slug])),
        ("get", reverse("sources-edit:commitment-add", args=[document.slug])),
        ("get", reverse("sources-edit:commitment", args=[document.slug, key])),
        ("post", reverse("sources-edit:commitment", args=[document.slug, key])),
        ("get", reverse("sources-edit:commitment-remove", args=[document.slug, key])),
    ]


def test_an_editor_of_one_route_map_cannot_touch_source_documents_or_responses(client, route_map):
    document = build_source_document(commitments=1)
    consultation = ConsultationFactory()
    ConsultationResponseFactory(document=consultation, name="Private Person")
    client.force_login(EditorFactory(route_maps=[route_map]))
    for method, url in document_urls(document):
        assert getattr(client, method)(url).status_code == 403, url
    csv = client.get(reverse("sources-edit:responses-csv", args=[consultation.slug]))
    assert csv.status_code == 403
    assert "Private Person" not in csv.content.decode()
    listing = client.get(reverse("sources-edit:documents")).content.decode()
    assert document.title not in listing
    assert "No source documents are assigned to you" in listing


def test_an_editor_assigned_to_a_document_edits_it_and_no_other(client):
    mine = build_source_document(commitments=1)
    theirs = build_source_document(commitments=1)
    editor = EditorFactory(source_documents=[mine])
    client.force_login(editor)
    for method, url in document_urls(mine):
        if method == "get":
            assert client.get(url).status_code == 200, url
    for method, url in document_urls(theirs):
        assert getattr(client, method)(url).status_code == 403, url
    listing = client.get(reverse("sources-edit:documents")).content.decode()
    assert reverse("sources-edit:document", args=[mine.slug]) in listing
    assert theirs.title not in listing
    mine.editors.remove(editor)
    assert client.get(reverse("sources-edit:document", args=[mine.slug])).status_code == 403


def test_an_editor_given_every_document_edits_them_all(client):
    document = build_source_document(commitments=1)
    editor = EditorFactory(all_source_documents=True)
    assert can_edit_source_document(editor, document)
    assert not can_edit_route_map(editor, RouteMapFactory())
    client.force_login(editor)
    for method, url in document_urls(document):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_a_moderator_exports_responses_with_names_but_edits_nothing(client, route_map):
    consultation = ConsultationFactory()
    ConsultationResponseFactory(document=consultation, name="Private Person")
    client.force_login(ModeratorFactory())
    csv = client.get(reverse("sources-edit:responses-csv", args=[consultation.slug]))
    assert csv.status_code == 200
    assert "Private Person" in csv.content.decode()
    assert client.get(reverse("sources-edit:document", args=[consultation.slug])).status_code == 403
    assert client.get(reverse("editing:route_map", args=[route_map.slug])).status_code == 403


# --- Admin and the demo account ---------------------------------------------------------------


def test_the_admin_shows_and_edits_assignments_and_the_all_choices(admin_client, route_map):
    document = build_source_document(commitments=1)
    editor = EditorFactory(route_maps=[route_map], source_documents=[document])
    user_page = admin_client.get(f"/admin/auth/user/{editor.pk}/change/").content.decode()
    assert "Route maps this person may edit" in user_page
    assert "Source documents this person may edit" in user_page
    assert route_map.title in user_page and document.title in user_page
    assert "Can edit every route map" in user_page
    assert "Can edit every source document" in user_page
    route_map_page = admin_client.get(f"/admin/routemap/routemap/{route_map.pk}/change/")
    assert 'name="editors"' in route_map_page.content.decode()
    document_page = admin_client.get(f"/admin/sources/sourcedocument/{document.pk}/change/")
    assert 'name="editors"' in document_page.content.decode()


def test_the_demo_publisher_edits_everything_and_moderates(monkeypatch, route_map):
    monkeypatch.setenv("DEMO_USERNAME", "demo-test")
    Group.objects.filter(name=PUBLISHERS).delete()  # whatever an admin did to the group
    call_command("create_demo_user", stdout=io.StringIO())
    demo = UserFactory._meta.model.objects.get(username="demo-test")
    assert can_edit_route_map(demo, route_map)
    assert can_edit_source_document(demo, build_source_document(commitments=1))
    assert is_moderator(demo)


def test_the_demo_sign_in_address_follows_the_site_address(settings, db):
    settings.SITE_URL = "http://127.0.0.1:8102"
    out = io.StringIO()
    call_command("create_demo_user", stdout=out)
    assert "http://127.0.0.1:8102/accounts/login/" in out.getvalue()


def permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
