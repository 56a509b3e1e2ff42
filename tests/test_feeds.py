"""Atom feeds of published route map updates."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from core import clock
from milestones.models import Status, day_in_words
from publishing.services import edition_publish
from tests.factories import (
    DraftEditionFactory,
    MilestoneFactory,
    OutcomeFactory,
    RouteMapFactory,
    build_route_map,
    draft_copy,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


def republish(live, *, note="Statuses brought up to date.", status=Status.IN_PROGRESS):
    return edition_publish(edition=draft_copy(live, milestone_status=status), note=note)


def test_feed_has_an_entry_per_publish_with_what_changed(client):
    first = build_route_map(outcomes=1)
    second = republish(first, note="Statuses brought up to date.")

    root = parse(client.get("/feeds/updates.atom"))

    found = entries(root)
    assert [e.findtext(f"{ATOM}title") for e in found] == [
        f"{first.route_map.title} updated: version 2",
        f"{first.route_map.title} updated: version 1",
    ]
    newest = found[0]
    summary = newest.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<p>Statuses brought up to date.</p>" in summary.text
    today = day_in_words(clock.today())
    assert (
        f"Status changed from No update yet to In progress, updated {today} by Promise Scotland"
        in summary.text
    )
    published = datetime.datetime.fromisoformat(newest.findtext(f"{ATOM}published"))
    updated = datetime.datetime.fromisoformat(newest.findtext(f"{ATOM}updated"))
    assert published == updated == second.published_at
    link = newest.find(f"{ATOM}link")
    assert link.get("rel") == "alternate"
    assert link.get("href") == f"http://testserver/route-maps/{first.route_map.slug}/changes/"
    # The first version is described against nothing: everything was added.
    assert "Outcome added" in found[1].find(f"{ATOM}summary").text


def test_entry_ids_are_unique_and_stay_the_same(client):
    first = build_route_map(outcomes=1)
    republish(first)
    build_route_map(outcomes=1)

    ids = [e.findtext(f"{ATOM}id") for e in entries(parse(client.get("/feeds/updates.atom")))]
    again = [e.findtext(f"{ATOM}id") for e in entries(parse(client.get("/feeds/updates.atom")))]

    assert len(ids) == len(set(ids)) == 3
    assert all(i.startswith("urn:uuid:") for i in ids)
    assert sorted(ids) == sorted(again)
    per_map = entries(parse(client.get(f"/route-maps/{first.route_map.slug}/updates.atom")))
    assert {e.findtext(f"{ATOM}id") for e in per_map} <= set(ids)


def test_route_map_feed_lists_only_that_route_map(client):
    mine = build_route_map(outcomes=1)
    republish(mine)
    other = build_route_map(outcomes=1)

    root = parse(client.get(f"/route-maps/{mine.route_map.slug}/updates.atom"))

    assert root.findtext(f"{ATOM}title") == f"{mine.route_map.title}: updates"
    titles = [e.findtext(f"{ATOM}title") for e in entries(root)]
    assert titles == [
        f"{mine.route_map.title} updated: version 2",
        f"{mine.route_map.title} updated: version 1",
    ]
    assert other.route_map.title not in response_text(client, mine.route_map.slug)


def response_text(client, slug: str) -> str:
    return client.get(f"/route-maps/{slug}/updates.atom").content.decode()


def test_unknown_route_map_feed_is_404(client):
    assert client.get("/route-maps/no-such-map/updates.atom").status_code == 404


def test_drafts_never_appear_in_feeds(client):
    live = build_route_map(outcomes=1)
    draft = DraftEditionFactory(route_map=live.route_map, change_note="Secret draft note")
    MilestoneFactory(outcome=OutcomeFactory(edition=draft), text="Unpublished milestone")
    unpublished_map = RouteMapFactory(title="Only a draft so far")
    DraftEditionFactory(route_map=unpublished_map)

    for url in ["/feeds/updates.atom", f"/route-maps/{live.route_map.slug}/updates.atom"]:
        body = client.get(url).content.decode()
        assert "Secret draft" not in body
        assert "Unpublished milestone" not in body
        assert "Only a draft so far" not in body
        assert len(entries(parse(client.get(url)))) == 1


def test_hostile_text_is_escaped(client):
    hostile = '<script>alert("x")</script> & <b onmouseover="x()">'
    live = build_route_map(outcomes=1, milestones_per_year=0)
    live.route_map.title = f"Map {hostile}"
    live.route_map.save()
    draft = draft_copy(live)
    MilestoneFactory(outcome=draft.outcomes.get(), year=2027, text=f"Milestone {hostile}")
    edition_publish(edition=draft, note=f"Note {hostile}")

    response = client.get(f"/route-maps/{live.route_map.slug}/updates.atom")
    root = parse(response)  # well-formed XML despite the markup in the text

    assert b"<script>" not in response.content
    entry = entries(root)[0]
    assert entry.findtext(f"{ATOM}title") == f"Map {hostile} updated: version 2"
    summary = entry.findtext(f"{ATOM}summary")
    # The summary is HTML: hostile markup arrives as escaped text, never as tags.
    assert "<script>" not in summary
    assert "<b onmouseover" not in summary
    assert "Milestone &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" in summary
    assert "<p>Note" in summary


def test_feed_keeps_the_latest_fifty_publishes(client):
    live = build_route_map(outcomes=1, milestones_per_year=0)
    for _ in range(51):
        live = edition_publish(edition=draft_copy(live), note="Again")

    found = entries(parse(client.get("/feeds/updates.atom")))

    assert len(found) == 50
    assert found[0].findtext(f"{ATOM}title").endswith("version 52")


def test_empty_feed_is_valid(client):
    root = parse(client.get("/feeds/updates.atom"))
    assert entries(root) == []
    assert root.findtext(f"{ATOM}updated")


def test_route_map_page_links_to_its_feed(client):
    live = build_route_map(outcomes=1)
    html = client.get(live.route_map.get_absolute_url()).content.decode()
    feed_url = f"/route-maps/{live.route_map.slug}/updates.atom"
    head = html.split("</head>")[0]
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="{live.route_map.title}: '
        f'updates" href="{feed_url}">'
    ) in head
    assert "Subscribe to updates (Atom)" in html


@pytest.fixture(params=[1, 10], ids=["1x", "10x"])
def published_twice(request):
    editions = []
    for _ in range(request.param):
        editions.append(republish(build_route_map(outcomes=2)))
    return editions


@pytest.mark.parametrize("per_map", [False, True], ids=["site", "route-map"])
def test_feeds_use_a_bounded_number_of_queries(
    client, published_twice, per_map, django_assert_max_num_queries
):
    slug = published_twice[0].route_map.slug
    url = f"/route-maps/{slug}/updates.atom" if per_map else "/feeds/updates.atom"
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(entries(parse(response))) == (2 if per_map else 2 * len(published_twice))


def test_entries_are_dated_when_published(client):
    live = build_route_map(outcomes=1)
    live.published_at = timezone.make_aware(datetime.datetime(2025, 3, 1, 9, 30))
    live.save()

    entry = entries(parse(client.get("/feeds/updates.atom")))[0]

    assert datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == (
        live.published_at
    )
