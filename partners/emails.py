"""The emails about partners' progress updates: to the partner who sent one (accepted, declined,
made public) and to editors (the daily list of updates to review).

Each goes to a person's account, with a one-click link that turns off that kind of email for
them (accounts.models). Nobody whose account has no address, is inactive or turned the kind off
is written to. Links are absolute, from settings.SITE_URL: these are sent outside any request.
"""

import logging
from collections.abc import Iterable

from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import (
    REVIEW_DECISIONS,
    REVIEW_DIGEST,
    EmailKind,
    EmailPreference,
    unsubscribe_token,
)
from core.emails import site_url, unsubscribable_message
from partners.models import ProgressUpdate

logger = logging.getLogger(__name__)


def action_title(update: ProgressUpdate) -> str:
    """Where the update belongs, in a few words: "Route map, 2027" or "Document, commitment 8.2"."""
    if update.is_commitment:
        commitment = update.commitment
        return f"{commitment.document.title}, commitment {commitment.reference}"
    return f"{update.route_map.title}, {update.milestone_year}"


def can_email(user, kind: EmailKind, turned_off: set[int] | None = None) -> bool:
    """Whether `user` may be sent this kind of email; logs why not when it is the address."""
    if user is None or not user.is_active:
        return False
    if not user.email:
        logger.info("Not emailing %s about %s: their account has no address", user, kind.subject)
        return False
    if turned_off is not None:
        return user.pk not in turned_off
    return EmailPreference.wants(user, kind)


def message_to(
    user, *, kind: EmailKind, subject: str, template: str, context: dict
) -> mail.EmailMessage:
    unsubscribe_url = site_url(
        reverse("accounts:email_unsubscribe", args=[unsubscribe_token(user, kind)])
    )
    body = render_to_string(
        template,
        {
            **context,
            "user": user,
            "kind": kind,
            "unsubscribe_url": unsubscribe_url,
            "settings_url": site_url(reverse("accounts:email_preferences")),
        },
    ).strip()
    return unsubscribable_message(
        subject=subject, body=body + "\n", to=user.email, unsubscribe_url=unsubscribe_url
    )


def _your_update_url(update: ProgressUpdate) -> str:
    return site_url(f"{reverse('partners:home')}#update-{update.pk}")


def review_decision_message(update: ProgressUpdate) -> mail.EmailMessage | None:
    """Accepted (what now stands on the milestone or commitment) or declined (the reason)."""
    partner = update.submitted_by
    if update.state not in (ProgressUpdate.State.ACCEPTED, ProgressUpdate.State.DECLINED):
        return None
    if partner is None:
        logger.info("Not emailing about update %s: whoever sent it is no longer registered", update)
        return None
    if not can_email(partner, REVIEW_DECISIONS):
        return None
    accepted = update.state == ProgressUpdate.State.ACCEPTED
    accepted_note = update.accepted_note or (update.credited_note() if accepted else "")
    title = action_title(update)
    return message_to(
        partner,
        kind=REVIEW_DECISIONS,
        subject=f"{'Accepted' if accepted else 'Declined'}: your progress update on {title}",
        template=f"partners/email/{'accepted' if accepted else 'declined'}.txt",
        context={
            "update": update,
            "title": title,
            "accepted_note": accepted_note,
            # Editors may reword a note; the partner is told, with their own words beside it.
            "note_edited": accepted and update.note_changed_on_acceptance,
            "your_update_url": _your_update_url(update),
        },
    )


def published_messages(
    updates: Iterable[ProgressUpdate], public_urls: dict[int, str]
) -> list[mail.EmailMessage]:
    """One email per partner listing their updates a publish has just made public
    (`public_urls`: update pk -> absolute address of the milestone or commitment)."""
    by_partner: dict = {}
    for update in updates:
        if update.submitted_by is None:
            logger.info("Not emailing about update %s: its sender is no longer registered", update)
            continue
        by_partner.setdefault(update.submitted_by, []).append(update)
    turned_off = EmailPreference.objects.turned_off(REVIEW_DECISIONS)
    messages = []
    for partner, theirs in by_partner.items():
        if not can_email(partner, REVIEW_DECISIONS, turned_off):
            continue
        items = [
            {"update": u, "title": action_title(u), "url": public_urls.get(u.pk, "")}
            for u in theirs
        ]
        subject = (
            f"Now public: your progress update on {items[0]['title']}"
            if len(items) == 1
            else f"Now public: {len(items)} of your progress updates"
        )
        messages.append(
            message_to(
                partner,
                kind=REVIEW_DECISIONS,
                subject=subject,
                template="partners/email/published.txt",
                context={"items": items},
            )
        )
    return messages


def digest_message(editor, updates: list[ProgressUpdate], since) -> mail.EmailMessage:
    """The list of updates waiting for `editor`, grouped by route map or source document."""
    groups: dict[str, list] = {}
    for update in updates:
        group = update.commitment.document.title if update.is_commitment else update.route_map.title
        groups.setdefault(group, []).append(
            {
                "update": update,
                "title": action_title(update),
                "changed": since is not None and update.created_at <= since,
                "url": site_url(f"{reverse('partners_review:queue')}#update-{update.pk}"),
            }
        )
    count = len(updates)
    return message_to(
        editor,
        kind=REVIEW_DIGEST,
        subject=f"{count} partner update{'s' if count != 1 else ''} to review",
        template="partners/email/digest.txt",
        context={
            "groups": sorted(groups.items()),
            "count": count,
            "since": since,
            "queue_url": site_url(reverse("partners_review:queue")),
        },
    )
