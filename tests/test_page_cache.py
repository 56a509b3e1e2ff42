"""The public page cache: compressed answers, conditional GETs, fresh pages the moment a
publish commits (and the PostgreSQL listener that hears of every publish), with nothing
signed-in or personal ever stored."""

import gzip
import time

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from core.pagecache import (
    VERSION_KEY,
    VersionListener,
    bump_published_version,
    published_version,
    refresh_after_migrate,
)
from editing import services
from milestones.models import Milestone
from tests.factories import EditorFactory, build_route_map

pytestmark = pytest.mark.django_db


@pytest.fixture
def route_map_url():
    return build_route_map(outcomes=2).route_map.get_absolute_url()


class TestCompression:
    def test_browsers_asking_for_gzip_get_the_same_page_compressed(self, client, route_map_url):
        plain = client.get(route_map_url)
        client.get(route_map_url, headers={"Accept-Encoding": "gzip, br"})
        compressed = client.get(route_map_url, headers={"Accept-Encoding": "gzip, br"})
        assert compressed["X-Cache"] == "hit"
        assert compressed["Content-Encoding"] == "gzip"
        assert int(compressed["Content-Length"]) < len(plain.content)
        assert gzip.decompress(compressed.content) == plain.content
        assert "Accept-Encoding" in compressed["Vary"]
        assert "Accept-Encoding" in plain["Vary"]
        assert not plain.has_header("Content-Encoding")

    def test_each_encoding_revalidates_with_its_own_etag(self, client, route_map_url):
        plain_etag = client.get(route_map_url)["ETag"]
        gzip_etag = client.get(route_map_url, headers={"Accept-Encoding": "gzip"})["ETag"]
        assert plain_etag != gzip_etag
        assert client.get(route_map_url, headers={"If-None-Match": plain_etag}).status_code == 304
        assert (
            client.get(
                route_map_url, headers={"If-None-Match": gzip_etag, "Accept-Encoding": "gzip"}
            ).status_code
            == 304
        )
        # A browser that asks for gzip with the plain page's ETag gets the compressed page.
        response = client.get(
            route_map_url, headers={"If-None-Match": plain_etag, "Accept-Encoding": "gzip"}
        )
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"


class TestConditionalGet:
    def test_last_modified_is_the_publish_time_and_if_modified_since_gives_304(
        self, client, route_map_url
    ):
        response = client.get(route_map_url)
        last_modified = response["Last-Modified"]
        assert last_modified.endswith("GMT")
        again = client.get(route_map_url, headers={"If-Modified-Since": last_modified})
        assert again.status_code == 304
        assert again["ETag"] == response["ETag"]

    def test_an_older_copy_is_sent_the_page_after_a_publish(self, client, route_map_url):
        last_modified = client.get(route_map_url)["Last-Modified"]
        time.sleep(1.01)  # Last-Modified has whole seconds
        bump_published_version()
        response = client.get(route_map_url, headers={"If-Modified-Since": last_modified})
        assert response.status_code == 200
        assert response["Last-Modified"] != last_modified

    def test_if_none_match_wins_over_if_modified_since(self, client, route_map_url):
        last_modified = client.get(route_map_url)["Last-Modified"]
        response = client.get(
            route_map_url,
            headers={"If-Modified-Since": last_modified, "If-None-Match": '"something-else"'},
        )
        assert response.status_code == 200

    def test_browsers_must_ask_again_before_reusing_a_page(self, client, route_map_url):
        for _ in range(2):  # missed, then served from the cache
            response = client.get(route_map_url)
            assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
            assert not response.has_header("Expires")


def test_cached_pages_keep_the_security_headers_they_were_rendered_with(client, route_map_url):
    first = client.get(route_map_url)
    second = client.get(route_map_url)
    assert second["X-Cache"] == "hit"
    for header in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
    ):
        assert second[header] == first[header], header
    assert "unsafe-inline" not in second["Content-Security-Policy"]


def test_a_migration_refreshes_every_cached_page():
    before = published_version()
    time.sleep(0.001)
    refresh_after_migrate()
    assert published_version() != before


