"""A database (or cache) outage: pages of the last published version that this process holds
or the shared cache still has are served, everything else gets a 503 (JSON under /api/), and
the outage is logged once per interval rather than on every request."""

import contextlib
import logging
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError

from core import outage
from tests.factories import build_route_map

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_outage_in_progress():
    for log in (outage.database_outage, outage.cache_outage, outage.listener_outage):
        log.started_at = None
    yield
    for log in (outage.database_outage, outage.cache_outage, outage.listener_outage):
        log.started_at = None


@contextlib.contextmanager
def database_down():
    """Every connection attempt fails, and so does reading the published version (with the
    database cache, it lives in the database)."""
    failure = OperationalError("connection refused")
    with (
        mock.patch(
            "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
            side_effect=failure,
        ),
        mock.patch("core.pagecache.published_version", side_effect=failure),
    ):
        yield


@pytest.fixture
def route_map_url():
    return build_route_map(outcomes=1).route_map.get_absolute_url()


@pytest.mark.parametrize("held_in", ["this process's memory", "the shared cache"])
def test_pages_already_cached_are_served_during_an_outage(client, route_map_url, held_in):
    before = client.get(route_map_url)
    if held_in == "the shared cache":
        caches["pages"].clear()
    with database_down():
        during = client.get(route_map_url)
        junk_parameters = client.get(route_map_url + "?utm=outage")
    assert during.status_code == 200
    assert during.content == before.content
    assert junk_parameters.content == before.content


def test_pages_not_cached_get_the_friendly_503_during_an_outage(client, route_map_url):
    client.get(route_map_url)
    with database_down():
        response = client.get("/timeline/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.content.decode()


def test_the_api_answers_an_outage_in_json(client):
    with database_down():
        response = client.get("/api/route-maps/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert "unavailable" in response.json()["error"]


def test_an_outage_is_logged_when_it_starts_and_when_it_ends_not_per_request(
    client, route_map_url, caplog
):
    client.get(route_map_url)
    caplog.set_level(logging.INFO)
    with database_down():
        for _ in range(10):
            client.get("/timeline/")
            client.get(route_map_url)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in warnings] == [
        "Page cache unavailable",
        "Database unavailable",
    ]
    caplog.clear()
    assert client.get("/timeline/").status_code == 200
    assert [r.getMessage().split(" after")[0] for r in caplog.records] == [
        "Page cache available again",
        "Database available again",
    ]


def test_a_long_outage_is_logged_again_once_per_interval(monkeypatch, caplog):
    clock = [1000.0]
    monkeypatch.setattr(outage.time, "monotonic", lambda: clock[0])
    log = outage.OutageLog("Database", interval_seconds=60)
    caplog.set_level(logging.INFO)
    for second in range(0, 150, 5):
        clock[0] = 1000.0 + second
        log.failed(OperationalError("connection refused"))
    log.recovered()
    assert [r.getMessage() for r in caplog.records] == [
        "Database unavailable: connection refused",
        "Database still unavailable after 60 s: connection refused",
        "Database still unavailable after 120 s: connection refused",
        "Database available again after 145 s",
    ]
