"""Public pages cached until the next publish.

Published content changes only when something is published, so anonymous GETs of public
pages are cached under a key that includes the *published version*, which every publish
replaces: a publish invalidates every cached page at once, exactly then, and a draft edit
never does. Pages also say what is overdue or due soon, so the key includes the day as well.
Browsers revalidate with the ETag (or Last-Modified, never earlier than today's midnight) and
get a 304 only for the same version on the same day.

Two layers answer from the cache, with the same `Answer`, so they answer identically:

- `routemap.middleware.PublishedPageCacheMiddleware` renders and stores pages, and serves them
  from this worker's memory or from the shared cache (database cache, or Redis);
- `PublicPageServer` wraps the WSGI application and answers pages already in this worker's
  memory without entering Django at all, when the `VersionListener` knows the published
  version without a query. Anything else goes on to Django.
"""

import contextlib
import datetime
import functools
import gzip
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import get_bytes_from_wsgi, get_path_info
from django.db import DatabaseError, connection, connections, transaction
from django.http import QueryDict
from django.http.cookie import parse_cookie
from django.middleware.gzip import re_accepts_gzip
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.http import http_date, parse_etags, parse_http_date_safe, quote_etag

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
    """Changes on every publish; part of every cache key and ETag."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY)
    return version


def bump_published_version(**kwargs) -> None:
    """Invalidate every cached public page (called on each publish)."""
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


# The last published version this worker knew: during an outage, its pages that are still
# held (here or in the shared cache) are served, as nothing newer can have been published.
last_known_version: str | None = None


def current_published_version() -> str:
    """The published version, without a query when the listener knows it."""
    global last_known_version
    version = version_listener.current() if version_listener is not None else None
    if version is None:
        version = published_version()
    last_known_version = version
    return version


# ---------------------------------------------------------------------------- pages


class CachedPage(NamedTuple):
    status: int
    content: bytes
    headers: list[tuple[str, str]]
    # The same content gzip-compressed once when stored (None when not worth it): browsers
    # ask for gzip, and a compressed page is several times cheaper to send.
    gzipped: bytes | None

    @property
    def size(self) -> int:
        return len(self.content) + len(self.gzipped or b"")


class Answer(NamedTuple):
    """One encoding of a cached page, with every header it is sent with."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    last_modified: int | None


# Set afresh for each answer (or, for cookies, never cacheable): not kept with the page.
UNSTORED_HEADERS = frozenset(
    {
        "cache-control",
        "content-encoding",
        "content-length",
        "date",
        "etag",
        "last-modified",
        "set-cookie",
        "x-cache",
    }
)
# What a 304 repeats of the full answer (RFC 9110, 15.4.5).
NOT_MODIFIED_HEADERS = frozenset(
    {"cache-control", "content-location", "etag", "expires", "last-modified", "vary", "x-cache"}
)
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/atom+xml", "application/xml")
MIN_COMPRESS_BYTES = 1024


def gzipped(content: bytes, content_type: str) -> bytes | None:
    if len(content) < MIN_COMPRESS_BYTES or not content_type.startswith(COMPRESSIBLE_TYPES):
        return None
    # mtime=0: the same page always compresses to the same bytes.
    compressed = gzip.compress(content, compresslevel=6, mtime=0)
    return compressed if len(compressed) < len(content) else None


def cacheable_request(meta: Mapping[str, Any]) -> bool:
    """An anonymous GET of a public page (meta: the WSGI environ, or request.META)."""
    if meta.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if meta.get("PATH_INFO", "").startswith(PRIVATE_PREFIXES):
        return False
    cookie = meta.get("HTTP_COOKIE")
    if cookie:
        cookies = parse_cookie(cookie)
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return False
    return True


def _scheme(meta: Mapping[str, Any]) -> str:
    """As Django's request.scheme: security headers differ between http and https."""
    if settings.SECURE_PROXY_SSL_HEADER:
        name, secure = settings.SECURE_PROXY_SSL_HEADER
        value = meta.get(name)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure else "http"
    return meta.get("wsgi.url_scheme", "http")


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


def canonical_query(meta: Mapping[str, Any]) -> str:
    """The query string with only the parameters the page's view reads, in its order."""
    query = get_bytes_from_wsgi(meta, "QUERY_STRING", "")
    names = _query_parameters(get_path_info(meta)) if query else ()
    if not names:
        return ""
    given = QueryDict(query)
    kept = QueryDict(mutable=True)
    for name in names:
        if name in given:
            kept.setlist(name, given.getlist(name))
    return kept.urlencode()


def page_digest(version: str, meta: Mapping[str, Any]) -> str:
    """Names one page of one published version on one day (pages say what is overdue, or this
    year): its address, and whether htmx asked for a partial. The host is part of it, so only
    hosts Django has answered for are ever served."""
    variant = "|".join(
        (
            version,
            clock.today().isoformat(),
            _scheme(meta),
            meta.get("HTTP_HOST") or meta.get("SERVER_NAME", ""),
            meta.get("PATH_INFO", ""),
            canonical_query(meta),
            "htmx" if wants_partial(meta) else "",
        )
    )
    return hashlib.sha256(variant.encode("utf-8", "backslashreplace")).hexdigest()[:32]


def page_key(digest: str) -> str:
    return f"public-page:{digest}"


def accepts_gzip(meta: Mapping[str, Any]) -> bool:
    return bool(re_accepts_gzip.search(meta.get("HTTP_ACCEPT_ENCODING", "")))


