"""The public page cache: compressed answers, conditional GETs, the WSGI layer that answers
cached pages before Django, and the PostgreSQL listener that hears of every publish."""

import gzip
import io
import time

import pytest
from django.db import connection, transaction
from django.test import RequestFactory

from core import pagecache
from core.pagecache import (
    PublicPageServer,
    VersionListener,
    bump_published_version,
    published_version,
    refresh_after_migrate,
)
from tests.factories import build_route_map

pytestmark = pytest.mark.django_db


@pytest.fixture
def route_map_url():
    return build_route_map(outcomes=2).route_map.get_absolute_url()


class TestCompression:
    def test_browsers_asking_for_gzip_get_the_same_page_compressed(self, client, route_map_url):
        plain = client.get(route_map_url)
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

    def test_only_text_worth_compressing_is_compressed(self):
        assert pagecache.gzipped(b"<p>short</p>", "text/html; charset=utf-8") is None
        assert pagecache.gzipped(b"\x89PNG" * 1000, "image/png") is None
        assert pagecache.gzipped(b'{"a": 1}' * 1000, "application/json") is not None


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


class CountingApp:
    """A WSGI application, counting the requests that reach it."""

    def __init__(self, application):
        self.application = application
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.application(environ, start_response)


def wsgi_get(server, path, **meta):
    request = RequestFactory().get(path, **meta)
    environ = {**request.environ, "wsgi.input": io.BytesIO()}
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered["status"] = status
        answered["headers"] = dict(headers)

    body = b"".join(server(environ, start_response))
    return answered["status"], answered["headers"], body


class TestPublicPageServer:
    @pytest.fixture
    def django_app(self, wsgi_app):
        return CountingApp(wsgi_app)

    @pytest.fixture
    def server(self, django_app):
        return PublicPageServer(django_app, version=published_version)

    def test_a_stored_page_is_answered_without_entering_django(
        self, server, django_app, route_map_url
    ):
        status, headers, first = wsgi_get(server, route_map_url)
        assert (status, headers["X-Cache"], django_app.calls) == ("200 OK", "miss", 1)
        status, headers, second = wsgi_get(server, route_map_url)
        assert (status, headers["X-Cache"], django_app.calls) == ("200 OK", "hit", 1)
        assert second == first
        assert headers["Content-Length"] == str(len(first))
        assert "Content-Security-Policy" in headers

    def test_it_answers_conditional_gets_and_compressed_requests(
        self, server, django_app, route_map_url
    ):
        _, headers, body = wsgi_get(server, route_map_url)
        status, _, empty = wsgi_get(server, route_map_url, HTTP_IF_NONE_MATCH=headers["ETag"])
        assert (status, empty) == ("304 Not Modified", b"")
        _, gz_headers, gz_body = wsgi_get(server, route_map_url, HTTP_ACCEPT_ENCODING="gzip")
        assert gz_headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(gz_body) == body
        assert django_app.calls == 1

    def test_signed_in_people_and_other_hosts_always_reach_django(
        self, server, django_app, route_map_url
    ):
        wsgi_get(server, route_map_url)
        wsgi_get(server, route_map_url, HTTP_COOKIE="sessionid=abc")
        wsgi_get(server, route_map_url, HTTP_HOST="elsewhere.example")
        wsgi_get(server, "/edit/")
        assert django_app.calls == 4

    def test_without_a_known_version_django_answers(self, django_app, route_map_url):
        server = PublicPageServer(django_app, version=lambda: None)
        wsgi_get(server, route_map_url)
        _, headers, _ = wsgi_get(server, route_map_url)
        assert django_app.calls == 2
        assert headers["X-Cache"] == "hit"  # from the middleware's own lookup

    def test_a_publish_changes_what_it_answers(self, server, django_app, route_map_url):
        wsgi_get(server, route_map_url)
        bump_published_version()
        _, headers, _ = wsgi_get(server, route_map_url)
        assert headers["X-Cache"] == "miss"
        assert django_app.calls == 2


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
