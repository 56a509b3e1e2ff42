"""Partner accounts and the progress updates they send for review.

A partner user reports for exactly one organisation. An update is about one action the
organisation must do: a milestone, named by route map and `key` (never a row: rows belong to
one edition and are copied on every draft), or a commitment of a source document (a live row:
documents keep their drafts beside it). It keeps a snapshot of the action's text so it still
reads sensibly if the action changes.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.roles import (
    can_edit_route_map,
    can_edit_source_document,
    editable_route_map_ids,
    editable_source_document_ids,
)
from core import clock
from core.textdiff import changed
from milestones.models import Status, day_in_words
from organisations.models import Organisation
from routemap.models import RouteMap
from sources.models import Commitment


class PartnerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_profile"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partner_profiles"
    )

    class Meta:
        ordering = ["organisation", "user"]

    def __str__(self) -> str:
        return f"{self.user} for {self.organisation}"


class ProgressUpdateQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=ProgressUpdate.State.PENDING)

    def with_people(self):
        return self.select_related(
            "organisation", "route_map", "commitment__document", "submitted_by", "reviewed_by"
        )

    def reviewable_by(self, user):
        """Updates this editor may review: milestone updates on the route maps they edit,
        commitment updates on the source documents they edit. Fails closed: no assignment,
        nothing (accounts.roles)."""
        route_maps = editable_route_map_ids(user)
        documents = editable_source_document_ids(user)
        on_route_maps = (
            Q(route_map__isnull=False)
            if route_maps is None
            else Q(route_map_id__in=route_maps or [])
        )
        on_documents = (
            Q(commitment__isnull=False)
            if documents is None
            else Q(commitment__document_id__in=documents or [])
        )
        return self.filter(on_route_maps | on_documents)

    def sent_by(self, organisation: Organisation):
        return self.filter(organisation=organisation)

    def about(self, action):
        """Updates on one action: a live milestone (by route map and key) or a commitment."""
        if isinstance(action, Commitment):
            return self.filter(commitment=action)
        return self.filter(
            route_map_id=action.outcome.edition.route_map_id, milestone_key=action.key
        )


class ProgressUpdate(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="progress_updates"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A milestone update names the route map and the milestone's key; a commitment update
    # names the commitment (the check constraint below allows exactly one of the two).
    route_map = models.ForeignKey(
        RouteMap, on_delete=models.CASCADE, null=True, blank=True, related_name="progress_updates"
    )
    milestone_key = models.UUIDField(null=True, blank=True, db_index=True)
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="progress_updates",
    )
    milestone_text = models.TextField(
        help_text="The milestone or commitment as it read when the update was sent."
    )
    milestone_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The milestone's year, or the last year of a commitment's timescale if any.",
    )
    proposed_status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField()
    evidence_url = models.URLField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    replaced_note = models.TextField(
        blank=True, help_text="The progress note the accepted update replaced in the draft."
    )
    accepted_note = models.TextField(
        blank=True, help_text="The progress note as the editor accepted it (perhaps edited)."
    )
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When the accepted update was first published."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="progress_update_queue")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(route_map__isnull=False, milestone_key__isnull=False, commitment__isnull=True)
                    | Q(
                        route_map__isnull=True, milestone_key__isnull=True, commitment__isnull=False
                    )
                ),
                name="progress_update_about_one_action",
                violation_error_message="An update is about one milestone or one commitment.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_proposed_status_display()} ({self.state})"

    @property
    def submitter_name(self) -> str:
        if self.submitted_by is None:
            return "someone no longer registered"
        return self.submitted_by.get_full_name() or self.submitted_by.get_username()

    @property
    def reviewer_name(self) -> str:
        if self.reviewed_by is None:
            return ""
        return self.reviewed_by.get_full_name() or self.reviewed_by.get_username()

    @property
    def state_colour(self) -> str:
        return {"pending": "grey", "accepted": "green", "declined": "red", "withdrawn": "grey"}[
            self.state
        ]

    @property
    def is_commitment(self) -> bool:
        return self.commitment_id is not None

    def can_be_reviewed_by(self, user) -> bool:
        """Whether `user` edits what the update is about (see `reviewable_by`)."""
        if self.is_commitment:
            return can_edit_source_document(user, self.commitment.document)
        return can_edit_route_map(user, self.route_map)

    @property
    def action_key(self) -> tuple:
        """What the update is about, as `action_key_of` gives it for a live action."""
        if self.is_commitment:
            return ("commitment", self.commitment_id)
        return ("milestone", self.route_map_id, self.milestone_key)

    @property
    def public_url(self) -> str:
        """Where the action is on the public site (route map page, or the document's)."""
        if self.is_commitment:
            return self.commitment.get_absolute_url()
        return f"{self.route_map.get_absolute_url()}#milestone-{self.milestone_key}"

    @property
    def publishes_with(self) -> str:
        """What must be published for an accepted update to become public."""
        return "the source document" if self.is_commitment else "the route map"

    @property
    def reported_on(self) -> datetime.date:
        """The day the partner sent the update (site's local date)."""
        return timezone.localdate(self.created_at) if self.created_at else clock.today()

    @property
    def note_changed_on_acceptance(self) -> bool:
        """Whether the editor accepted the note in other words than the partner's (with or
        without the credit that goes after it)."""
        return bool(self.accepted_note) and all(
            changed(sent, self.accepted_note) for sent in (self.note, self.credited_note())
        )

    @property
    def changed_at(self) -> datetime.datetime | None:
        """When the partner last changed it while it waited, if they did (a save within a
        minute of sending is the sending)."""
        if not self.is_waiting or not self.updated_at or not self.created_at:
            return None
        if self.updated_at - self.created_at < datetime.timedelta(minutes=1):
            return None
        return self.updated_at

    @property
    def is_waiting(self) -> bool:
        return self.state == self.State.PENDING

    def credited_note(self) -> str:
        """The note as it goes on the milestone, saying who reported it and when."""
        when = day_in_words(self.reported_on)
        return f"{self.note.strip()} (Update from {self.organisation.name}, {when})"


class ReviewDigest(models.Model):
    """When an editor was last sent the list of partner updates to review, so the next list
    holds only what arrived since (manage.py send_review_digest)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_digest"
    )
    last_sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user}: review digest sent {self.last_sent_at:%Y-%m-%d %H:%M}"


def action_key_of(action) -> tuple:
    """A live milestone's or commitment's key, to match the updates about it (`action_key`)."""
    if isinstance(action, Commitment):
        return ("commitment", action.pk)
    return ("milestone", action.outcome.edition.route_map_id, action.key)
