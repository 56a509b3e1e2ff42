"""Writes for partner progress updates: submit, edit or withdraw (the partner, while it waits),
accept (into the draft), decline.

Accepting never publishes: it changes the draft milestone through editing.services (or the
draft commitment through sources.services), so the change record names the accepting editor
and the change goes out with the next publish.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.roles import partner_organisation
from core import clock
from editing import services as editing
from milestones.models import Milestone, Status
from partners.models import ProgressUpdate
from partners.signals import update_reviewed, update_submitted
from routemap.models import RouteMap
from sources import services as sources
from sources.models import Commitment
from sources.services import EditableCommitment


class AlreadyReviewed(Exception):
    """Someone else accepted or declined this update first."""


class NotApplicable(Exception):
    """The milestone or commitment is no longer in the draft, so the update cannot go on it."""


def partner_milestone(organisation, key: uuid.UUID) -> Milestone | None:
    """The live milestone with this key, if the organisation is responsible for it."""
    return (
        Milestone.objects.published()
        .for_organisation(organisation)
        .filter(key=key)
        .with_context()
        .first()
    )


def partner_commitment(organisation, pk: int) -> Commitment | None:
    """The commitment, if a published document names the organisation on it."""
    return (
        Commitment.objects.published()
        .for_organisation(organisation)
        .filter(pk=pk)
        .with_context()
        .first()
    )


def commitment_snapshot(commitment: Commitment) -> str:
    """The commitment as the partner read it: reference and title, then its text."""
    return f"{commitment.heading}\n\n{commitment.text.strip()}".strip()


def _checked_evidence_url(evidence_url: str) -> None:
    if evidence_url and not evidence_url.lower().startswith(("http://", "https://")):
        raise ValidationError({"evidence_url": "Enter a web address starting http:// or https://"})


@transaction.atomic
def progress_update_submit(
    *,
    user,
    proposed_status: str,
    note: str,
    evidence_url: str = "",
    milestone_key: uuid.UUID | None = None,
    route_map: RouteMap | None = None,
    commitment: Commitment | None = None,
) -> ProgressUpdate:
    """A partner's update on one of their organisation's published actions: a milestone
    (`route_map` and `milestone_key`) or a commitment, never both. The action's text is kept
    as it read, so the update still makes sense if the action changes."""
    organisation = partner_organisation(user)
    if organisation is None:
        raise PermissionDenied("Only partner organisations can send progress updates.")
    if (commitment is None) == (milestone_key is None and route_map is None):
        raise ValueError("An update is about one milestone or one commitment.")
    if commitment is not None:
        live = partner_commitment(organisation, commitment.pk)
        if live is None:
            raise PermissionDenied(f"{organisation.name} is not named on that commitment.")
        about = {
            "commitment": live,
            "milestone_text": commitment_snapshot(live),
            "milestone_year": live.year_to,
        }
    else:
        milestone = partner_milestone(organisation, milestone_key)
        if milestone is None or milestone.outcome.edition.route_map_id != route_map.pk:
            raise PermissionDenied(f"{organisation.name} is not responsible for that milestone.")
        about = {
            "route_map": route_map,
            "milestone_key": milestone.key,
            "milestone_text": milestone.text,
            "milestone_year": milestone.year,
        }
    update = ProgressUpdate(
        organisation=organisation,
        submitted_by=user,
        proposed_status=proposed_status,
        note=note.strip(),
        evidence_url=evidence_url,
        **about,
    )
    update.full_clean()
    _checked_evidence_url(evidence_url)
    update.save()
    transaction.on_commit(lambda: update_submitted.send(ProgressUpdate, update=update))
    return update


def _lock_own_pending(update: ProgressUpdate, user) -> ProgressUpdate:
    """The update, locked, if it is the partner's organisation's and still waiting."""
    organisation = partner_organisation(user)
    locked = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    if organisation is None or locked.organisation_id != organisation.pk:
        raise PermissionDenied("This update was sent by another organisation.")
    if locked.state != ProgressUpdate.State.PENDING:
        raise AlreadyReviewed(f"This update was already {locked.get_state_display().lower()}.")
    return locked


@transaction.atomic
def progress_update_edit(
    *, update: ProgressUpdate, user, proposed_status: str, note: str, evidence_url: str = ""
) -> ProgressUpdate:
    """A partner corrects an update that no editor has reviewed yet. Editors are told again
    (`update_submitted`), since what they will review has changed."""
    locked = _lock_own_pending(update, user)
    locked.proposed_status = proposed_status
    locked.note = note.strip()
    locked.evidence_url = evidence_url
    locked.full_clean()
    _checked_evidence_url(evidence_url)
    locked.save(update_fields=["proposed_status", "note", "evidence_url", "updated_at"])
    transaction.on_commit(lambda: update_submitted.send(ProgressUpdate, update=locked))
    return locked


@transaction.atomic
def progress_update_withdraw(*, update: ProgressUpdate, user) -> ProgressUpdate:
    """A partner takes back an update no editor has reviewed: it leaves the review queue and
    stays in their list as withdrawn."""
    locked = _lock_own_pending(update, user)
    locked.state = ProgressUpdate.State.WITHDRAWN
    locked.save(update_fields=["state", "updated_at"])
    return locked


def _lock_pending(update: ProgressUpdate, user) -> ProgressUpdate:
    locked = (
        ProgressUpdate.objects.select_for_update(of=("self",))
        .select_related("organisation", "route_map", "commitment__document")
        .get(pk=update.pk)
    )
    if locked.state != ProgressUpdate.State.PENDING:
        raise AlreadyReviewed(f"This update was already {locked.get_state_display().lower()}.")
    if not locked.can_be_reviewed_by(user):
        raise PermissionDenied(
            "You cannot edit the source document this update is about."
            if locked.is_commitment
            else "You cannot edit the route map this update is about."
        )
    return locked


@transaction.atomic
def progress_update_accept(
    *,
    update: ProgressUpdate,
    user,
    note: str | None = None,
    expected_revision: int | None = None,
) -> Milestone | EditableCommitment:
    """Put the proposed status and `note` (default: the partner's note, credited) on the
    milestone in its route map's draft, or on the commitment in its document's draft. A
    changed status is credited to the partner, on the day they reported it.

    `expected_revision` is the revision of the milestone or commitment the editor saw beside
    the update: if someone saved it since, EditConflict (nothing changes), so their progress
    note is never replaced unseen. None applies the update on top of whatever is there now.
    The note replaced and the note put are kept on the update (`replaced_note`,
    `accepted_note`); the change record has both too."""
    update = _lock_pending(update, user)
    note = update.credited_note() if note is None else note.strip()
    if not note:
        raise ValidationError({"note": "Enter the progress note to put on the milestone."})
    if update.is_commitment:
        item, replaced = _accept_commitment(update, user, note, expected_revision)
    else:
        item, replaced = _accept_milestone(update, user, note, expected_revision)
    update.state = ProgressUpdate.State.ACCEPTED
    update.reviewed_by = user
    update.reviewed_at = clock.now()
    update.replaced_note = replaced
    update.accepted_note = note
    update.save(
        update_fields=[
            "state",
            "reviewed_by",
            "reviewed_at",
            "replaced_note",
            "accepted_note",
            "updated_at",
        ]
    )
    transaction.on_commit(lambda: update_reviewed.send(ProgressUpdate, update=update))
    return item


def _accept_milestone(update, user, note: str, expected_revision: int | None):
    route_map = update.route_map
    # Starting the draft locks the route map's row, as every write to it does: from here on
    # nobody else can save the milestone until this transaction ends.
    draft = editing.edition_ensure_draft(route_map=route_map)
    milestone = (
        Milestone.objects.filter(outcome__edition=draft, key=update.milestone_key)
        .prefetch_related("organisation_links__organisation")
        .first()
    )
    if milestone is None:
        raise NotApplicable(
            "That milestone has been removed from the draft, so the update cannot be applied."
        )
    replaced = milestone.progress_note
    saved = editing.milestone_update(
        route_map=route_map,
        key=update.milestone_key,
        user=user,
        values={"status": Status(update.proposed_status), "progress_note": note},
        organisations=[
            editing.OrganisationChoice(link.organisation, link.role)
            for link in milestone.organisation_links.all()
        ],
        expected_revision=milestone.revision if expected_revision is None else expected_revision,
        status_by=update.organisation,
        status_on=update.reported_on,
    )
    return saved, replaced


# What an accepted update leaves as it is on a commitment (status and note are the update's).
KEPT_COMMITMENT_FIELDS = ["title", "text", "timescale", "section", "phase", "foundation"]


def _accept_commitment(update, user, note: str, expected_revision: int | None):
    # Lock the document's row first, as every write to it does, so the values read here are
    # still the draft's when they are saved.
    document = sources.document_lock(update.commitment.document)
    key = sources.commitment_key(update.commitment_id)
    removed = NotApplicable(
        "That commitment is removed in the document's draft, so the update cannot be applied."
    )
    item = sources.editable_commitment(document, sources.document_draft(document), key)
    if item.state == "removed":
        raise removed
    try:
        saved = sources.commitment_draft_save(
            document=document,
            key=key,
            user=user,
            values={
                **{name: getattr(item, name) for name in KEPT_COMMITMENT_FIELDS},
                "status": Status(update.proposed_status),
                "progress_note": note,
            },
            organisations=item.organisations,
            expected_revision=item.revision if expected_revision is None else expected_revision,
            status_by=update.organisation,
            status_on=update.reported_on,
        )
    except sources.NotEditable as exc:  # removed by someone else meanwhile
        raise removed from exc
    return saved, item.progress_note


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
