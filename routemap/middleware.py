"""Site-wide middleware: cache published pages until the next publish, and answer with a
friendly 503 page when the database is unreachable."""

import hashlib
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils.http import parse_etags, quote_etag

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
    """Changes on every publish; part of every cache key and ETag."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY)
    return version


def bump_published_version(**kwargs) -> None:
    """Invalidate every cached public page (called on each publish)."""
    try:
        # A savepoint: with the database cache, a failure must not break the caller's
        # transaction (a publish or an admin's save).
        with transaction.atomic():
            cache.set(VERSION_KEY, str(time.time_ns()), None)
    except CACHE_ERRORS:
        logger.exception("Could not invalidate the public page cache")


class LocalPageStore:
    """Each worker's own copy of recently served public pages (bounded in bytes), in front of
    the shared cache: a hit costs one small lookup of the published version and no unpickling
    of large pages."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[str, tuple[int, bytes, list]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, status: int, content: bytes, headers: list) -> None:
        if len(content) > self.max_bytes // 4:
            return
        with self.lock:
            if key in self.pages:
                return
            self.pages[key] = (status, content, headers)
            self.size += len(content)
            while self.size > self.max_bytes and self.pages:
                _, (_, old, _) = self.pages.popitem(last=False)
                self.size -= len(old)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


local_pages = LocalPageStore(int(getattr(settings, "PUBLIC_CACHE_LOCAL_BYTES", 64 * 2**20)))
STORED_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Language",
    "Vary",
    "X-Frame-Options",
    "HX-Push-Url",
)


class PublishedPageCacheMiddleware:
    """Anonymous GETs of public pages are served from the cache, with an ETag that only
    changes when something is published, so browsers and proxies revalidate cheaply.

    Pages are keyed by the published version, so a publish invalidates every page at once:
    exactly then, and never for a draft edit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._cacheable_request(request):
            return self.get_response(request)
        try:
            version = published_version()
        except CACHE_ERRORS:
            return self.get_response(request)
        variant = f"{version}|{request.get_full_path()}|{bool(request.headers.get('HX-Request'))}"
        digest = hashlib.sha256(variant.encode()).hexdigest()[:32]
        etag = quote_etag(digest)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            return response
        key = f"public-page:{digest}"
        page = local_pages.get(key)
        if page is None:
            try:
                page = cache.get(key)
            except CACHE_ERRORS:
                page = None
            if page is not None:
                local_pages.put(key, *page)
        if page is not None:
            return self._response(page, etag, "hit")
        response = self.get_response(request)
        if self._cacheable_response(request, response):
            headers = [(h, response[h]) for h in STORED_HEADERS if response.has_header(h)]
            page = (response.status_code, response.content, headers)
            local_pages.put(key, *page)
            try:
                cache.set(key, page, settings.PUBLIC_CACHE_SECONDS)
            except CACHE_ERRORS:
                logger.warning("Could not store a public page in the cache", exc_info=True)
            response["ETag"] = etag
            response["Cache-Control"] = "public, max-age=0, must-revalidate"
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _response(page, etag: str, state: str) -> HttpResponse:
        status, content, headers = page
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        response["X-Cache"] = state
        return response

    @staticmethod
    def _cacheable_request(request: HttpRequest) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(PRIVATE_PREFIXES)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
        )

    @staticmethod
    def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_USED")
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )


def database_unavailable_response() -> HttpResponse:
    # Rendered without a request: the page must not need the database (no user, no session).
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """A database outage shows a friendly page rather than a traceback. Connections are
    health-checked per request (CONN_HEALTH_CHECKS), so the site recovers by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError):
            logger.exception("Database unavailable")
            return database_unavailable_response()

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("Database unavailable: %s", exception)
            return database_unavailable_response()
        return None
