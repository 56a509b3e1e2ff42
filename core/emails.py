"""Plumbing every email the site sends after something happened (a publish, a review): one
absolute address for links, one-click unsubscribe headers (RFC 8058), and sending that logs a
failure instead of raising it, so a mail server can never get in the way of the write that
triggered the email."""

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import mail

logger = logging.getLogger(__name__)


def site_url(path: str) -> str:
    """An absolute address outside a request (emails sent after a publish or a review)."""
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """Mail clients show their own "Unsubscribe" button and POST to the link (one click)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def unsubscribable_message(
    *, subject: str, body: str, to: str, unsubscribe_url: str
) -> mail.EmailMessage:
    return mail.EmailMessage(
        subject=subject, body=body, to=[to], headers=unsubscribe_headers(unsubscribe_url)
    )


def send_each(
    messages: Iterable[mail.EmailMessage],
    *,
    on_sent: Callable[[mail.EmailMessage], None] | None = None,
) -> int:
    """Send one by one over a shared connection; log each failure and carry on. `on_sent`
    is called for each message the server took (to record, say, that a digest went out)."""
    sent = 0
    connection = None
    try:
        for message in messages:
            try:
                if connection is None:
                    connection = mail.get_connection()
                message.connection = connection
                if not message.send():
                    continue
            except Exception:
                logger.exception("Could not send email %r", message.subject)
                continue
            sent += 1
            if on_sent is not None:
                try:
                    on_sent(message)
                except Exception:
                    logger.exception("Sent email %r but could not record it", message.subject)
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:
                logger.exception("Could not close the email connection")
    return sent
