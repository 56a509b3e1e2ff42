"""Email subscriptions: a reader follows a route map or an organisation.

Double opt-in: a subscription is pending until its address confirms it through a single-use
link; only confirmed subscriptions get updates. The email address is the only personal data
kept; unsubscribing deletes the row, and pending rows that were never confirmed are deleted
once their link has expired.
"""

import datetime
import hashlib
import secrets
import uuid

from django.core import signing
from django.db import models
from django.db.models import Q

from organisations.models import Organisation
from routemap import clock
from routemap.models import RouteMap

CONFIRMATION_VALID_FOR = datetime.timedelta(days=7)
# A second request for the same address and target re-sends the link at most this often.
RESEND_AFTER = datetime.timedelta(hours=1)
_UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_key(token: str) -> uuid.UUID | None:
    """The subscription key a signed unsubscribe token carries, or None if it was tampered."""
    try:
        return uuid.UUID(signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


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
        return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(self.key.hex)
