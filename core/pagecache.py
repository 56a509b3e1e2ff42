"""Public pages cached until the next publish, with Django's cache framework.

Published content changes only when something is published, so anonymous GETs of public
pages are cached under a key prefix made of the *published version* (a number in the shared
cache that every publish replaces once it commits, so every server sees it at once) and the
day (pages say what is overdue or due soon). Nothing is ever deleted: a publish, or midnight,
simply makes every older key unused. On PostgreSQL each process hears of publishes
(`VersionListener`), so it knows the version without asking the cache. The middleware that
stores and serves pages is `config.middleware.PublishedPageCacheMiddleware`; compression
and conditional GETs are Django's own `GZipMiddleware` and `ConditionalGetMiddleware`.
"""

import contextlib
import datetime
import functools
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, connections, transaction
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone

from core import clock
from core.htmx import wants_partial
from core.outage import listener_outage

logger = logging.getLogger(__name__)

VERSION_KEY = "published-content-version"
# Never cached: anything personal, any form that changes something, and the editors' pages.
PRIVATE_PREFIXES = (
    "/edit/",
    "/accounts/",
    "/admin/",
    "/my-organisation/",
    "/subscriptions/",
    "/static/",
)
CACHE_ERRORS = (DatabaseError, ConnectionError, OSError)
# PostgreSQL channel on which every publish announces the new version (see VersionListener).
NOTIFY_CHANNEL = "routemap_published"


