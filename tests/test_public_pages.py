"""Public pages: what a reader sees, with no sign-in, and never draft content."""

import pytest
from django.urls import reverse

from tests.factories import (
    DraftEditionFactory,
    MilestoneFactory,
    OutcomeFactory,
    RouteMapFactory,
    build_route_map,
)

pytestmark = pytest.mark.django_db


def test_home_lists_foundations_and_their_route_maps(client, seeded):
    page = client.get("/").content.decode()
    for name in ["Voice", "Family", "Care", "People", "Scaffolding"]:
        assert f">{name}</h3>" in page
    assert 'href="/route-maps/where-children-live/"' in page
    assert "Rights and Restraint" in page  # named, though nothing is published for it yet


def test_page_chrome_has_skip_link_hide_page_and_accessibility_link(client, seeded):
    page = client.get("/").content.decode()
    assert 'href="#main-content">Skip to main content' in page
    assert 'id="main-content"' in page
    assert "js-hide-page" in page and "Hide this page" in page
    assert 'href="/accessibility/"' in page
    assert "/static/django-htmx/" in page or "htmx" in page


def test_route_map_page_shows_the_real_content(client, seeded):
    page = client.get("/route-maps/where-children-live/").content.decode()
    assert '<h1 class="ds_page-header__title">Where children live</h1>' in page
    assert "December 2025" in page
    assert "There is ongoing work to ensure all children" in page
    for title in ["Kinship care", "Adoption", "Secure care", "Cross-border placements"]:
        assert f">{title}</h2>" in page
    assert "Progress so far" in page
    assert "Work that began in 2026 and 2027 will continue to progress" in page
    assert "There are no milestones identified for this year yet." in page
    assert 'href="/organisations/care-inspectorate/"' in page
    assert 'href="/route-maps/rights-and-restraint/"' in page
    assert "What matters to children, families, and care experienced adults" in page
    assert 'id="outcome-kinship-care-year-2027"' in page


def test_a_past_year_with_nothing_planned_points_to_progress(client, seeded):
    page = client.get("/route-maps/where-children-live/outcomes/kinship-care/").content.decode()
    assert "No milestones were set for 2024" in page


def test_outcome_has_its_own_page(client, seeded):
    response = client.get("/route-maps/where-children-live/outcomes/secure-care/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="ds_page-header__title">Secure care</h1>' in page
    assert "By April 2027 at the latest" in page
    assert "The route map does not yet say who needs to work on this outcome." in page


def test_route_map_without_content_says_so(client, seeded):
    page = client.get("/route-maps/listening/").content.decode()
    assert "There is no content for this route map here yet." in page


@pytest.mark.parametrize(
    "url",
    [
        "/route-maps/no-such-map/",
        "/route-maps/where-children-live/outcomes/no-such-outcome/",
        "/organisations/no-such-body/",
    ],
)
def test_unknown_pages_are_404(client, seeded, url):
    assert client.get(url).status_code == 404


def test_organisation_page_lists_its_milestones_by_route_map_outcome_and_year(client, seeded):
    page = client.get("/organisations/care-inspectorate/").content.decode()
    assert '<h1 class="ds_page-header__title">Care Inspectorate</h1>' in page
    assert "Where children live" in page
    assert "Cross-border placements" in page
    assert "<h4>2026</h4>" in page


def test_organisation_list_groups_by_sector(client, seeded):
    page = client.get(reverse("organisations:list")).content.decode()
    assert "<h2>Local government</h2>" in page
    assert "Convention of Scottish Local Authorities (COSLA)" in page


def test_draft_content_is_never_shown(client):
    edition = build_route_map(outcomes=1)
    draft = DraftEditionFactory(route_map=edition.route_map)
    draft_outcome = OutcomeFactory(edition=draft, title="Secret draft outcome")
    MilestoneFactory(outcome=draft_outcome, text="Unpublished milestone text")
    for url in [
        "/",
        edition.route_map.get_absolute_url(),
        "/api/route-maps/",
        f"/api/route-maps/{edition.route_map.slug}/",
    ]:
        body = client.get(url).content.decode()
        assert "Secret draft outcome" not in body
        assert "Unpublished milestone text" not in body


def test_route_map_with_only_a_draft_looks_empty_to_the_public(client):
    route_map = RouteMapFactory()
    OutcomeFactory(edition=DraftEditionFactory(route_map=route_map), title="Draft only")
    page = client.get(route_map.get_absolute_url()).content.decode()
    assert "There is no content for this route map here yet." in page
    assert "Draft only" not in page


def test_user_text_is_shown_inert(client):
    edition = build_route_map(outcomes=1)
    outcome = edition.outcomes.get()
    MilestoneFactory(
        outcome=outcome,
        text='<script>alert("x")</script> <a href="javascript:alert(1)" onclick="x()">link</a>',
    )
    page = client.get(edition.route_map.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "javascript:alert" not in page
    assert "onclick" not in page
