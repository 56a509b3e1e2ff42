"""What happens to partners' updates after a review or a publish, and who is told.

- A review (`update_reviewed`): the partner who sent the update is emailed the decision.
- A publish (`edition_published` for route maps, `document_published` for source documents):
  every accepted update on it that is not public yet and was reviewed before the publish is
  stamped with the publish's time (`published_at`), then `updates_published` is sent and each
  partner gets one email listing their updates made public.

Every signal here is sent after its write has committed. Each receiver catches and logs its
own failures and every message is sent on its own, so an unreachable mail server can neither
block nor undo a review or a publish.
"""

import datetime
import logging

from django.db import transaction
from django.dispatch import receiver

from core.emails import send_each, site_url
from milestones.models import Milestone
from partners.emails import published_messages, review_decision_message
from partners.models import ProgressUpdate
from partners.signals import update_reviewed, updates_published
from routemap.models import Edition
from routemap.signals import edition_published
from sources.signals import document_published

logger = logging.getLogger(__name__)


def updates_mark_published(queryset, *, published_at: datetime.datetime) -> list[ProgressUpdate]:
    """Stamp the accepted, not yet public updates of `queryset` reviewed before `published_at`;
    returns them. Rows are locked, so two publishes in quick succession never announce one
    update twice."""
    with transaction.atomic():
        pks = list(
            queryset.filter(
                state=ProgressUpdate.State.ACCEPTED,
                published_at__isnull=True,
                reviewed_at__lte=published_at,
            )
            .select_for_update(of=("self",))
            .values_list("pk", flat=True)
        )
        ProgressUpdate.objects.filter(pk__in=pks).update(published_at=published_at)
    return list(ProgressUpdate.objects.filter(pk__in=pks).with_people().order_by("created_at"))


def announce_updates_published(updates: list[ProgressUpdate]) -> None:
    if not updates:
        return
    for listener, result in updates_published.send_robust(ProgressUpdate, updates=updates):
        if isinstance(result, Exception):
            logger.error("updates_published listener %r failed", listener, exc_info=result)


@receiver(update_reviewed, dispatch_uid="partners.email_review_decision")
def email_review_decision(sender, update: ProgressUpdate, **kwargs) -> None:
    try:
        update = ProgressUpdate.objects.with_people().get(pk=update.pk)
        message = review_decision_message(update)
    except Exception:
        logger.exception("Could not prepare the review email for update %s", update.pk)
        return
    if message is not None:
        send_each([message])


@receiver(edition_published, dispatch_uid="partners.route_map_updates_published")
def route_map_updates_published(sender, edition: Edition, **kwargs) -> None:
    """Only updates whose milestone is in the published edition: one removed from the plan in
    this very publish was never shown."""
    keys = Milestone.objects.filter(outcome__edition=edition).values("key")
    try:
        updates = updates_mark_published(
            ProgressUpdate.objects.filter(
                route_map_id=edition.route_map_id, milestone_key__in=keys
            ),
            published_at=edition.published_at,
        )
    except Exception:
        logger.exception("Could not record which partner updates %s made public", edition)
        return
    announce_updates_published(updates)


@receiver(document_published, dispatch_uid="partners.document_updates_published")
def document_updates_published(sender, document, published_at: datetime.datetime, **kwargs) -> None:
    try:
        updates = updates_mark_published(
            ProgressUpdate.objects.filter(commitment__document=document),
            published_at=published_at,
        )
    except Exception:
        logger.exception("Could not record which partner updates %s made public", document)
        return
    announce_updates_published(updates)


def public_urls(updates: list[ProgressUpdate]) -> dict[int, str]:
    """Update pk -> the absolute address of its milestone or commitment on the public site."""
    milestones = {
        (m.outcome.edition.route_map_id, m.key): m
        for m in Milestone.objects.published()
        .filter(key__in=[u.milestone_key for u in updates if not u.is_commitment])
        .select_related("outcome__edition__route_map")
    }
    urls = {}
    for update in updates:
        if update.is_commitment:
            urls[update.pk] = site_url(update.commitment.get_absolute_url())
        elif milestone := milestones.get((update.route_map_id, update.milestone_key)):
            urls[update.pk] = site_url(milestone.get_absolute_url())
    return urls


@receiver(updates_published, dispatch_uid="partners.email_updates_published")
def email_updates_published(sender, updates: list[ProgressUpdate], **kwargs) -> None:
    try:
        messages = published_messages(updates, public_urls(updates))
    except Exception:
        logger.exception("Could not prepare the emails for %d published updates", len(updates))
        return
    sent = send_each(messages)
    logger.info(
        "Told partners of %d published updates in %d of %d emails",
        len(updates),
        sent,
        len(messages),
    )