def published_version() -> str:
    """Changes on every publish; part of every cache key."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY)
    return version


def bump_published_version(**kwargs) -> None:
    """Invalidate every cached public page (called on each publish, when it commits)."""
    version = str(time.time_ns())
    try:
        # A savepoint: with the database cache, a failure must not break the caller's
        # transaction (a publish or an admin's save).
        with transaction.atomic():
            cache.set(VERSION_KEY, version, None)
            if connection.vendor == "postgresql":
                # Delivered when the publish commits, and not at all if it rolls back.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, version])
    except CACHE_ERRORS:
        logger.exception("Could not invalidate the public page cache")


def refresh_after_migrate(using: str = "default", **kwargs) -> None:
    """After migrations (every deploy), pages rendered by the previous release are not served
    on. On a new database the cache table does not exist yet, and nothing is cached either."""
    try:
        with transaction.atomic(using=using):
            cache.set(VERSION_KEY, str(time.time_ns()), None)
    except CACHE_ERRORS:
        logger.info("No page cache to refresh yet")


class VersionListener:
    """Each worker learns of publishes from PostgreSQL (LISTEN/NOTIFY), so serving a cached
    page needs no query at all: checking for a notification is a poll of an open socket.
    Kept because it measured its worth (bench/RESULTS.md): reading the version from the
    database cache on every request made a cached page several times slower.

    Whenever the listening connection is not known to be healthy (not PostgreSQL, not yet
    connected, lost, or busy in another thread), `current()` answers None and the caller asks
    the cache as before, so a lost connection costs speed, never freshness. The version is
    also re-read every `recheck_seconds` in case a connection died without the socket showing
    it. Each process opens its own connection (gunicorn workers are forked)."""

    def __init__(
        self, alias: str = "default", recheck_seconds: float = 30, retry_seconds: float = 5
    ):
        self.alias = alias
        self.recheck_seconds = recheck_seconds
        self.retry_seconds = retry_seconds
        self.lock = threading.Lock()
        import psycopg

        self.errors = (*CACHE_ERRORS, psycopg.Error)
        self._reset()

    def _reset(self) -> None:
        self.pid = os.getpid()
        self.conn = None
        self.version: str | None = None
        self.checked_at = 0.0
        self.retry_at = 0.0

    def current(self) -> str | None:
        if not self.lock.acquire(blocking=False):
            return None
        try:
            if self.pid != os.getpid():
                self._reset()  # a forked child must not share its parent's socket
            now = time.monotonic()
            try:
                if self.conn is None:
                    if now < self.retry_at:
                        return None
                    self._connect()
                else:
                    # Reads what has arrived without waiting, and raises once the server has
                    # closed the connection (psycopg's notifies(timeout=0) would not notice).
                    # Twice: a server going away sends its goodbye, then closes; the first
                    # read takes the goodbye, the second meets the close.
                    pgconn = self.conn.pgconn
                    pgconn.consume_input()
                    pgconn.consume_input()
                    while (notify := pgconn.notifies()) is not None:
                        self.version = notify.extra.decode()
                if now - self.checked_at >= self.recheck_seconds:
                    self.version = published_version()
                    self.checked_at = now
                return self.version
            except self.errors as error:
                listener_outage.failed(error)
                self.close()
                self.retry_at = now + self.retry_seconds
                return None
        finally:
            self.lock.release()

    def _connect(self) -> None:
        import psycopg

        params = connections[self.alias].get_connection_params()
        params.pop("cursor_factory", None)
        params.update(
            autocommit=True,
            connect_timeout=params.get("connect_timeout", 3),
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        )
        self.conn = psycopg.connect(**params)
        self.conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        listener_outage.recovered()
        # Listening before reading: a publish in between is seen, not missed.
        self.checked_at = 0.0

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(*self.errors):  # closing a broken connection may fail
                self.conn.close()
        self.conn = None
        self.version = None


def _make_listener() -> VersionListener | None:
    if not getattr(settings, "PUBLIC_CACHE_LISTEN", False):
        return None
    if connections["default"].vendor != "postgresql":
        return None
    return VersionListener()


version_listener = _make_listener()


# The last published version this process read: during an outage, pages of it still held
# are served, as nothing newer can have been published.
last_known_version: str | None = None


def current_published_version() -> str:
    """The published version, without a query when the listener knows it."""
    global last_known_version
    version = version_listener.current() if version_listener is not None else None
    if version is None:
        version = published_version()
    last_known_version = version
    return version


def key_prefix(version: str, request: HttpRequest) -> str:
    """Django's cache key adds the address and the headers the page varies on; this adds what
    they cannot know: the published version, the day, and whether htmx asked for a partial
    (decided as the views decide it, whatever the header's exact text)."""
    htmx = "htmx" if wants_partial(request.META) else "page"
    return f"public.{version}.{clock.today().isoformat()}.{htmx}"


def cacheable_request(request: HttpRequest) -> bool:
    """An anonymous GET of a public page: a signed-in reader (a session cookie) or one with a
    message waiting always reaches the view, and is never served anyone else's page."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path_info.startswith(PRIVATE_PREFIXES):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def last_modified_at(version: str) -> int | None:
    """A page's Last-Modified: the publish, or the start of today if later. Pages change at
    midnight too (what is overdue or due soon, the current year), so a copy from yesterday
    must not be confirmed by If-Modified-Since."""
    try:
        published_at = int(version) // 10**9  # the version is the publish time in ns
    except (TypeError, ValueError):
        return None
    midnight = datetime.datetime.combine(clock.today(), datetime.time.min)
    return max(published_at, int(timezone.make_aware(midnight).timestamp()))


# ------------------------------------------------------------------- query parameters


def uses_query_parameters(*names: str) -> Callable:
    """Declares the GET parameters a public view reads. For anonymous readers (whose pages are
    shared), any other parameter is dropped before the view, so junk such as `?utm=...` neither
    splits a page's cache entry nor reaches links in the page; these keep the order given."""

    def declare(view: Callable) -> Callable:
        view.query_parameters = tuple(names)
        return view

    return declare


@functools.lru_cache(maxsize=1024)
def _query_parameters(path: str) -> tuple[str, ...]:
    try:
        return getattr(resolve(path).func, "query_parameters", ())
    except Resolver404:
        return ()


def canonical_query(request: HttpRequest) -> str:
    """The query string with only the parameters the page's view reads, in its order."""
    query = request.META.get("QUERY_STRING", "")
    names = _query_parameters(request.path_info) if query else ()
    if not names:
        return ""
    given = request.GET
    kept = QueryDict(mutable=True)
    for name in names:
        if name in given:
            kept.setlist(name, given.getlist(name))
    return kept.urlencode()
