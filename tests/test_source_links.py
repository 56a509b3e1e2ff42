"""Route maps and source documents link to the originals they were copied from."""

import pytest
import yaml

from routemap.models import RouteMap
from seeding.routemaps import load_plan
from tests.factories import SourceDocumentFactory

pytestmark = pytest.mark.django_db

ROUTE_MAP = "/route-maps/where-children-live/"


def test_a_route_map_links_to_its_original_where_known(client, seeded):
    page = client.get(ROUTE_MAP).content.decode()
    # The seed text gives no address for the original, so none is shown.
    assert "Read the original route map" not in page
    route_map = RouteMap.objects.get(slug="where-children-live")
    route_map.source_url = "https://www.plan2430.scot/route-maps/where-children-live/"
    route_map.save()  # as in the admin: cached pages are refreshed
    page = client.get(ROUTE_MAP).content.decode()
    assert (
        '<a href="https://www.plan2430.scot/route-maps/where-children-live/">'
        "Read the original route map on plan2430.scot</a>"
    ) in page


def test_the_seed_sets_a_source_url_only_where_the_plan_gives_one(db, tmp_path):
    plan = tmp_path / "plan.yaml"
    data = {
        "foundations": [{"slug": "care", "name": "Care"}],
        "route_maps": [
            {"slug": "stability", "title": "Stability", "foundation": "care"},
            {
                "slug": "homes",
                "title": "Homes",
                "foundation": "care",
                "source_url": "https://www.plan2430.scot/homes/",
            },
        ],
    }
    plan.write_text(yaml.safe_dump(data))
    load_plan(plan)
    assert RouteMap.objects.get(slug="homes").source_url == "https://www.plan2430.scot/homes/"
    assert RouteMap.objects.get(slug="stability").source_url == ""
    # A link an editor added is kept when the plan says nothing about it.
    RouteMap.objects.filter(slug="stability").update(source_url="https://example.org/stability")
    load_plan(plan)
    assert RouteMap.objects.get(slug="stability").source_url == "https://example.org/stability"


def test_a_source_document_links_to_its_original(client):
    document = SourceDocumentFactory(url="https://www.gov.scot/publications/secure-care/")
    page = client.get(document.get_absolute_url()).content.decode()
    assert (
        '<a href="https://www.gov.scot/publications/secure-care/">'
        "Read the original government response on gov.scot</a>"
    ) in page
    plain = SourceDocumentFactory(url="")
    assert "Read the original" not in client.get(plain.get_absolute_url()).content.decode()
