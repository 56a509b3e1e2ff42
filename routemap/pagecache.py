"""Public pages cached until the next publish, with Django's cache framework.

Published content changes only when something is published, so anonymous GETs of public
pages are cached under a key prefix made of the *published version* (a number in the shared
cache that every publish replaces once it commits, so every server sees it at once) and the
day (pages say what is overdue or due soon). Nothing is ever deleted: a publish, or midnight,
simply makes every older key unused. The middleware that stores and serves pages is
`routemap.middleware.PublishedPageCacheMiddleware`; compression and conditional GETs are
Django's own `GZipMiddleware` and `ConditionalGetMiddleware`.
"""

import datetime
import functools
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.http import HttpRequest, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone

from routemap import clock
from routemap.htmx import wants_partial

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


def published_version() -> str:
    """Changes on every publish; part of every cache key."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY)
    return version


def bump_published_version(**kwargs) -> None:
    """Invalidate every cached public page (called on each publish, when it commits)."""
    try:
        # A savepoint: with the database cache, a failure must not break the caller's
        # transaction (a publish or an admin's save).
        with transaction.atomic():
            cache.set(VERSION_KEY, str(time.time_ns()), None)
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


# The last published version this process read: during an outage, pages of it still found in
# the shared cache are served, as nothing newer can have been published.
last_known_version: str | None = None


def current_published_version() -> str:
    global last_known_version
    last_known_version = published_version()
    return last_known_version


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
