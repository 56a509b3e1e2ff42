"""Adding a body that is not listed, from the editor: editors and publishers, a check against
bodies it might be, no second body of the same name, and back to the form the editor came
from (never to another site)."""

import pytest
from django.urls import reverse

from organisations.models import Organisation, Sector
from tests.factories import (
    EditorFactory,
    OrganisationFactory,
    PublisherFactory,
    UserFactory,
    build_route_map,
    partner_for,
)

pytestmark = pytest.mark.django_db

NEW = reverse("editing:organisation_new")


def add(client, query="", **data):
    return client.post(
        NEW + query, {"name": "Kinship Care Scotland", "sector": "third-sector", **data}
    )


def test_anonymous_readers_are_sent_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_partners_and_people_without_a_role_cannot_add_bodies(client):
    client.force_login(partner_for(OrganisationFactory()))
    assert add(client).status_code == 403
    client.force_login(UserFactory())
    assert client.get(NEW).status_code == 403
    assert not Organisation.objects.filter(name="Kinship Care Scotland").exists()


@pytest.mark.parametrize("make_user", [EditorFactory, PublisherFactory])
def test_editors_and_publishers_add_a_body_and_go_back(client, make_user):
    client.force_login(make_user())
    back = "/edit/route-maps/where-children-live/outcomes/new/"
    page = client.get(NEW, {"next": back}).content.decode()
    assert f'value="{back}"' in page
    response = add(client, abbreviation=" KCS ", next=back)
    assert response.status_code == 302
    assert response["Location"] == back
    body = Organisation.objects.get(name="Kinship Care Scotland")
    assert (body.slug, body.sector, body.abbreviation) == (
        "kinship-care-scotland",
        Sector.THIRD_SECTOR,
        "KCS",
    )


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/steal", "//evil.example/", "javascript:alert(1)"],
)
def test_next_never_leads_to_another_site(client, next_url):
    client.force_login(EditorFactory())
    page = client.get(NEW, {"next": next_url}).content.decode()
    assert "evil.example" not in page
    response = add(client, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("editing:dashboard")


def test_the_same_name_in_any_case_is_refused(client):
    existing = OrganisationFactory(name="Care Inspectorate", slug="care-inspectorate")
    client.force_login(EditorFactory())
    response = add(client, name="  care   INSPECTORATE ", different_body="on")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is already an organisation called “care INSPECTORATE”." in page
    assert existing.get_absolute_url() in page
    assert Organisation.objects.count() == 1


def test_a_name_like_a_known_body_asks_first(client):
    boards = OrganisationFactory(name="NHS Health Boards", slug="nhs-health-boards")
    client.force_login(EditorFactory())
    response = add(client, name="Health boards", sector="health")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Is it one of these?" in page
    assert boards.get_absolute_url() in page
    assert "No, this is a different body" in page
    assert 'value="Health boards"' in page  # what was typed is kept
    assert not Organisation.objects.filter(name="Health boards").exists()

    response = add(client, name="Health boards", sector="health", different_body="on")
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Health boards", sector="health").exists()


def test_a_name_and_sector_are_needed(client):
    client.force_login(EditorFactory())
    page = client.post(NEW, {"name": "", "sector": ""}).content.decode()
    assert "Enter the organisation&#x27;s name." in page
    assert "Choose the sector it belongs to." in page
    assert not Organisation.objects.exists()


def test_a_slug_already_taken_gets_a_number(client):
    OrganisationFactory(name="Kinship care (Scotland)", slug="kinship-care-scotland")
    client.force_login(EditorFactory())
    add(client, different_body="on")
    assert Organisation.objects.get(name="Kinship Care Scotland").slug == "kinship-care-scotland-2"


def test_the_outcome_and_milestone_forms_link_to_adding_a_body(client):
    edition = build_route_map(outcomes=1)
    route_map, outcome = edition.route_map, edition.outcomes.get()
    milestone = outcome.milestones.first()
    client.force_login(EditorFactory(route_maps=[route_map]))
    for url in [
        reverse("editing:outcome", args=[route_map.slug, outcome.key]),
        reverse("editing:outcome_add", args=[route_map.slug]),
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        reverse("editing:milestone_add", args=[route_map.slug, outcome.key]),
    ]:
        page = client.get(url).content.decode()
        assert "Add a body that is not listed" in page, url
        assert f"{NEW}?next={url}" in page, url


def test_the_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    OrganisationFactory.create_batch(30)
    client.force_login(EditorFactory())
    with django_assert_max_num_queries(8):
        assert client.get(NEW).status_code == 200
    with django_assert_max_num_queries(10):
        assert add(client, name="Organisation 1").status_code == 200
