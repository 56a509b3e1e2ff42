"""The front page shows the plan's shape: its foundations in order, each with its route maps in
the plan's order and how many of them have content published."""

import re

import pytest

from routemap.models import Edition, Foundation, RouteMap
from tests.factories import (
    DraftEditionFactory,
    EditionFactory,
    FoundationFactory,
    RouteMapFactory,
    build_route_map,
)
from tests.test_home import home, section, text

pytestmark = pytest.mark.django_db


def foundation_part(page: str, slug: str) -> str:
    routes = section(page, "route-maps")
    start = routes.index(f'<h3 id="foundation-{slug}">')
    return routes[start : routes.index("</section>", start)]


def listed(part: str) -> list[str]:
    """The route maps of a foundation's list, in order, as a reader reads them."""
    return [text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", part, re.DOTALL)]


def test_foundations_come_in_the_plans_order(client, seeded):
    routes = text(section(home(client), "route-maps"))
    names = list(Foundation.objects.order_by("order", "name").values_list("name", flat=True))
    assert names == ["Voice", "Family", "Care", "People", "Scaffolding"]
    positions = [routes.index(f" {name} ") for name in names]
    assert positions == sorted(positions)


def test_each_foundation_lists_its_route_maps_in_the_plans_order(client, seeded):
    page = home(client)
    for foundation in Foundation.objects.all():
        expected = list(
            RouteMap.objects.filter(foundation=foundation)
            .order_by("order", "title")
            .values_list("title", flat=True)
        )
        found = [entry.split(" (")[0] for entry in listed(foundation_part(page, foundation.slug))]
        assert found == expected, foundation.name


def test_how_many_route_maps_have_content_is_counted_honestly(client, seeded):
    page = home(client)
    for foundation in Foundation.objects.all():
        route_maps = RouteMap.objects.filter(foundation=foundation)
        published = route_maps.filter(editions__state=Edition.State.PUBLISHED).distinct().count()
        part = text(foundation_part(page, foundation.slug))
        if route_maps.exists():
            total = route_maps.count()
            have = "has" if total == 1 else "have"
            assert f"{published} of {total} route map" in part
            assert f" {have} content published here." in part
        else:
            assert "The plan lists no route maps under this foundation here yet." in part


def test_order_then_title_decide_and_only_a_live_edition_counts(client):
    foundation = FoundationFactory(name="Care", slug="care")
    later = build_route_map(outcomes=1, title="Alpha comes later").route_map
    later.order, later.foundation = 2, foundation
    later.save()
    RouteMapFactory(title="Zulu comes first", order=1, foundation=foundation)
    draft_only = RouteMapFactory(title="Beta has only a draft", order=2, foundation=foundation)
    DraftEditionFactory(route_map=draft_only)
    superseded = RouteMapFactory(title="Gamma was withdrawn", order=3, foundation=foundation)
    EditionFactory(route_map=superseded, state=Edition.State.SUPERSEDED, number=1)

    part = foundation_part(home(client), "care")
    assert [entry.split(" (last updated")[0] for entry in listed(part)] == [
        "Zulu comes first (no content published yet)",
        "Alpha comes later",
        "Beta has only a draft (no content published yet)",
        "Gamma was withdrawn (no content published yet)",
    ]
    assert "1 of 4 route maps have content published here." in text(part)
    assert f'href="{later.get_absolute_url()}"' in part
    for empty in ["Zulu comes first", "Beta has only a draft", "Gamma was withdrawn"]:
        assert f'href="{RouteMap.objects.get(title=empty).get_absolute_url()}"' not in part


def test_route_maps_under_no_foundation_are_listed_the_same_way(client, seeded):
    part = foundation_part(home(client), "unplaced")
    assert "0 of 1 route map has content published here." in text(part)
    assert listed(part) == ["Rights and Restraint (no content published yet)"]


def test_the_plans_shape_costs_no_more_queries_with_more_route_maps(
    client, django_assert_max_num_queries
):
    foundation = FoundationFactory()
    build_route_map(outcomes=1)
    for n in range(12):
        RouteMapFactory(foundation=foundation, order=n)
        edition = build_route_map(outcomes=1)
        edition.route_map.foundation = foundation
        edition.route_map.save()
    with django_assert_max_num_queries(30):
        page = home(client)
    part = text(foundation_part(page, foundation.slug))
    assert "12 of 24 route maps have content published here." in part
