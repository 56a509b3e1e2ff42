"""Which emails a signed-in person gets about their work on the site.

Every kind is on until its person turns it off: on the settings page, or through the one-click
unsubscribe link each of those emails carries (a signed token naming the user and the kind, so
it needs no sign-in and turns off nothing else). A missing row means every kind is on.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import models

_UNSUBSCRIBE_SALT = "accounts.email-preference.unsubscribe"


@dataclass(frozen=True)
class EmailKind:
    field: str
    label: str  # the checkbox on the settings page
    hint: str  # what the emails are, on the settings and unsubscribe pages
    subject: str  # "emails about ...", for sentences about turning them off


REVIEW_DECISIONS = EmailKind(
    field="review_decisions",
    label="Decisions on my progress updates",
    hint="An email when an editor accepts or declines an update you sent, and when it goes public.",
    subject="decisions on your progress updates",
)
REVIEW_DIGEST = EmailKind(
    field="review_digest",
    label="Daily list of partner updates to review",
    hint="At most one email a day listing the partner updates that arrived for the route maps "
    "and source documents you edit. No email on a day with nothing new.",
    subject="partner updates to review",
)
EMAIL_KINDS = {kind.field: kind for kind in (REVIEW_DECISIONS, REVIEW_DIGEST)}


def email_kinds_for(user) -> list[EmailKind]:
    """The kinds this person can get: partners hear about their updates, editors get the
    list of updates to review. Nobody else gets any (their settings page is refused)."""
    from accounts.roles import is_editor, is_partner

    kinds = []
    if is_partner(user):
        kinds.append(REVIEW_DECISIONS)
    if is_editor(user):
        kinds.append(REVIEW_DIGEST)
    return kinds


class EmailPreferenceQuerySet(models.QuerySet):
    def turned_off(self, kind: EmailKind) -> set[int]:
        """The ids of users who turned this kind of email off, in one query."""
        return set(self.filter(**{kind.field: False}).values_list("user_id", flat=True))


class EmailPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    review_decisions = models.BooleanField(default=True, verbose_name=REVIEW_DECISIONS.label)
    review_digest = models.BooleanField(default=True, verbose_name=REVIEW_DIGEST.label)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmailPreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "email preference"

    def __str__(self) -> str:
        on = [kind.label for kind in EMAIL_KINDS.values() if getattr(self, kind.field)]
        return f"{self.user}: {', '.join(on) or 'no emails'}"

    @classmethod
    def for_user(cls, user) -> "EmailPreference":
        """The user's row, or an unsaved one with every kind on."""
        return cls.objects.filter(user=user).first() or cls(user=user)

    @classmethod
    def wants(cls, user, kind: EmailKind) -> bool:
        return getattr(cls.for_user(user), kind.field)

    @classmethod
    def turn_off(cls, user, kind: EmailKind) -> "EmailPreference":
        preference, _ = cls.objects.update_or_create(user=user, defaults={kind.field: False})
        return preference


def unsubscribe_token(user, kind: EmailKind) -> str:
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign_object([user.pk, kind.field])


def read_unsubscribe_token(token: str) -> tuple[int, EmailKind] | None:
    """(user id, kind) from a token this site signed, or None if it was tampered with."""
    try:
        user_id, field = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or field not in EMAIL_KINDS:
        return None
    return user_id, EMAIL_KINDS[field]
