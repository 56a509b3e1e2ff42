"""Tell subscribers what changed when a route map is published.

Runs on `edition_published`, which is sent after the publish has committed, so a failure
here (an unreachable mail server, say) can neither block nor undo the publish: every message
is sent and logged on its own.

Who gets a message: everyone following the route map (every change), and everyone following
an organisation responsible for a milestone that changed (those milestone changes only). An
address that follows both gets the route map's message alone.
"""

import logging

from django.db.models import Prefetch
from django.dispatch import receiver

from milestones.models import Milestone, MilestoneOrganisation
from outcomes.models import OutcomeOrganisation
from routemap.changes import Change, describe_changes
from routemap.emails import send_each, site_url
from routemap.models import Edition
from routemap.signals import edition_published
from subscriptions.emails import build_message
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
    messages = []
    emailed = set()
    for subscription in Subscription.objects.confirmed().with_target().filter(route_map=route_map):
        emailed.add(subscription.email)
        messages.append(
            build_message(
                subscription,
                subject=subject,
                template="subscriptions/email/update.txt",
                context={**context, "changes": changes},
                absolute_url=site_url,
            )
        )
    followers = (
        Subscription.objects.confirmed()
        .with_target()
        .filter(organisation_id__in=by_organisation)
        .exclude(email__in=emailed)
    )
    for subscription in followers:
        messages.append(
            build_message(
                subscription,
                subject=subject,
                template="subscriptions/email/update.txt",
                context={**context, "changes": by_organisation[subscription.organisation_id]},
                absolute_url=site_url,
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
