"""Site-wide middleware: cache published pages until the next publish (see
core.pagecache), keep personal pages out of every cache, and answer with a friendly 503
page when the database is unreachable."""

from django.conf import settings
from django.core.cache import cache, caches
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.cache import (
    get_cache_key,
    learn_cache_key,
    patch_cache_control,
    set_response_etag,
)
from django.utils.http import http_date

from core import pagecache
from core.outage import cache_outage, database_outage
from core.pagecache import CACHE_ERRORS, cacheable_request, canonical_query, key_prefix


class PublishedPageCacheMiddleware:
    """Anonymous GETs of public pages are stored in, and served from, Django's cache (CACHES:
    the database cache, or Redis), keyed as Django's own cache middleware keys them
    (`get_cache_key` / `learn_cache_key`: the address and every header the page varies on)
    under a prefix of the published version and the day (`pagecache.key_prefix`).

    Each process also keeps the pages it serves in Django's local-memory cache (the `pages`
    cache), looked at first: measured on the same run, asking the shared database cache for
    every page made cached pages several times slower than the earlier home-made memory store.
    It is as fresh as the shared cache, because the key still starts with the shared
    published version, read on every request (or heard of at once on PostgreSQL:
    `pagecache.VersionListener`).

    A small wrapper rather than `UpdateCacheMiddleware`/`FetchFromCacheMiddleware`: those take
    one fixed key prefix, store what carries a cookie for a reader who sent one, and send
    browsers `max-age` for as long as the server keeps the page; here the prefix changes with
    every publish, nothing that sets a cookie or is private is stored, and browsers must
    revalidate (`max-age=0`), so a publish reaches them at once. Overriding both classes for
    that would be longer than calling the same two functions they call.

    Placed first but inside `ConditionalGetMiddleware` (which answers 304 for hits and misses
    alike) and outside `GZipMiddleware` (so a page is compressed once, when stored, and
    `Vary: Accept-Encoding` keeps each encoding apart). A hit skips every other middleware; the
    page was stored with the headers they gave it (security headers, the Content Security
    Policy). Public pages carry no secrets (no CSRF token, nothing personal), so compressing
    them is safe from BREACH-style attacks.

    When the published version cannot be read (the cache or the database is down), pages of
    the last version this process read are still served if this process or the shared cache
    still has them; anything else goes on to the view, which answers 503 if the database is
    down too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not cacheable_request(request):
            return self.get_response(request)
        query = canonical_query(request)
        if query != request.META.get("QUERY_STRING", ""):
            request.META["QUERY_STRING"] = query
            request.GET = QueryDict(query)
        try:
            version = pagecache.current_published_version()
            cache_outage.recovered()
            outage = False
        except CACHE_ERRORS as error:
            cache_outage.failed(error)
            version, outage = pagecache.last_known_version, True
            if version is None:
                return self.get_response(request)
        prefix = key_prefix(version, request)
        response = self._cached(request, prefix)
        if response is not None:
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if not outage and self._storable(request, response):
            self._store(request, response, version, prefix)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _lookup(request: HttpRequest, prefix: str, store) -> HttpResponse | None:
        # As FetchFromCacheMiddleware: a HEAD is answered from the GET's page if there is one.
        for method in ("GET", "HEAD") if request.method == "HEAD" else ("GET",):
            key = get_cache_key(request, prefix, method, cache=store)
            response = store.get(key) if key is not None else None
            if response is not None:
                return response
        return None

    def _cached(self, request: HttpRequest, prefix: str) -> HttpResponse | None:
        response = self._lookup(request, prefix, caches["pages"])
        if response is None:
            try:
                response = self._lookup(request, prefix, cache)
            except CACHE_ERRORS:
                return None
            if response is not None:
                self._keep(request, response, prefix, caches["pages"])
        return response

    @staticmethod
    def _keep(request: HttpRequest, response: HttpResponse, prefix: str, store) -> None:
        timeout = settings.PUBLIC_CACHE_SECONDS
        key = learn_cache_key(request, response, timeout, prefix, cache=store)
        store.set(key, response, timeout)

    def _store(self, request: HttpRequest, response: HttpResponse, version: str, prefix: str):
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        last_modified = pagecache.last_modified_at(version)
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        set_response_etag(response)  # once, here, rather than on every hit
        self._keep(request, response, prefix, caches["pages"])
        try:
            self._keep(request, response, prefix, cache)
        except CACHE_ERRORS as error:
            cache_outage.failed(error)

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
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
    # The outage is logged once per interval (core.outage), not once per request.
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
