"""Email subscriptions: a reader follows a route map or an organisation.

Double opt-in: a subscription is pending until its address confirms it through a single-use
link; only confirmed subscriptions get updates. The email address is the only personal data
kept; unsubscribing deletes the row, and pending rows that were never confirmed are deleted
once their link has expired.

Links in emails carry signed tokens that name subscriptions by their random `key`, never the
address: an unsubscribe link names the subscriptions one email was sent for (one click ends
all of them), a "manage" link names every subscription the address had when the email was
sent, and the manage page finds the address through whichever of them still exists. Nothing
new is stored, and no address appears in a link (or in a server's access log). Tokens made
before emails could cover several subscriptions named one key; they still work for it.
"""

import base64
import binascii
import datetime
import hashlib
import secrets
import uuid
from collections.abc import Iterable

from django.core import signing
from django.db import models
from django.db.models import Q

from core import clock
from organisations.models import Organisation
from routemap.models import RouteMap

CONFIRMATION_VALID_FOR = datetime.timedelta(days=7)
# A second request for the same address and target re-sends the link at most this often.
RESEND_AFTER = datetime.timedelta(hours=1)
# Tokens from before emails covered several subscriptions: one key in hex.
_UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"
# A set of keys, for what it may do: stop them (unsubscribe) or find their address (manage).
_KEYS_SALTS = {"unsubscribe": "subscriptions.unsubscribe.keys", "manage": "subscriptions.manage"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keys_token(keys: Iterable[uuid.UUID], *, purpose: str) -> str:
    """A signed token naming `keys` (16 bytes each, base64: about 22 characters a key)."""
    packed = base64.urlsafe_b64encode(b"".join(key.bytes for key in keys)).rstrip(b"=")
    return signing.Signer(salt=_KEYS_SALTS[purpose]).sign(packed.decode())


def token_keys(token: str, *, purpose: str) -> list[uuid.UUID] | None:
    """The keys a token made by `keys_token` for `purpose` names; None if it was tampered
    with, cut short or made for the other purpose."""
    try:
        packed = signing.Signer(salt=_KEYS_SALTS[purpose]).unsign(token)
        raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
    except (signing.BadSignature, binascii.Error, ValueError):
        return None
    if not raw or len(raw) % 16:
        return None
    return [uuid.UUID(bytes=raw[i : i + 16]) for i in range(0, len(raw), 16)]


def unsubscribe_keys(token: str) -> list[uuid.UUID] | None:
    """The subscriptions an unsubscribe link stops: the set it names, or the one key of a
    link sent before emails covered several. None if the link was tampered with."""
    try:
        return [uuid.UUID(signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token))]
    except (signing.BadSignature, ValueError):
        return token_keys(token, purpose="unsubscribe")


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def expired_pending(self, now: datetime.datetime | None = None):
        """Never confirmed, and the last confirmation link has expired."""
        cutoff = (now or clock.now()) - CONFIRMATION_VALID_FOR
        return self.filter(confirmed_at__isnull=True).filter(
            Q(confirmation_sent_at__lt=cutoff)
            | Q(confirmation_sent_at__isnull=True, created_at__lt=cutoff)
        )

    def with_target(self):
        return self.select_related("route_map", "organisation")

    def for_address(self, email: str):
        return self.filter(email=email)

    def address_of(self, keys: Iterable[uuid.UUID]) -> str | None:
        """The address that the subscriptions with `keys` belong to, if any still exists."""
        return self.filter(key__in=list(keys)).values_list("email", flat=True).first()


class Subscription(models.Model):
    email = models.EmailField(max_length=254)
    route_map = models.ForeignKey(
        RouteMap, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    # Random, so an unsubscribe link names nothing guessable.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # SHA-256 of the current confirmation token; empty once used.
    confirmation_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(route_map__isnull=False) & Q(organisation__isnull=True))
                | (Q(route_map__isnull=True) & Q(organisation__isnull=False)),
                name="subscription_follows_one_thing",
                violation_error_message=(
                    "A subscription follows either a route map or an organisation."
                ),
            ),
            models.UniqueConstraint(
                fields=["email", "route_map"],
                condition=Q(route_map__isnull=False),
                name="unique_route_map_subscription",
                violation_error_message="This email address already follows this route map.",
            ),
            models.UniqueConstraint(
                fields=["email", "organisation"],
                condition=Q(organisation__isnull=False),
                name="unique_organisation_subscription",
                violation_error_message="This email address already follows this organisation.",
            ),
        ]

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "pending"
        return f"{self.target} ({state})"

    @property
    def target(self) -> RouteMap | Organisation:
        return self.route_map or self.organisation

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def new_confirmation_token(self) -> str:
        """A fresh single-use token; only its hash is stored (call save() afterwards)."""
        token = secrets.token_urlsafe(32)
        self.confirmation_token_hash = token_hash(token)
        return token

    def confirmation_expired(self, now: datetime.datetime | None = None) -> bool:
        sent = self.confirmation_sent_at or self.created_at
        return sent + CONFIRMATION_VALID_FOR < (now or clock.now())

    def unsubscribe_token(self) -> str:
        return keys_token([self.key], purpose="unsubscribe")
