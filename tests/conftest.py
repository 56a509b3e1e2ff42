"""Shared fixtures. Browser tests drive Debian's Chromium; they skip on a machine without it,
except where REQUIRE_BROWSER_TESTS is set (CI), where a missing browser is an error.

The whole suite runs on a set clock (time-machine, still ticking): noon in Edinburgh on
TEST_DAY (tests/days.py), or on the ISO date in the environment variable TEST_TODAY, so no
test depends on the real date. A test that needs another day uses the `clock` fixture."""

import datetime
import os
from pathlib import Path

import pytest

from tests.days import noon, on, suite_day

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


def _suite_day() -> datetime.date:
    try:
        return suite_day()
    except ValueError:
        value = os.environ["TEST_TODAY"]
        raise pytest.UsageError(f"TEST_TODAY={value!r} is not an ISO date (YYYY-MM-DD).") from None


def pytest_configure(config):
    _suite_day()  # a bad TEST_TODAY stops the run before any test


def pytest_report_header(config):
    return f"clock: {_suite_day().isoformat()} (set TEST_TODAY=YYYY-MM-DD to run on another day)"


@pytest.fixture(scope="session", autouse=True)
def _suite_clock():
    """Every worker, the live server's thread and Hypothesis see the same set, ticking clock."""
    with on(_suite_day()):
        yield


class Clock:
    """Moves the clock for one test; it goes back to the suite's day when the test ends."""

    def __init__(self, machine):
        self._machine = machine

    def move_to(self, when: datetime.date | datetime.datetime, *, tick: bool = True) -> None:
        """A date means noon on that day in the site's time zone."""
        if not isinstance(when, datetime.datetime):
            when = noon(when)
        self._machine.move_to(when, tick=tick)

    def shift(self, delta: datetime.timedelta) -> None:
        """Moves on by `delta` (after a `move_to`, or from the suite's day)."""
        from core import clock

        self._machine.move_to(clock.now() + delta)

    @staticmethod
    def today() -> datetime.date:
        from core import clock

        return clock.today()


@pytest.fixture
def clock(time_machine):
    """`clock.move_to(datetime.date(2027, 1, 4))`, `clock.shift(timedelta(minutes=61))`."""
    return Clock(time_machine)


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
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()


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
    from seeding.routemaps import load_seed

    load_seed()


@pytest.fixture
def live_seeded(transactional_db):
    from seeding.routemaps import load_seed

    load_seed()


@pytest.fixture
def route_map(edition):
    """The route map of the test module's own `edition` fixture."""
    return edition.route_map


@pytest.fixture
def milestone(edition):
    """The first 2027 milestone of the test module's own `edition` fixture."""
    from milestones.models import Milestone

    return Milestone.objects.filter(outcome__edition=edition, year=2027).order_by("pk").first()


@pytest.fixture
def lead(db):
    """The Care Inspectorate, the body the test module's route map or document names first."""
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name="Care Inspectorate")


@pytest.fixture
def publisher(db):
    """Someone who publishes every route map and source document."""
    from tests.factories import PublisherFactory

    return PublisherFactory()


@pytest.fixture(params=[1, 10], ids=["1x", "10x"])
def volume(request):
    """Published route maps at two sizes (one, and ten times as much), for the tests that a
    page's number of queries does not grow with the data: (editions, organisations)."""
    from tests.factories import OrganisationFactory, build_route_map

    organisations = [OrganisationFactory(), OrganisationFactory()]
    editions = [
        build_route_map(outcomes=2 * request.param, organisations=organisations)
        for _ in range(request.param)
    ]
    return editions, organisations


@pytest.fixture
def consultation(db):
    """An open consultation with two questions, the second with a hint."""
    from tests.factories import ConsultationFactory, ConsultationQuestionFactory

    document = ConsultationFactory(title="Shaping kinship support", slug="shaping-kinship")
    ConsultationQuestionFactory(document=document, number="1", text="What helps?", order=1)
    ConsultationQuestionFactory(
        document=document, number="2", text="What is missing?", hint="Tell us anything.", order=2
    )
    return document
