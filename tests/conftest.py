"""Shared fixtures. Browser tests drive Debian's Chromium; they skip on a machine without it,
except where REQUIRE_BROWSER_TESTS is set (CI), where a missing browser is an error."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; live_server's database
# access from that thread is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if not browser_items or CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER_TESTS"):
        raise pytest.UsageError(f"Browser tests are required but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium)")
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached public pages must not leak from one test's data into the next."""
    from django.core.cache import cache

    from routemap.pagecache import local_pages

    cache.clear()
    local_pages.clear()
    yield
    cache.clear()
    local_pages.clear()


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    """Each test starts with no email or request counted against any limit."""
    from django.core.cache import caches

    caches["ratelimit"].clear()
    yield
    caches["ratelimit"].clear()


@pytest.fixture
def wsgi_app():
    """The whole site as a WSGI application, middleware included. Like Django's test client,
    it must not close the test's database connection at the end of each request."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db):
    """The real seed content from fixtures/."""
    from routemap.seed import load_seed

    load_seed()


@pytest.fixture
def live_seeded(transactional_db):
    from routemap.seed import load_seed

    load_seed()
