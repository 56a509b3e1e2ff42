"""Logging an outage (database or cache unreachable) without a line per request: one warning
when it starts, at most one more per interval while it lasts, and one line when it ends."""

import logging
import threading
import time

logger = logging.getLogger(__name__)


class OutageLog:
    def __init__(self, what: str, interval_seconds: float = 60):
        self.what = what
        self.interval_seconds = interval_seconds
        self.started_at: float | None = None
        self.logged_at = 0.0
        self.lock = threading.Lock()

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            if self.started_at is None:
                self.started_at = self.logged_at = now
                logger.warning("%s unavailable: %s", self.what, error)
            elif now - self.logged_at >= self.interval_seconds:
                self.logged_at = now
                logger.warning(
                    "%s still unavailable after %d s: %s",
                    self.what,
                    now - self.started_at,
                    error,
                )

    def recovered(self) -> None:
        if self.started_at is None:  # the usual case: no lock, nothing to do
            return
        with self.lock:
            if self.started_at is not None:
                logger.info(
                    "%s available again after %d s",
                    self.what,
                    time.monotonic() - self.started_at,
                )
                self.started_at = None


database_outage = OutageLog("Database")
cache_outage = OutageLog("Page cache")
listener_outage = OutageLog("Listening for publishes")
