"""The messages subscribers get. Each carries a one-click unsubscribe link (RFC 8058) that
stops everything the message was sent for, and a failure to send one is logged and never
raised: email must not get in the way of the page or the publish that triggered it."""

import uuid
from collections.abc import Callable, Iterable, Sequence

from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from core.emails import send_each, unsubscribable_message
from subscriptions.models import CONFIRMATION_VALID_FOR, Subscription, keys_token


def unsubscribe_all_path(subscriptions: Iterable[Subscription]) -> str:
    """One link that stops every one of `subscriptions` (all of one address's)."""
    token = keys_token([s.key for s in subscriptions], purpose="unsubscribe")
    return reverse("subscriptions:unsubscribe", args=[token])


def manage_path(keys: Iterable[uuid.UUID]) -> str:
    """The "Manage my subscriptions" page of the address that `keys` (its subscriptions'
    keys, all of them where possible) belong to."""
    return reverse("subscriptions:manage", args=[keys_token(keys, purpose="manage")])


def build_message_for(
    subscriptions: Sequence[Subscription],
    *,
    subject: str,
    template: str,
    context: dict,
    absolute_url: Callable[[str], str],
    manage_keys: Iterable[uuid.UUID] = (),
) -> mail.EmailMessage:
    """One message to the address of `subscriptions` (all of one address), sent for all of
    them: its unsubscribe link and header stop every one. With `manage_keys` (the keys of
    every subscription of the address) it also links to "Manage my subscriptions"."""
    first = subscriptions[0]
    unsubscribe_url = absolute_url(unsubscribe_all_path(subscriptions))
    manage_keys = list(manage_keys)
    body = render_to_string(
        template,
        {
            **context,
            "subscriptions": subscriptions,
            "subscription": first,
            "target": first.target,
            "target_url": absolute_url(first.target.get_absolute_url()),
            "unsubscribe_url": unsubscribe_url,
            "manage_url": absolute_url(manage_path(manage_keys)) if manage_keys else "",
        },
    )
    return unsubscribable_message(
        subject=subject, body=body, to=first.email, unsubscribe_url=unsubscribe_url
    )


def send_confirmation(
    subscription: Subscription, token: str, absolute_url: Callable[[str], str]
) -> bool:
    message = build_message_for(
        [subscription],
        subject=f"Confirm your email updates about {subscription.target}",
        template="subscriptions/email/confirm.txt",
        context={
            "confirm_url": absolute_url(reverse("subscriptions:confirm", args=[token])),
            "valid_days": CONFIRMATION_VALID_FOR.days,
        },
        absolute_url=absolute_url,
    )
    return send_each([message]) == 1
