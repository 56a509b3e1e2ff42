"""Public pages answer in a bounded number of queries, whatever the amount of data."""

import pytest

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


@pytest.mark.parametrize(
    "url_for",
    [
        lambda editions, orgs: "/",
        lambda editions, orgs: editions[0].route_map.get_absolute_url(),
        lambda editions, orgs: editions[0].outcomes.first().get_absolute_url(),
        lambda editions, orgs: orgs[0].get_absolute_url(),
        lambda editions, orgs: "/organisations/",
        lambda editions, orgs: "/api/route-maps/",
        lambda editions, orgs: f"/api/route-maps/{editions[0].route_map.slug}/",
        lambda editions, orgs: f"/api/organisations/{orgs[0].slug}/",
    ],
    ids=[
        "home",
        "route-map",
        "outcome",
        "organisation",
        "organisations",
        "api-list",
        "api-route-map",
        "api-organisation",
    ],
)
def test_public_pages_use_a_bounded_number_of_queries(
    client, volume, url_for, django_assert_max_num_queries
):
    editions, organisations = volume
    url = url_for(editions, organisations)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
