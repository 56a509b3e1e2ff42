"""The editors' daily list of partner updates to review (manage.py send_review_digest).

Each editor gets the pending updates they may review (accounts.roles: their route maps, and
for commitments their source documents) that arrived, or were changed, since their last list;
someone with nothing new gets no email. The time of each list sent is kept (ReviewDigest), and
only once the mail server took it, so a failed send is retried with the next run.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.models import REVIEW_DIGEST, EmailPreference
from accounts.roles import EDITORS, PUBLISHERS, is_editor
from core import clock
from core.emails import send_each
from partners.emails import can_email, digest_message
from partners.models import ProgressUpdate, ReviewDigest


@dataclass
class DigestRun:
    sent: int  # emails the mail server took
    editors: int  # editors with something new


def reviewable_by(user, updates: list[ProgressUpdate]) -> list[ProgressUpdate]:
    """Those of `updates` the editor may review (the review queue's rule)."""
    if not updates:
        return []
    allowed = set(
        ProgressUpdate.objects.filter(pk__in=[u.pk for u in updates])
        .reviewable_by(user)
        .values_list("pk", flat=True)
    )
    return [update for update in updates if update.pk in allowed]


def editors_to_tell():
    turned_off = EmailPreference.objects.turned_off(REVIEW_DIGEST)
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=[EDITORS, PUBLISHERS]))
        .exclude(pk__in=turned_off)
        .distinct()
        .order_by("pk")
    )
    return [user for user in users if is_editor(user) and can_email(user, REVIEW_DIGEST, set())]


def review_digests_send(now: datetime.datetime | None = None) -> DigestRun:
    now = now or clock.now()
    editors = editors_to_tell()
    last_sent = dict(
        ReviewDigest.objects.filter(user__in=editors).values_list("user_id", "last_sent_at")
    )
    sinces = [last_sent.get(editor.pk) for editor in editors]
    pending = ProgressUpdate.objects.pending().filter(updated_at__lte=now)
    if sinces and None not in sinces:
        pending = pending.filter(updated_at__gt=min(sinces))
    pending = list(pending.with_people().order_by("created_at", "pk"))

    messages, recipients = [], {}
    for editor in editors:
        since = last_sent.get(editor.pk)
        new = [u for u in pending if since is None or u.updated_at > since]
        theirs = reviewable_by(editor, new)
        if theirs:
            message = digest_message(editor, theirs, since)
            recipients[id(message)] = editor
            messages.append(message)

    def record(message) -> None:
        ReviewDigest.objects.update_or_create(
            user=recipients[id(message)], defaults={"last_sent_at": now}
        )

    sent = send_each(messages, on_sent=record)
    return DigestRun(sent=sent, editors=len(messages))
