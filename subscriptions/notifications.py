"""Tell subscribers what changed when a route map is published.

Runs on `edition_published`, which is sent after the publish has committed, so a failure
here (an unreachable mail server, say) can neither block nor undo the publish: every message
is sent and logged on its own.

Who gets a message: everyone following the route map (every change), and everyone following
an organisation responsible for a milestone that changed (those milestone changes only). An
address gets one message whatever it follows, which names everything it was sent for; its
unsubscribe link stops all of that, and its "Manage my subscriptions" link lists the rest.
"""

import logging

from django.db.models import F, Prefetch, Q
from django.dispatch import receiver

from core.emails import send_each, site_url
from milestones.models import Milestone, MilestoneOrganisation
from outcomes.models import OutcomeOrganisation
from routemap.changes import Change, describe_changes
from routemap.models import Edition
from routemap.signals import edition_published
from subscriptions.emails import build_message_for
from subscriptions.models import Subscription

logger = logging.getLogger(__name__)


def responsible_organisations(editions: list[Edition]) -> dict:
    """Milestone key -> ids of the organisations responsible for it in any of `editions`."""
    milestones = Milestone.objects.filter(outcome__edition__in=editions).prefetch_related(
        Prefetch("organisation_links", queryset=MilestoneOrganisation.objects.all()),
        Prefetch("outcome__organisation_links", queryset=OutcomeOrganisation.objects.all()),
    )
    responsible: dict = {}
    for milestone in milestones:
        ids = {link.organisation_id for link in milestone.responsible_links}
        responsible.setdefault(milestone.key, set()).update(ids)
    return responsible


def changes_by_organisation(changes: list[Change], responsible: dict) -> dict[int, list[Change]]:
    by_organisation: dict[int, list[Change]] = {}
    for change in changes:
        for organisation_id in responsible.get(change.key, ()) if change.key else ():
            by_organisation.setdefault(organisation_id, []).append(change)
    return by_organisation


def update_messages(edition: Edition, previous: Edition | None) -> list:
    route_map = edition.route_map
    changes = describe_changes(previous, edition)
    responsible = responsible_organisations([e for e in (edition, previous) if e is not None])
    by_organisation = changes_by_organisation(changes, responsible)

    context = {
        "route_map": route_map,
        "edition": edition,
        "route_map_url": site_url(route_map.get_absolute_url()),
        "changes_url": site_url(f"/route-maps/{route_map.slug}/changes/"),
    }
    subject = f"{route_map.title} updated: version {edition.number}"
    followers = (
        Subscription.objects.confirmed()
        .with_target()
        .filter(Q(route_map=route_map) | Q(organisation_id__in=by_organisation))
        # The route map first: an address's message is headed by what it follows most.
        .order_by("email", F("route_map_id").asc(nulls_last=True), "created_at")
    )
    by_address: dict[str, list[Subscription]] = {}
    for subscription in followers:
        by_address.setdefault(subscription.email, []).append(subscription)
    # Everything each address follows, for "Manage my subscriptions" and "you also follow".
    everything: dict[str, list[Subscription]] = {}
    for subscription in (
        Subscription.objects.confirmed()
        .with_target()
        .filter(email__in=list(by_address))
        .order_by("created_at")
    ):
        everything.setdefault(subscription.email, []).append(subscription)

    messages = []
    for email, subscriptions in by_address.items():
        if any(s.route_map_id for s in subscriptions):
            theirs = changes
        else:
            followed = {s.organisation_id for s in subscriptions}
            theirs = [c for c in changes if followed & responsible.get(c.key, set())]
        covered = {s.key for s in subscriptions}
        others = [s for s in everything[email] if s.key not in covered]
        messages.append(
            build_message_for(
                subscriptions,
                subject=subject,
                template="subscriptions/email/update.txt",
                context={
                    **context,
                    "changes": theirs,
                    "reworded": any(c.reworded for c in theirs),
                    "organisations": [s.organisation for s in subscriptions if s.organisation],
                    "organisation_urls": [
                        (s.organisation, site_url(s.organisation.get_absolute_url()))
                        for s in subscriptions
                        if s.organisation
                    ],
                    "follows_route_map": any(s.route_map_id for s in subscriptions),
                    "others": others,
                },
                absolute_url=site_url,
                manage_keys=[s.key for s in everything[email]],
            )
        )
    return messages


@receiver(edition_published, dispatch_uid="subscriptions.notify_subscribers")
def notify_subscribers(sender, edition: Edition, previous: Edition | None = None, **kwargs):
    try:
        messages = update_messages(edition, previous)
    except Exception:
        logger.exception("Could not prepare update emails for %s", edition)
        return
    sent = send_each(messages)
    logger.info("Sent %d of %d update emails for %s", sent, len(messages), edition)
