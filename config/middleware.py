"""Site-wide middleware: cache published pages until the next publish (see
routemap.pagecache), keep personal pages out of every cache, and answer with a friendly 503
page when the database is unreachable."""

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

from core import pagecache
from core.outage import cache_outage, database_outage
from core.pagecache import (
    CACHE_ERRORS,
    UNSTORED_HEADERS,
    Answer,
    CachedPage,
    accepts_gzip,
    answer,
    cacheable_request,
    canonical_query,
    current_published_version,
    gzipped,
    is_not_modified,
    local_pages,
    not_modified_headers,
    page_digest,
    page_key,
)


class PublishedPageCacheMiddleware:
    """Anonymous GETs of public pages are served from the cache. Placed first, so a page is
    stored with every header the rest of the stack gives it (security headers, the Content
    Security Policy) and a hit skips all of it.

    Public pages carry no secrets (no CSRF token, nothing personal), so compressing them is
    safe from BREACH-style attacks.

    When the published version cannot be read (the cache or database is down), pages of the
    last version this worker knew are still served if held; anything else goes on to the view,
    which answers 503 if the database is down too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if not cacheable_request(meta):
            return self.get_response(request)
        query = canonical_query(meta)
        if query != meta.get("QUERY_STRING", ""):
            meta["QUERY_STRING"] = query
            request.GET = QueryDict(query)
        try:
            version = current_published_version()
            cache_outage.recovered()
            outage = False
        except CACHE_ERRORS as error:
            cache_outage.failed(error)
            version, outage = pagecache.last_known_version, True
            if version is None:
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
            if outage or not self._cacheable_response(request, response):
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
        except CACHE_ERRORS as error:
            cache_outage.failed(error)
        return page

    @staticmethod
    def _http_response(page_answer: Answer, meta) -> HttpResponse:
        if is_not_modified(page_answer, meta):
            response = HttpResponseNotModified()
            headers = not_modified_headers(page_answer)
        else:
            body = b"" if meta["REQUEST_METHOD"] == "HEAD" else page_answer.body
            response = HttpResponse(body, status=page_answer.status)
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


# Always personal, whoever asks: the editors' side, accounts, the admin and a partner's pages
# (and the exports under them, such as consultation responses with respondents' names).
PRIVATE_PATHS = ("/edit/", "/accounts/", "/admin/", "/my-organisation/")


class PrivateResponsesMiddleware:
    """Personal pages must not be kept by browsers' shared caches or proxies, nor by the page
    cache: `Cache-Control: private, no-store` on every response to a signed-in person and on
    every private path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith(PRIVATE_PATHS) or self._signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        # Only a request with a session can be signed in: no session lookup for anyone else.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated


def database_unavailable_response(path: str = "/") -> HttpResponse:
    # Rendered without a request: the page must not need the database (no user, no session).
    if path.startswith("/api/"):
        response = JsonResponse(
            {"error": "The service is unavailable just now. Please try again later."},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    # The outage is logged once per interval (routemap.outage), not once per request.
    response._has_been_logged = True
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
            response = self.get_response(request)
        except (OperationalError, InterfaceError) as error:
            if not database_unreachable():
                raise
            database_outage.failed(error)
            return database_unavailable_response(request.path_info)
        if response.status_code != 503:
            database_outage.recovered()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, (OperationalError, InterfaceError)) and database_unreachable():
            database_outage.failed(exception)
            return database_unavailable_response(request.path_info)
        return None