def _published_at(version: str) -> int | None:
    """The version is the publish time in nanoseconds."""
    try:
        return int(version) // 10**9
    except (TypeError, ValueError):
        return None


def _today_began() -> int:
    """Midnight today in the site's time zone, as a timestamp."""
    midnight = datetime.datetime.combine(clock.today(), datetime.time.min)
    return int(timezone.make_aware(midnight).timestamp())


def last_modified_at(version: str) -> int | None:
    """A page's Last-Modified: the publish, or the start of today if later. Pages change at
    midnight too (what is overdue or due soon, the current year), so a copy from yesterday
    must not be confirmed by If-Modified-Since alone: the ETag also names the day."""
    published_at = _published_at(version)
    if published_at is None:
        return None
    return max(published_at, _today_began())


def _with_vary(headers: list[tuple[str, str]], field: str) -> list[tuple[str, str]]:
    for index, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            if field.lower() not in (v.strip().lower() for v in value.split(",")):
                headers[index] = (name, f"{value}, {field}")
            return headers
    headers.append(("Vary", field))
    return headers


def answer(page: CachedPage, digest: str, version: str, gzip_ok: bool, state: str) -> Answer:
    use_gzip = gzip_ok and page.gzipped is not None
    body = page.gzipped if use_gzip else page.content
    # Each encoding is a different representation, so it gets its own ETag.
    etag = quote_etag(f"{digest}-gzip" if use_gzip else digest)
    last_modified = last_modified_at(version)
    headers = list(page.headers)
    if page.gzipped is not None:
        headers = _with_vary(headers, "Accept-Encoding")
    if use_gzip:
        headers.append(("Content-Encoding", "gzip"))
    headers += [("Content-Length", str(len(body))), ("ETag", etag)]
    if last_modified is not None:
        headers.append(("Last-Modified", http_date(last_modified)))
    headers += [("Cache-Control", "public, max-age=0, must-revalidate"), ("X-Cache", state)]
    return Answer(page.status, headers, body, etag, last_modified)


def is_not_modified(page_answer: Answer, meta: Mapping[str, Any]) -> bool:
    """Conditional GET (RFC 9110, 13.2.2): If-None-Match wins over If-Modified-Since."""
    if_none_match = meta.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        etags = parse_etags(if_none_match)
        return any(e == "*" or e.removeprefix("W/") == page_answer.etag for e in etags)
    since = parse_http_date_safe(meta.get("HTTP_IF_MODIFIED_SINCE") or "")
    return (
        since is not None
        and page_answer.last_modified is not None
        and page_answer.last_modified <= since
    )


def not_modified_headers(page_answer: Answer) -> list[tuple[str, str]]:
    return [(n, v) for n, v in page_answer.headers if n.lower() in NOT_MODIFIED_HEADERS]


class LocalPageStore:
    """Each worker's own copy of recently served public pages (bounded in bytes), in front of
    the shared cache, with their answers ready: a hit unpickles nothing and builds nothing."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[str, tuple[CachedPage, Answer, Answer]] = OrderedDict()
        self.lock = threading.Lock()

    def answer(self, key: str, gzip_ok: bool) -> Answer | None:
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return None
            self.pages.move_to_end(key)
            return entry[2] if gzip_ok else entry[1]

    def get(self, key: str) -> CachedPage | None:
        with self.lock:
            entry = self.pages.get(key)
            return None if entry is None else entry[0]

    def put(self, key: str, page: CachedPage, version: str, digest: str) -> None:
        if page.size > self.max_bytes // 4:
            return
        entry = (
            page,
            answer(page, digest, version, gzip_ok=False, state="hit"),
            answer(page, digest, version, gzip_ok=True, state="hit"),
        )
        with self.lock:
            if key in self.pages:
                return
            self.pages[key] = entry
            self.size += page.size
            while self.size > self.max_bytes and self.pages:
                _, (old, _, _) = self.pages.popitem(last=False)
                self.size -= old.size

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


local_pages = LocalPageStore(int(getattr(settings, "PUBLIC_CACHE_LOCAL_BYTES", 64 * 2**20)))


class PublicPageServer:
    """WSGI wrapper answering public pages already in this worker's memory, the way WhiteNoise
    answers static files: no request object, no middleware, no query. It answers only when the
    published version is known without a query (the listener's); otherwise, and for any page
    not in memory, Django answers (and stores the page for next time)."""

    def __init__(
        self,
        application: Callable,
        version: Callable[[], str | None] | None = None,
    ):
        self.application = application
        self.version = version or _listened_version

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if cacheable_request(environ):
            version = self.version()
            if version is not None:
                try:
                    digest = page_digest(version, environ)
                except SuspiciousOperation:  # too many parameters: Django answers 400
                    return self.application(environ, start_response)
                page_answer = local_pages.answer(page_key(digest), accepts_gzip(environ))
                if page_answer is not None:
                    return self._send(page_answer, environ, start_response)
        return self.application(environ, start_response)

    @staticmethod
    def _send(page_answer: Answer, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if is_not_modified(page_answer, environ):
            start_response("304 Not Modified", not_modified_headers(page_answer))
            return []
        status = HTTPStatus(page_answer.status)
        start_response(f"{status.value} {status.phrase}", list(page_answer.headers))
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page_answer.body]


def _listened_version() -> str | None:
    return None if version_listener is None else version_listener.current()