class TestFreshOnPublish:
    def test_every_server_sees_a_publish_through_the_shared_version(self, client, route_map_url):
        """Servers share nothing but the cache: the version there is all they go by."""
        client.get(route_map_url)
        assert client.get(route_map_url)["X-Cache"] == "hit"
        cache.set(VERSION_KEY, str(time.time_ns()), None)  # as another server's publish
        assert client.get(route_map_url)["X-Cache"] == "miss"

    @pytest.mark.django_db(transaction=True)
    def test_a_page_read_while_a_publish_commits_is_not_kept_past_it(self, client):
        """Whatever was stored while the publish was under way, the version changes again when
        it commits, so the first reader after it gets a freshly rendered page."""
        edition = build_route_map(outcomes=1)
        route_map = edition.route_map
        url = route_map.get_absolute_url()
        milestone = Milestone.objects.filter(outcome__edition=edition).first()
        services.milestone_update(
            route_map=route_map,
            key=milestone.key,
            user=None,
            values={"progress_note": "Committed at last"},
            organisations=[],
            expected_revision=milestone.revision,
        )
        client.get(url)
        with transaction.atomic():
            services.route_map_publish(route_map=route_map, user=None, note="New note")
            client.get(url)  # stored under the version the publish set before committing
        after = client.get(url)
        assert after["X-Cache"] == "miss"
        assert "Committed at last" in after.content.decode()


class TestNeverStored:
    def test_a_page_that_sets_a_cookie_is_never_stored(self, client, route_map_url):
        # A malformed CSRF cookie is replaced: that answer sets a cookie of the reader's own.
        client.cookies["csrftoken"] = "malformed"
        own = client.get(route_map_url)
        assert own.cookies["csrftoken"].value != "malformed"
        assert "X-Cache" not in own
        del client.cookies["csrftoken"]
        shared = client.get(route_map_url)
        assert shared["X-Cache"] == "miss"
        assert "csrftoken" not in shared.cookies

    def test_a_signed_in_page_is_never_served_to_an_anonymous_reader(self, client, route_map_url):
        client.force_login(EditorFactory(all_route_maps=True))
        signed_in = client.get(route_map_url)
        assert "Edit this route map" in signed_in.content.decode()
        client.logout()
        anonymous = client.get(route_map_url)
        assert anonymous["X-Cache"] == "miss"
        assert "Edit this route map" not in anonymous.content.decode()
        assert "Edit this route map" not in client.get(route_map_url).content.decode()


def heard(listener, version, seconds=5.0):
    """Notifications reach the listener's socket a moment after the commit."""
    deadline = time.monotonic() + seconds
    while listener.current() != version and time.monotonic() < deadline:
        time.sleep(0.01)
    return listener.current() == version


@pytest.mark.django_db(transaction=True)
class TestVersionListener:
    """On PostgreSQL each worker hears of publishes over LISTEN/NOTIFY."""

    @pytest.fixture
    def listener(self):
        if connection.vendor != "postgresql":
            pytest.skip("LISTEN/NOTIFY needs PostgreSQL")
        listener = VersionListener(retry_seconds=0)
        yield listener
        listener.close()

    def test_it_knows_the_version_and_hears_each_publish(self, listener):
        assert listener.current() == published_version()
        bump_published_version()
        assert heard(listener, published_version())

    def test_a_publish_is_heard_when_it_commits_and_not_if_it_rolls_back(self, listener):
        before = listener.current()
        with transaction.atomic():
            bump_published_version()
            assert not heard(listener, published_version(), seconds=0.3)
            assert listener.current() == before
        assert heard(listener, published_version())

        class Abandon(Exception):
            pass

        committed = listener.current()
        with pytest.raises(Abandon), transaction.atomic():
            bump_published_version()
            raise Abandon
        time.sleep(0.3)
        assert listener.current() == committed

    def test_a_lost_connection_means_asking_the_cache_until_it_is_back(self, listener):
        listener.current()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [listener.conn.info.backend_pid])
        time.sleep(0.2)
        assert listener.current() is None
        assert listener.current() == published_version()  # reconnected (retry_seconds=0)
