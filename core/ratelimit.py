"""Counting requests in a window, for limits against inbox flooding (and any other limit).

A `Limit` counts hits per (purpose, key) in Django's "ratelimit" cache, shared by every worker
and server. Keys are client addresses or email addresses; only a keyed hash of them is stored.
The count is a sliding-window estimate: this window's hits plus the previous window's, weighted
by how much of it still overlaps the last `window`, so a burst at the turn of the hour does not
get twice the limit. (django-ratelimit would be the library for this, at the cost of a new
dependency; these limits are few and need only the cache.)
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils.crypto import salted_hmac

from core import clock


@dataclass(frozen=True)
class Limit:
    purpose: str
    count: int
    window_seconds: int = 60 * 60

    def _key(self, value: str, window: int) -> str:
        digest = salted_hmac(f"core.ratelimit.{self.purpose}", value, algorithm="sha256")
        return f"{self.purpose}:{window}:{digest.hexdigest()}"

    def _position(self) -> tuple[int, float]:
        """This window's number and how far into it we are (0 to 1)."""
        elapsed = clock.now().timestamp() / self.window_seconds
        return math.floor(elapsed), elapsed % 1

    def hits(self, value: str) -> float:
        window, into = self._position()
        cache = caches["ratelimit"]
        counts = cache.get_many([self._key(value, window), self._key(value, window - 1)])
        current = counts.get(self._key(value, window), 0)
        previous = counts.get(self._key(value, window - 1), 0)
        return current + previous * (1 - into)

    def is_exceeded(self, value: str) -> bool:
        """True when another hit would go over the limit."""
        return self.hits(value) >= self.count

    def hit(self, value: str) -> None:
        window, _ = self._position()
        key = self._key(value, window)
        cache = caches["ratelimit"]
        # Kept until the next window has used it as "previous".
        timeout = 2 * self.window_seconds
        if not cache.add(key, 1, timeout):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout)
            # Some backends (the database cache) reset the expiry on incr.
            cache.touch(key, timeout)


TOO_MANY_EMAILS_MESSAGE = (
    "You have asked for a lot of emails from this connection in the last hour. "
    "Wait an hour and try again."
)


def emails_from_client() -> Limit:
    """Requests for a confirmation or password-reset email from one client address."""
    return Limit("emails-from-client", settings.EMAILS_PER_CLIENT_PER_HOUR)


def emails_to_recipient() -> Limit:
    """Confirmation and password-reset emails sent to one address, whatever they are about.
    Key it by the address in lower case."""
    return Limit("emails-to-recipient", settings.EMAILS_PER_RECIPIENT_PER_HOUR)
