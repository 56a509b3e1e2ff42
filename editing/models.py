"""The editorial record: every change to a draft, who made it and what it was before."""

from django.conf import settings
from django.db import models

from routemap.models import Edition, RouteMap


class ChangeRecordQuerySet(models.QuerySet):
    def for_object(self, key):
        return self.filter(object_key=key)

    def newest_first(self):
        return self.select_related("user").order_by("-created_at", "-pk")


class ChangeRecord(models.Model):
    class Action(models.TextChoices):
        CHANGED = "changed", "Changed"
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"
        MOVED = "moved", "Moved"
        RESTORED = "restored", "Restored"
        PUBLISHED = "published", "Published"
        DISCARDED = "discarded", "Discarded draft"

    route_map = models.ForeignKey(RouteMap, on_delete=models.CASCADE, related_name="changes")
    edition = models.ForeignKey(
        Edition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=12, choices=Action.choices, default=Action.CHANGED)
    object_type = models.CharField(max_length=20)  # route map, outcome, milestone, progress
    object_key = models.UUIDField(null=True, blank=True, db_index=True)
    object_label = models.CharField(max_length=200, blank=True)
    field = models.CharField(max_length=50, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.field}".strip()

    @property
    def who(self) -> str:
        if self.user is None:
            return "Someone no longer registered"
        return self.user.get_full_name() or self.user.get_username()
