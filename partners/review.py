"""What an editor sees beside each partner update in the review queue.

An update is a claim about a milestone or commitment; to check it the editor needs the item
as it is now (in the draft if one changes it, otherwise as published), where the public
reads it, and every body responsible for it: "Achieved" from one of four bodies is one
body's view. `attach_context` finds all of that for a whole page of updates in a fixed
number of queries.
"""

from dataclasses import dataclass

from django.urls import reverse

from accounts.roles import is_publisher
from milestones.models import Milestone, responsible_bodies
from organisations.models import Organisation, Role
from partners.models import ProgressUpdate
from routemap.models import Edition
from sources import services as sources
from sources.models import Commitment, CommitmentOrganisation


@dataclass(frozen=True)
class Body:
    organisation: Organisation
    role: str  # "lead", "contributor" or "" (not stated)
    reported: bool  # the body that sent the update

    @property
    def role_label(self) -> str:
        return Role(self.role).label.lower() if self.role else "role not stated"


def _bodies(links, update: ProgressUpdate) -> list[Body]:
    return [
        Body(link.organisation, link.role, link.organisation.pk == update.organisation_id)
        for link in links
    ]


def attach_context(updates: list[ProgressUpdate]) -> None:
    """Set on each update `current` (the milestone or commitment as editors now see it, or
    None when it has gone from the draft), `current_in_draft` (whether that is a draft's
    version), `live` (the published milestone or commitment, or None), `live_url` (its public
    address, "" if it has none) and `bodies` (every responsible body, with its role)."""
    _attach_milestones([u for u in updates if not u.is_commitment])
    _attach_commitments([u for u in updates if u.is_commitment])


def _attach_milestones(updates: list[ProgressUpdate]) -> None:
    if not updates:
        return
    route_maps = {u.route_map_id for u in updates}
    with_drafts = set(
        Edition.objects.filter(route_map_id__in=route_maps, state=Edition.State.DRAFT).values_list(
            "route_map_id", flat=True
        )
    )
    found: dict[tuple, dict] = {}
    milestones = (
        Milestone.objects.filter(
            outcome__edition__route_map_id__in=route_maps,
            outcome__edition__state__in=[Edition.State.DRAFT, Edition.State.PUBLISHED],
            key__in={u.milestone_key for u in updates},
        )
        .select_related("outcome__edition__route_map", "status_updated_by")
        .prefetch_related(*responsible_bodies())
    )
    for milestone in milestones:
        edition = milestone.outcome.edition
        found.setdefault((edition.route_map_id, milestone.key), {})[edition.state] = milestone
    for update in updates:
        versions = found.get((update.route_map_id, update.milestone_key), {})
        live = versions.get(Edition.State.PUBLISHED)
        draft = versions.get(Edition.State.DRAFT)
        update.live = live
        # A draft without the milestone (removed from it) leaves nothing to accept into.
        update.current = draft if update.route_map_id in with_drafts else live
        update.current_in_draft = draft is not None
        update.live_url = (
            f"{live.outcome.edition.route_map.get_absolute_url()}#milestone-{live.key}"
            if live
            else ""
        )
        update.bodies = _bodies(update.current.responsible_links, update) if update.current else []


def _attach_commitments(updates: list[ProgressUpdate]) -> None:
    if not updates:
        return
    commitments = {
        c.pk: c
        for c in Commitment.objects.filter(pk__in={u.commitment_id for u in updates})
        .select_related("document", "phase", "foundation", "section", "status_updated_by")
        .prefetch_related(CommitmentOrganisation.as_prefetch())
    }
    current = sources.current_commitments(commitments.values())
    for update in updates:
        live = commitments[update.commitment_id]
        item = current[update.commitment_id]
        update.live = live
        update.current = None if item.state == "removed" else item
        update.current_in_draft = item.change is not None
        update.live_url = live.get_absolute_url()
        update.bodies = _bodies(item.organisations, update)


def publish_url(update: ProgressUpdate, user) -> str:
    """Where `user` publishes what accepting the update put in a draft ("" if they cannot)."""
    if not is_publisher(user):
        return ""
    if update.is_commitment:
        return reverse("sources-edit:publish", args=[update.commitment.document.slug])
    return reverse("editing:publish", args=[update.route_map.slug])


def draft_url(update: ProgressUpdate) -> str:
    """The editor's page of the draft the update goes into."""
    if update.is_commitment:
        return reverse("sources-edit:document", args=[update.commitment.document.slug])
    return reverse("editing:route_map", args=[update.route_map.slug])
