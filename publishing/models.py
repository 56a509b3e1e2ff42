"""The one editorial record: every change to a draft, every publish and every discard, of a
route map or a source document; who made it and what it was before.

It names what was changed by string ("sources.SourceDocument"), so this layer imports
nothing above it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

# Long text, where the history marks the words that changed (route maps' field names have an
# underscore, documents' a space, as each has always recorded them).
REWORDABLE_FIELDS = {"text", "progress_note", "progress note", "summary", "introduction"}


class ChangeRecordQuerySet(models.QuerySet):
    def for_object(self, key):
        return self.filter(object_key=key)

    def newest_first(self):
        return self.select_related("user").order_by("-created_at", "-pk")

    def of_save(self, record: "ChangeRecord"):
        """Every record of the save `record` belongs to, in the order they were written."""
        return self.filter(save_key=record.save_key).order_by("pk")


class ChangeRecord(models.Model):
    class Action(models.TextChoices):
        CHANGED = "changed", "Changed"
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"
        MOVED = "moved", "Moved"
        RESTORED = "restored", "Restored"
        PUBLISHED = "published", "Published"
        DISCARDED = "discarded", "Discarded draft"

    # What was drafted: a route map or a source document, never both.
    route_map = models.ForeignKey(
        "routemap.RouteMap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
    )
    document = models.ForeignKey(
        "sources.SourceDocument",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="change_records",
    )
    edition = models.ForeignKey(
        "routemap.Edition", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=12, choices=Action.choices, default=Action.CHANGED)
    # route map, outcome, milestone, progress; document, commitment
    object_type = models.CharField(max_length=20)
    object_key = models.UUIDField(null=True, blank=True, db_index=True)
    # As people read it: "commitment 8.2", a milestone's opening words.
    object_label = models.CharField(max_length=200, blank=True)
    field = models.CharField(max_length=50, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    # The records of one save (every field one form changed) share it; a record alone has its own.
    save_key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(route_map__isnull=False, document__isnull=True)
                | Q(route_map__isnull=True, document__isnull=False),
                name="change_record_of_one_thing",
                violation_error_message="A change record is of a route map or a document.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.field}".strip()

    @property
    def is_rewording(self) -> bool:
        return self.field in REWORDABLE_FIELDS and bool(self.before) and bool(self.after)

    @property
    def who(self) -> str:
        if self.user is None:
            return "Someone no longer registered"
        return self.user.get_full_name() or self.user.get_username()
