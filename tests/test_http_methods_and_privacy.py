"""HEAD works wherever GET does on public pages, and personal responses are kept out of every
cache (browsers', proxies' and the public page cache) with `Cache-Control: private, no-store`."""

import pytest

from tests.factories import (
    ConsultationFactory,
    ConsultationResponseFactory,
    EditorFactory,
    ModeratorFactory,
    build_route_map,
    build_source_document,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_urls():
    edition = build_route_map(outcomes=1)
    route_map = edition.route_map
    outcome = edition.outcomes.first()
    organisation = outcome.organisation_links.first().organisation
    document = build_source_document(commitments=1)
    consultation = ConsultationFactory()
    return [
        "/",
        "/accessibility/",
        "/open-data/",
        route_map.get_absolute_url(),
        outcome.get_absolute_url(),
        f"/route-maps/{route_map.slug}/changes/",
        f"/route-maps/{route_map.slug}/updates.atom",
        "/organisations/",
        organisation.get_absolute_url(),
        f"/organisations/{organisation.slug}/calendar.ics",
        "/timeline/",
        "/timeline/export.csv",
        "/timeline/export.json",
        "/search/?q=route",
        "/sources/",
        f"/sources/{document.slug}/",
        f"/sources/{document.slug}/changes/",
        f"/sources/{document.slug}/updates.atom",
        f"/sources/{consultation.slug}/thank-you/",
        "/feeds/updates.atom",
        "/api/route-maps/",
        f"/api/route-maps/{route_map.slug}/",
        "/api/organisations/",
        "/api/sources/",
        "/api/openapi.json",
    ]


def test_head_answers_like_get_on_every_public_page_cached_or_not(client, public_urls):
    for url in public_urls:
        for attempt in ("uncached", "cached"):
            response = client.head(url)
            assert (url, attempt, response.status_code) == (url, attempt, 200)
            body = b"".join(response) if response.streaming else response.content
            assert body == b""


PRIVATE = ("private", "no-store")


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def test_public_pages_seen_by_a_signed_in_person_are_private_and_never_cached(client):
    url = build_route_map(outcomes=1).route_map.get_absolute_url()
    client.force_login(EditorFactory())
    for _ in range(2):
        response = client.get(url)
        assert cache_control(response) >= set(PRIVATE)
        assert "X-Cache" not in response
    client.logout()
    assert client.get(url)["X-Cache"] == "miss"  # nothing was stored for anyone else


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/my-organisation/", "/edit/", "/admin/login/"]
)
def test_account_editor_and_partner_pages_are_private_for_anyone(client, url):
    response = client.get(url)
    assert cache_control(response) >= set(PRIVATE)
    assert "X-Cache" not in response


def test_editor_pages_are_private(client):
    build_route_map(outcomes=1)
    client.force_login(EditorFactory())
    response = client.get("/edit/")
    assert response.status_code == 200
    assert cache_control(response) >= set(PRIVATE)


def test_the_consultation_responses_export_with_names_is_private(client):
    consultation = ConsultationFactory()
    ConsultationResponseFactory(document=consultation, name="A Respondent")
    client.force_login(ModeratorFactory())
    response = client.get(f"/edit/sources/{consultation.slug}/responses.csv")
    assert response.status_code == 200
    assert "A Respondent" in response.content.decode()
    assert cache_control(response) >= set(PRIVATE)


def test_anonymous_public_pages_stay_publicly_cacheable(client):
    response = client.get(build_route_map(outcomes=1).route_map.get_absolute_url())
    assert "private" not in cache_control(response)
    assert "no-store" not in cache_control(response)
