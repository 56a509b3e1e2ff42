"""Inviting a partner: one call makes the account, the profile and the group, and emails a
link to choose a password, so an admin never sets (or sees) anyone's password.

The admin action on Organisation and `manage.py invite_partner` both call `partner_invite`.
The link is Django's password reset link (`default_token_generator`, the
`password_reset_confirm` view): it works once and for `PASSWORD_RESET_TIMEOUT` seconds;
inviting the same person again sends a fresh one.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.roles import PARTNERS
from organisations.models import Organisation
from partners.models import PartnerProfile

SUBJECT = "partners/emails/invitation_subject.txt"
BODY = "partners/emails/invitation.txt"


class InviteRefused(Exception):
    """The address belongs to an account that must not become this organisation's partner."""


@dataclass(frozen=True)
class Invitation:
    user: object
    created: bool  # a new account, rather than an existing one made a partner


def _refusal(user, organisation: Organisation) -> str | None:
    """Why this existing account cannot be made the organisation's partner, if it cannot."""
    profile = PartnerProfile.objects.select_related("organisation").filter(user=user).first()
    if profile is not None and profile.organisation_id != organisation.pk:
        return (
            f"{user.email} is already a partner for {profile.organisation.name}. A partner "
            "reports for one organisation: change their partner profile in the admin instead."
        )
    if user.is_staff or user.is_superuser:
        return (
            f"{user.email} belongs to a staff account ({user.get_username()}). Partners need an "
            "account of their own: use another address."
        )
    other_roles = sorted(set(user.groups.values_list("name", flat=True)) - {PARTNERS})
    if other_roles:
        return (
            f"{user.email} belongs to an account with the role {', '.join(other_roles)} "
            f"({user.get_username()}). Partners need an account of their own: use another "
            "address."
        )
    if not user.is_active:
        return (
            f"{user.email} belongs to a deactivated account ({user.get_username()}): "
            "reactivate it in the admin first, or use another address."
        )
    return None


def _free_username(email: str) -> str:
    """The address as the username, or the address with a number if someone has it."""
    User = get_user_model()
    base = re.sub(r"[^\w.@+-]", "_", email)[:140]  # the characters usernames allow
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = " ".join(name.split()).partition(" ")
    return first[:150], last[:150]


def invitation_link(user) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def _send(user, organisation: Organisation, invited_by) -> None:
    context = {
        "user": user,
        "organisation": organisation,
        "invited_by": (invited_by.get_full_name() or invited_by.get_username())
        if invited_by
        else "",
        "link": invitation_link(user),
        "login_url": settings.SITE_URL.rstrip("/") + reverse("login"),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = "".join(render_to_string(SUBJECT, context).splitlines())
    EmailMessage(
        subject=subject,
        body=render_to_string(BODY, context),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send()


@transaction.atomic
def partner_invite(
    *, email: str, organisation: Organisation, name: str = "", invited_by=None
) -> Invitation:
    """Make `email` a partner for `organisation` and email them a link to choose a password.

    Reuses an account with this address when it has no other role (inviting a partner again
    re-sends the link); refuses, with InviteRefused, an address that is a partner elsewhere or
    belongs to a staff, editor, publisher or moderator account. The email is sent inside the
    transaction: if it cannot be sent, no account is left half made."""
    User = get_user_model()
    email = User.objects.normalize_email(email.strip())
    matches = list(User.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise InviteRefused(
            f"More than one account uses {email}: give each person their own address first."
        )
    created = not matches
    if created:
        first, last = _split_name(name)
        user = User(username=_free_username(email), email=email, first_name=first, last_name=last)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    else:
        user = matches[0]
        refusal = _refusal(user, organisation)
        if refusal:
            raise InviteRefused(refusal)
        if name and not user.get_full_name():
            user.first_name, user.last_name = _split_name(name)
            user.save(update_fields=["first_name", "last_name"])
    PartnerProfile.objects.get_or_create(user=user, defaults={"organisation": organisation})
    user.groups.add(Group.objects.get(name=PARTNERS))
    _send(user, organisation, invited_by)
    return Invitation(user=user, created=created)
