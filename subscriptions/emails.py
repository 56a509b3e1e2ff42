"""The messages subscribers get. Each carries a one-click unsubscribe link (RFC 8058), and a
failure to send one is logged and never raised: email must not get in the way of the page or
the publish that triggered it."""

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from subscriptions.models import CONFIRMATION_VALID_FOR, Subscription

logger = logging.getLogger(__name__)


def unsubscribe_path(subscription: Subscription) -> str:
    return reverse("subscriptions:unsubscribe", args=[subscription.unsubscribe_token()])


def build_message(
    subscription: Subscription,
    *,
    subject: str,
    template: str,
    context: dict,
    absolute_url: Callable[[str], str],
) -> mail.EmailMessage:
    unsubscribe_url = absolute_url(unsubscribe_path(subscription))
    body = render_to_string(
        template,
        {
            **context,
            "subscription": subscription,
            "target": subscription.target,
            "target_url": absolute_url(subscription.target.get_absolute_url()),
            "unsubscribe_url": unsubscribe_url,
        },
    )
    return mail.EmailMessage(
        subject=subject,
        body=body,
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def send_each(messages: Iterable[mail.EmailMessage]) -> int:
    """Send one by one over a shared connection; log each failure and carry on."""
    sent = 0
    connection = mail.get_connection()
    try:
        for message in messages:
            message.connection = connection
            try:
                sent += message.send()
            except Exception:
                logger.exception("Could not send email %r", message.subject)
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("Could not close the email connection")
    return sent


def send_confirmation(
    subscription: Subscription, token: str, absolute_url: Callable[[str], str]
) -> bool:
    message = build_message(
        subscription,
        subject=f"Confirm your email updates about {subscription.target}",
        template="subscriptions/email/confirm.txt",
        context={
            "confirm_url": absolute_url(reverse("subscriptions:confirm", args=[token])),
            "valid_days": CONFIRMATION_VALID_FOR.days,
        },
        absolute_url=absolute_url,
    )
    return send_each([message]) == 1


def site_url(path: str) -> str:
    """An absolute address outside a request (emails sent when a route map is published)."""
    return settings.SITE_URL.rstrip("/") + path
