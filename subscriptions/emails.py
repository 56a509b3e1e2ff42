"""The messages subscribers get. Each carries a one-click unsubscribe link (RFC 8058), and a
failure to send one is logged and never raised: email must not get in the way of the page or
the publish that triggered it."""

from collections.abc import Callable

from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from routemap.emails import send_each, unsubscribable_message
from subscriptions.models import CONFIRMATION_VALID_FOR, Subscription


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
    return unsubscribable_message(
        subject=subject, body=body, to=subscription.email, unsubscribe_url=unsubscribe_url
    )


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
