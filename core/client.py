"""The one answer to "which address is this request from?", for sign-in lockout (django-axes),
the consultation limit and the email limits.

Behind reverse proxies REMOTE_ADDR is the proxy's, the same for every reader: anything keyed on
it would let one person lock out or throttle everyone. Each trusted proxy appends the address it
saw to X-Forwarded-For, so with TRUSTED_PROXY_HOPS proxies the client is the entry that many
places from the right. Entries further left were sent by the client and can say anything.
"""

import ipaddress

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http import HttpRequest


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def client_address(request: HttpRequest) -> str:
    """The client's IP address, counting TRUSTED_PROXY_HOPS entries from the right of
    X-Forwarded-For so that a client cannot choose it; REMOTE_ADDR when there are no proxies,
    or when the header is missing, too short or not an address (a misconfigured proxy)."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return _valid(forwarded[-hops]) or remote
    return remote


@register(Tags.security, deploy=True)
def check_trusted_proxy_hops(app_configs, **kwargs):
    """A site that trusts its proxy's X-Forwarded-Proto is behind a proxy: with no proxy hops
    counted, every reader shares the proxy's address and one person can lock out everyone."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and settings.TRUSTED_PROXY_HOPS <= 0:
        return [
            Warning(
                "SECURE_PROXY_SSL_HEADER is set but TRUSTED_PROXY_HOPS is 0: every reader "
                "would share the proxy's address for sign-in lockout and rate limits.",
                hint="Set TRUSTED_PROXY_HOPS to the number of proxies in front of the site.",
                id="routemap.W001",
            )
        ]
    return []
