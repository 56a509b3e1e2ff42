"""Site-wide middleware: cache published pages until the next publish (see
routemap.pagecache), and answer with a friendly 503 page when the database is unreachable."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string

from routemap.pagecache import (
    CACHE_ERRORS,
    UNSTORED_HEADERS,
    Answer,
    CachedPage,
    accepts_gzip,
    answer,
    cacheable_request,
    current_published_version,
    gzipped,
    is_not_modified,
    local_pages,
    not_modified_headers,
    page_digest,
    page_key,
)

logger = logging.getLogger(__name__)


class PublishedPageCacheMiddleware:
    """Anonymous GETs of public pages are served from the cache. Placed first, so a page is
    stored with every header the rest of the stack gives it (security headers, the Content
    Security Policy) and a hit skips all of it.

    Public pages carry no secrets (no CSRF token, nothing personal), so compressing them is
    safe from BREACH-style attacks."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if not cacheable_request(meta):
            return self.get_response(request)
        try:
            version = current_published_version()
        except CACHE_ERRORS:
            return self.get_response(request)
        digest = page_digest(version, meta)
        key = page_key(digest)
        gzip_ok = accepts_gzip(meta)
        page_answer = local_pages.answer(key, gzip_ok)
        if page_answer is None:
            page = self._shared_page(key)
            if page is not None:
                local_pages.put(key, page, version, digest)
                page_answer = answer(page, digest, version, gzip_ok, "hit")
        if page_answer is None:
            response = self.get_response(request)
            if not self._cacheable_response(request, response):
                return response
            page = self._store(key, response, version, digest)
            page_answer = answer(page, digest, version, gzip_ok, "miss")
        return self._http_response(page_answer, meta)

    @staticmethod
    def _shared_page(key: str) -> CachedPage | None:
        try:
            page = cache.get(key)
        except CACHE_ERRORS:
            return None
        # Anything else is from an older release, stored in another shape.
        return page if isinstance(page, CachedPage) else None

    @staticmethod
    def _store(key: str, response: HttpResponse, version: str, digest: str) -> CachedPage:
        headers = [(n, v) for n, v in response.items() if n.lower() not in UNSTORED_HEADERS]
        content = response.content
        page = CachedPage(
            response.status_code, content, headers, gzipped(content, response["Content-Type"])
        )
        local_pages.put(key, page, version, digest)
        try:
            cache.set(key, page, settings.PUBLIC_CACHE_SECONDS)
        except CACHE_ERRORS:
            logger.warning("Could not store a public page in the cache", exc_info=True)
        return page

    @staticmethod
    def _http_response(page_answer: Answer, meta) -> HttpResponse:
        if is_not_modified(page_answer, meta):
            response = HttpResponseNotModified()
            headers = not_modified_headers(page_answer)
        else:
            response = HttpResponse(page_answer.body, status=page_answer.status)
            headers = page_answer.headers
        for name, value in headers:
            response[name] = value
        return response

    @staticmethod
    def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Content-Encoding")
            and not request.META.get("CSRF_COOKIE_USED")
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )


def database_unavailable_response() -> HttpResponse:
    # Rendered without a request: the page must not need the database (no user, no session).
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


def database_unreachable(alias: str = "default") -> bool:
    """Whether a fresh connection fails: an outage, as opposed to an error in one query (a
    missing column, say), which is a bug to report, not a page to apologise with. A separate
    connection, so the request's own (and its transaction) is left as it is."""
    probe = connections.create_connection(alias)
    try:
        probe.ensure_connection()
    except (OperationalError, InterfaceError):
        return True
    finally:
        probe.close()
    return False


class DatabaseUnavailableMiddleware:
    """A database outage shows a friendly page rather than a traceback. Connections are
    health-checked per request (CONN_HEALTH_CHECKS), so the site recovers by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except (OperationalError, InterfaceError):
            if not database_unreachable():
                raise
            logger.exception("Database unavailable")
            return database_unavailable_response()

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, (OperationalError, InterfaceError)) and database_unreachable():
            logger.error("Database unavailable: %s", exception)
            return database_unavailable_response()
        return None
