"""Whether a request wants a page's htmx partial or the whole page: one answer, shared by the
views and the page cache, so a cached partial is never served as a page or the other way round.
"""

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from django.http.request import HttpHeaders
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

# Responses that differ by these headers say so, for browsers' and proxies' caches.
vary_on_htmx = vary_on_headers("HX-Request", "HX-History-Restore-Request")


def wants_partial(meta: Mapping[str, Any]) -> bool:
    """django-htmx's own test (`HX-Request: true`, nothing else), except that htmx restoring
    history it has no copy of asks for the whole page (meta: request.META or a WSGI environ)."""
    if "HTTP_HX_REQUEST" not in meta:
        return False
    htmx = HtmxDetails(SimpleNamespace(headers=HttpHeaders(meta)))
    return bool(htmx) and not htmx.history_restore_request
