"""The editors' dashboard: drafts and their changes, overdue milestones, partner updates,
recent publishes; in a bounded number of queries."""

import datetime
import re

import pytest

from editing import services as editing
from milestones.models import Milestone, Status
from partners.models import ProgressUpdate
from tests.factories import (
    EditorFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProgressUpdateFactory,
    PublisherFactory,
    RouteMapFactory,
    UserFactory,
    build_route_map,
    edit_in_draft,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/edit/"


def section(body: str, anchor: str) -> str:
    """The dashboard's section with this id, up to the next h2."""
    start = body.index(f'<h2 id="{anchor}">')
    end = body.find("<h2", start + 1)
    return body[start : end if end != -1 else len(body)]


def edit(route_map, user, **values):
    draft = editing.edition_ensure_draft(route_map=route_map)
    milestone = Milestone.objects.filter(outcome__edition=draft).order_by("pk").first()
    edit_in_draft(milestone, values, user=user)


def test_route_maps_with_unpublished_changes_show_changes_since_the_draft_began(client):
    route_map = build_route_map().route_map
    quiet = build_route_map().route_map
    alex = PublisherFactory(username="alex")
    edit(route_map, alex, status=Status.DELAYED)
    editing.route_map_publish(route_map=route_map, user=alex, note="First round")
    # A new draft: only changes since it began count.
    sam = EditorFactory(all_route_maps=True, username="sam")
    edit(route_map, sam, status=Status.IN_PROGRESS, progress_note="Begun")
    edit(route_map, sam, text="Reworded")
    client.force_login(EditorFactory(all_route_maps=True))
    drafts = section(client.get(DASHBOARD).content.decode(), "drafts")
    assert route_map.title in drafts
    assert quiet.title not in drafts
    assert "3 changes" in drafts  # status, progress note, text
    assert re.search(r"by sam</td>", drafts)


def test_no_drafts_says_so(client):
    build_route_map()
    client.force_login(EditorFactory(all_route_maps=True))
    body = client.get(DASHBOARD).content.decode()
    assert "No route map has unpublished changes." in body
    assert "0 route maps with unpublished changes" in body


@pytest.mark.dates
def test_overdue_milestones_are_counted_by_route_map_with_timeline_links(client, clock):
    clock.move_to(datetime.date(2026, 11, 30))  # 2024 and 2025 have ended
    edition = build_route_map()  # one milestone per year per outcome, all "No update yet"
    route_map = edition.route_map
    past = [m for m in Milestone.objects.filter(outcome__edition=edition) if m.is_overdue()]
    assert past
    achieved = past[0]
    achieved.status = Status.ACHIEVED
    achieved.save()
    expected = len(past) - 1
    client.force_login(EditorFactory(all_route_maps=True))
    overdue = section(client.get(DASHBOARD).content.decode(), "overdue")
    link = f'href="/timeline/?route_map={route_map.slug}&amp;overdue=on">{expected} overdue'
    assert link in overdue
    assert client.get(f"/timeline/?route_map={route_map.slug}&overdue=on").status_code == 200


def test_partner_updates_awaiting_review_are_counted_and_linked(client):
    edition = build_route_map()
    milestone = Milestone.objects.filter(outcome__edition=edition).first()
    organisation = OrganisationFactory()
    ProgressUpdateFactory.create_batch(2, milestone=milestone, organisation=organisation)
    ProgressUpdateFactory(
        milestone=milestone, organisation=organisation, state=ProgressUpdate.State.DECLINED
    )
    client.force_login(EditorFactory(all_route_maps=True))
    body = client.get(DASHBOARD).content.decode()
    assert '<a href="/edit/updates/">2 partner updates awaiting review</a>' in body
    assert "<strong>2</strong> updates are waiting for review." in body


def test_recent_publishes_show_the_last_ten_with_note_and_publisher(client):
    route_map = build_route_map().route_map
    pat = PublisherFactory(username="pat")
    for number in range(1, 12):
        edit(route_map, pat, progress_note=f"Note {number}")
        editing.route_map_publish(route_map=route_map, user=pat, note=f"Round {number} of work")
    client.force_login(EditorFactory(all_route_maps=True))
    publishes = section(client.get(DASHBOARD).content.decode(), "publishes")
    assert publishes.count('class="history-list__item"') == 10
    assert "Round 11 of work" in publishes
    assert "Round 2 of work" in publishes
    assert "Round 1 of work" not in publishes
    assert "published by pat on" in publishes


def test_an_assigned_editor_sees_only_their_route_maps(client):
    mine = build_route_map().route_map
    theirs = build_route_map().route_map
    editor = EditorFactory(route_maps=[mine])
    publisher = PublisherFactory()
    edit(mine, publisher, text="Mine changed")
    edit(theirs, publisher, text="Theirs changed")
    ProgressUpdateFactory(
        milestone=Milestone.objects.filter(outcome__edition__route_map=theirs).first(),
        organisation=OrganisationFactory(),
    )
    client.force_login(editor)
    body = client.get(DASHBOARD).content.decode()
    assert mine.title in section(body, "drafts")
    assert theirs.title not in body
    assert "0 partner updates awaiting review" in body


def test_people_without_a_role_cannot_see_the_dashboard(client):
    assert client.get(DASHBOARD).status_code == 302
    client.force_login(UserFactory())
    assert client.get(DASHBOARD).status_code == 403


@pytest.mark.parametrize("scale", [1, 10], ids=["1x", "10x"])
@pytest.mark.parametrize("role", ["editor", "assigned editor", "publisher"])
def test_dashboard_uses_a_bounded_number_of_queries(
    client, scale, role, django_assert_max_num_queries
):
    publisher = PublisherFactory()
    user = (
        PublisherFactory()
        if role == "publisher"
        else EditorFactory(all_route_maps=role == "editor")
    )
    organisation = OrganisationFactory()
    for _ in range(scale):
        route_map = build_route_map(outcomes=2).route_map
        if role == "assigned editor":
            route_map.editors.add(user)
        edit(route_map, publisher, text="Changed")
        editing.route_map_publish(route_map=route_map, user=publisher, note="Published")
        edit(route_map, publisher, status=Status.DELAYED)
        milestone = Milestone.objects.published().filter(outcome__edition__route_map=route_map)[0]
        ProgressUpdateFactory(milestone=milestone, organisation=organisation)
    RouteMapFactory()  # a route map without content
    client.force_login(user)
    # 12 for the page, 2 for the account's own and its groups' permissions (which route maps
    # it may edit), 1 for the source documents it edits (their partner updates are its to
    # review too) and 1 to save the session, which restarts its idle timer.
    with django_assert_max_num_queries(16):
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert f"{scale} partner update" in response.content.decode()


def test_route_maps_with_content_come_first_with_their_actions_and_empty_ones_share_a_line(
    client,
):
    published = build_route_map().route_map
    draft_only = RouteMapFactory(title="Only a draft")
    OutcomeFactory(edition=editing.edition_ensure_draft(route_map=draft_only))
    empty = [RouteMapFactory(title=f"Empty {n}") for n in range(3)]
    editing.edition_ensure_draft(route_map=empty[0])  # a draft without outcomes is still empty
    client.force_login(EditorFactory(all_route_maps=True))
    listing = section(client.get(DASHBOARD).content.decode(), "route-maps")
    items = listing[: listing.index("dashboard-empty-route-maps")]
    assert published.title in items
    assert "Only a draft" in items
    assert "Not published yet" in items
    for action in ("Edit", "Download CSV", "Import CSV", "View public page"):
        assert f">{action}<span" in items
    assert f"/edit/route-maps/{published.slug}/export.csv" in items
    empty_line = listing[listing.index("dashboard-empty-route-maps") :]
    assert "No content yet (" in empty_line
    for route_map in empty:
        assert f'<a href="/edit/route-maps/{route_map.slug}/">{route_map.title}</a>' in empty_line
        assert f"/edit/route-maps/{route_map.slug}/export.csv" not in listing
