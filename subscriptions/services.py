"""Subscribing, confirming and unsubscribing (one subscription, the set one email was sent
for, or everything an address follows).

A subscribe request always looks the same to the person making it, whether the address is
new, pending or already confirmed, so the form cannot be used to find out who follows what.
"""

import logging
from collections.abc import Callable

from django.db import transaction

from core import clock
from core.ratelimit import emails_to_recipient
from organisations.models import Organisation
from routemap.models import RouteMap
from subscriptions.emails import send_confirmation
from subscriptions.models import RESEND_AFTER, Subscription, token_hash

logger = logging.getLogger(__name__)


class LinkProblem(Exception):
    """A confirmation link that cannot be used; `expired` tells the reader why."""

    def __init__(self, *, expired: bool = False):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def subscription_request(
    *,
    email: str,
    route_map: RouteMap | None = None,
    organisation: Organisation | None = None,
    absolute_url: Callable[[str], str],
) -> None:
    """Record a pending subscription and send its confirmation link, unless one was sent in
    the last hour, the address already follows this, or it was sent its hourly share of
    emails (settings.EMAILS_PER_RECIPIENT_PER_HOUR). Sending never raises."""
    email = email.strip().lower()
    recipient_limit = emails_to_recipient()
    if recipient_limit.is_exceeded(email):
        return
    now = clock.now()
    with transaction.atomic():
        Subscription.objects.expired_pending(now).delete()
        subscription, created = Subscription.objects.get_or_create(
            email=email, route_map=route_map, organisation=organisation
        )
        if not created:
            subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
            if subscription.is_confirmed:
                return
            sent = subscription.confirmation_sent_at
            if sent is not None and now - sent < RESEND_AFTER:
                return
        token = subscription.new_confirmation_token()
        subscription.confirmation_sent_at = now
        subscription.save()
    recipient_limit.hit(email)
    if not send_confirmation(subscription, token, absolute_url):
        # Let the reader try again straight away rather than wait out the hour.
        Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=None)


def subscription_for_confirmation(*, token: str) -> Subscription:
    """The pending subscription a confirmation token belongs to (LinkProblem if none)."""
    subscription = (
        Subscription.objects.with_target()
        .filter(confirmation_token_hash=token_hash(token), confirmed_at__isnull=True)
        .first()
    )
    if subscription is None:
        raise LinkProblem()
    if subscription.confirmation_expired():
        raise LinkProblem(expired=True)
    return subscription


def subscription_confirm(*, token: str) -> Subscription:
    """Confirm once: the token is cleared in the same statement that checks it, so the link
    cannot be used twice, even by two requests at the same moment."""
    subscription = subscription_for_confirmation(token=token)
    now = clock.now()
    used = Subscription.objects.filter(
        pk=subscription.pk, confirmation_token_hash=token_hash(token), confirmed_at__isnull=True
    ).update(confirmed_at=now, confirmation_token_hash="")
    if not used:
        raise LinkProblem()
    subscription.confirmed_at, subscription.confirmation_token_hash = now, ""
    return subscription


def subscriptions_cancel(*, keys) -> list[Subscription]:
    """Stop the subscriptions with `keys` (those still there): the rows are deleted, so
    nothing about them is kept. Returns them as they were, with their targets, so the page
    can say what was stopped."""
    with transaction.atomic():
        subscriptions = list(Subscription.objects.with_target().filter(key__in=list(keys)))
        Subscription.objects.filter(pk__in=[s.pk for s in subscriptions]).delete()
    return subscriptions


def subscriptions_cancel_all(*, email: str) -> list[Subscription]:
    """Remove all: every subscription of the address goes, pending ones too, so nothing
    about it is kept. Returns the confirmed ones, to say what was stopped."""
    with transaction.atomic():
        subscriptions = list(Subscription.objects.with_target().for_address(email))
        Subscription.objects.filter(pk__in=[s.pk for s in subscriptions]).delete()
    return [s for s in subscriptions if s.is_confirmed]
