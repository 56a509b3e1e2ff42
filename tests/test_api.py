"""The read-only JSON API."""

import pytest

pytestmark = pytest.mark.django_db


def test_route_map_list(client, seeded):
    data = client.get("/api/route-maps/").json()
    entry = next(rm for rm in data["route_maps"] if rm["slug"] == "where-children-live")
    assert entry["title"] == "Where children live"
    assert entry["foundation"] == "Care"
    assert entry["url"] == "http://testserver/route-maps/where-children-live/"
    unplaced = next(rm for rm in data["route_maps"] if rm["slug"] == "rights-and-restraint")
    assert unplaced["foundation"] is None


def test_route_map_detail(client, seeded):
    data = client.get("/api/route-maps/where-children-live/").json()
    assert data["slug"] == "where-children-live"
    assert data["last_updated"] == "2025-12-01"
    assert data["summary"].startswith("There is ongoing work")
    assert len(data["what_matters"]) == 3
    assert [o["order"] for o in data["outcomes"]] == [1, 2, 3, 4, 5, 6, 7]
    cross_border = data["outcomes"][6]
    assert cross_border["title"] == "Cross-border placements"
    assert {"date": "2022-06-24"}.items() <= cross_border["progress"][3].items()
    assert {"slug": "cosla", "role": None} in cross_border["organisations"]
    assert "rights-and-restraint" in cross_border["linked_route_maps"]
    milestone = cross_border["milestones"][0]
    assert set(milestone) >= {"year", "text", "status", "organisations"}
    assert milestone["status"] == "no_update"
    assert all(2024 <= m["year"] <= 2030 for m in cross_border["milestones"])


def test_organisation_endpoints(client, seeded):
    organisations = client.get("/api/organisations/").json()["organisations"]
    assert any(o["slug"] == "cosla" and o["abbreviation"] == "COSLA" for o in organisations)
    detail = client.get("/api/organisations/care-inspectorate/").json()
    assert detail["name"] == "Care Inspectorate"
    assert detail["milestones"]
    assert all(m["route_map"] == "where-children-live" for m in detail["milestones"])


@pytest.mark.parametrize(
    "url", ["/api/route-maps/no-such-map/", "/api/organisations/nobody/", "/api/nothing-here/"]
)
def test_unknown_slugs_give_404_json(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()


def test_api_is_read_only(client, seeded):
    response = client.post("/api/route-maps/", {})
    assert response.status_code in (403, 405)
