"""Writes for partner progress updates: submit, accept (into the draft), decline.

Accepting never publishes: it changes the draft milestone through editing.services, so the
change record names the accepting editor and the change goes out with the next publish.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.roles import can_edit_route_map, partner_organisation
from editing import services as editing
from milestones.models import Milestone, Status
from partners.models import ProgressUpdate
from partners.signals import update_reviewed, update_submitted
from routemap import clock
from routemap.models import RouteMap


class AlreadyReviewed(Exception):
    """Someone else accepted or declined this update first."""


def partner_milestone(organisation, key: uuid.UUID) -> Milestone | None:
    """The live milestone with this key, if the organisation is responsible for it."""
    return (
        Milestone.objects.published()
        .for_organisation(organisation)
        .filter(key=key)
        .with_context()
        .first()
    )


@transaction.atomic
def progress_update_submit(
    *,
    user,
    milestone_key: uuid.UUID,
    route_map: RouteMap,
    proposed_status: str,
    note: str,
    evidence_url: str = "",
) -> ProgressUpdate:
    """A partner's update on one of their organisation's published milestones."""
    organisation = partner_organisation(user)
    if organisation is None:
        raise PermissionDenied("Only partner organisations can send progress updates.")
    milestone = partner_milestone(organisation, milestone_key)
    if milestone is None or milestone.outcome.edition.route_map_id != route_map.pk:
        raise PermissionDenied(f"{organisation.name} is not responsible for that milestone.")
    update = ProgressUpdate(
        organisation=organisation,
        submitted_by=user,
        route_map=route_map,
        milestone_key=milestone.key,
        milestone_text=milestone.text,
        milestone_year=milestone.year,
        proposed_status=proposed_status,
        note=note.strip(),
        evidence_url=evidence_url,
    )
    update.full_clean()
    if evidence_url and not evidence_url.lower().startswith(("http://", "https://")):
        raise ValidationError({"evidence_url": "Enter a web address starting http:// or https://"})
    update.save()
    transaction.on_commit(lambda: update_submitted.send(ProgressUpdate, update=update))
    return update


def _lock_pending(update: ProgressUpdate, user) -> ProgressUpdate:
    locked = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if locked.state != ProgressUpdate.State.PENDING:
        raise AlreadyReviewed(f"This update was already {locked.get_state_display().lower()}.")
    if not can_edit_route_map(user, locked.route_map):
        raise PermissionDenied("You cannot edit the route map this update is about.")
    return locked


@transaction.atomic
def progress_update_accept(*, update: ProgressUpdate, user) -> Milestone:
    """Put the proposed status and the credited note on the draft milestone. A changed status
    is credited to the partner, on the day they reported it."""
    update = _lock_pending(update, user)
    route_map = update.route_map
    draft = editing.edition_ensure_draft(route_map=route_map)
    values = {"status": Status(update.proposed_status), "progress_note": update.credited_note()}
    # Accepting is deliberate: if someone saves the milestone between reading its revision and
    # writing, read it again and apply the update on top of their change.
    for attempt in range(2):
        milestone = (
            Milestone.objects.filter(outcome__edition=draft, key=update.milestone_key)
            .prefetch_related("organisation_links__organisation")
            .first()
        )
        if milestone is None:
            raise editing.NotEditable(
                "That milestone has been removed from the draft, so the update cannot be applied."
            )
        organisations = [
            editing.OrganisationChoice(link.organisation, link.role)
            for link in milestone.organisation_links.all()
        ]
        try:
            milestone = editing.milestone_update(
                route_map=route_map,
                key=update.milestone_key,
                user=user,
                values=values,
                organisations=organisations,
                expected_revision=milestone.revision,
                status_by=update.organisation,
                status_on=update.reported_on,
            )
            break
        except editing.EditConflict:
            if attempt:
                raise
    update.state = ProgressUpdate.State.ACCEPTED
    update.reviewed_by = user
    update.reviewed_at = clock.now()
    update.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    transaction.on_commit(lambda: update_reviewed.send(ProgressUpdate, update=update))
    return milestone


@transaction.atomic
def progress_update_decline(*, update: ProgressUpdate, user, reason: str) -> ProgressUpdate:
    """Decline with a reason the partner will read."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the update is declined."})
    update = _lock_pending(update, user)
    update.state = ProgressUpdate.State.DECLINED
    update.reviewed_by = user
    update.reviewed_at = clock.now()
    update.decline_reason = reason
    update.save(update_fields=["state", "reviewed_by", "reviewed_at", "decline_reason"])
    transaction.on_commit(lambda: update_reviewed.send(ProgressUpdate, update=update))
    return update
