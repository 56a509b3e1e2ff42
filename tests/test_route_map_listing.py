"""A route map created in the editor is as unpublished as its content: its title and place
appear nowhere public (home page, its pages, feeds, API, timeline and subscription choices)
until its first version is published. The plan's own route maps are named before they have
content, as "no content published yet"."""

import pytest
from django.urls import reverse

from editing import services
from routemap.models import RouteMap
from tests.factories import FoundationFactory, PublisherFactory, RouteMapFactory

pytestmark = pytest.mark.django_db

TITLE = "Brothers and sisters"


@pytest.fixture
def created():
    """A route map made in the editor, with one outcome in its draft."""
    publisher = PublisherFactory()
    route_map = services.route_map_create(
        user=publisher, title=TITLE, foundation=FoundationFactory(name="Care")
    )
    services.outcome_add(
        route_map=route_map,
        user=publisher,
        values={"title": "Kept together", "statement": "Brothers and sisters live together."},
        organisations=[],
        linked_route_maps=[],
    )
    return route_map, publisher


def public_places(client, route_map) -> dict[str, tuple[int, str]]:
    slug = route_map.slug
    urls = {
        "home": "/",
        "page": route_map.get_absolute_url(),
        "changes": f"/route-maps/{slug}/changes/",
        "feed": f"/route-maps/{slug}/updates.atom",
        "api list": "/api/route-maps/",
        "api detail": f"/api/route-maps/{slug}/",
        "timeline": "/timeline/",
        "subscribe": reverse("subscriptions:new"),
    }
    found = {}
    for name, url in urls.items():
        response = client.get(url)
        found[name] = (response.status_code, response.content.decode())
    return found


def test_a_new_route_map_is_named_nowhere_public_before_it_is_published(client, created):
    route_map, _ = created
    places = public_places(client, route_map)
    for name in ("page", "changes", "feed", "api detail"):
        assert places[name][0] == 404, name
    for name in ("home", "api list", "timeline", "subscribe"):
        status, body = places[name]
        assert status == 200, name
        assert TITLE not in body, name
        assert route_map.slug not in body, name


def test_once_published_it_is_listed_everywhere(client, created):
    route_map, publisher = created
    services.route_map_publish(route_map=route_map, user=publisher, note="First version.")
    route_map.refresh_from_db()
    assert route_map.is_listed
    places = public_places(client, route_map)
    for name, (status, body) in places.items():
        assert status == 200, name
        assert TITLE in body, name


def test_the_plans_own_route_maps_are_named_before_they_have_content(client):
    RouteMapFactory(title="Listening", foundation=FoundationFactory(name="Voice"))
    home = client.get("/").content.decode()
    assert "Listening" in home
    assert "no content published yet" in home
    assert RouteMap.objects.listed().count() == 1
