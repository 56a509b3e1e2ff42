"""Foundations, route maps and their editions.

A route map's content (summary, outcomes, progress, milestones...) belongs to an *edition*.
Exactly one edition per route map is live (published); editors work on at most one draft;
superseded editions are kept unchanged as the published history. Public pages only ever
read the live edition, so a draft can never leak by accident.
"""

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse

from core.models import Revised


class Foundation(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class RouteMapQuerySet(models.QuerySet):
    def listed(self):
        """The route maps the public may see named (see RouteMap.is_listed)."""
        return self.filter(is_listed=True)

    def titled(self, title: str) -> "RouteMap | None":
        """The route map called `title`, whatever its case and surrounding spaces: two route
        maps whose titles differ only so would read as one."""
        return self.filter(title__iexact=title.strip()).first()

    def with_live_edition(self):
        """Each route map with `live_editions` prefetched (a list of zero or one)."""
        return self.select_related("foundation").prefetch_related(
            Prefetch(
                "editions",
                queryset=Edition.objects.filter(state=Edition.State.PUBLISHED),
                to_attr="live_editions",
            )
        )


class RouteMap(models.Model):
    """The identity of a route map; its content lives in editions."""

    slug = models.SlugField(unique=True, max_length=100)
    title = models.CharField(max_length=200, unique=True)
    foundation = models.ForeignKey(
        Foundation,
        on_delete=models.PROTECT,
        related_name="route_maps",
        null=True,
        blank=True,
        help_text="Leave empty where the plan does not say which foundation it sits under.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_listed = models.BooleanField(
        "Listed on the public site",
        default=True,
        help_text=(
            "Named on public pages, with or without content. The plan's route maps are; one "
            "created in the editor is listed once its first version is published, so its "
            "title and place are no more public than its content."
        ),
    )
    source_url = models.URLField(
        "Link to the original route map",
        blank=True,
        help_text="Where the route map is published (plan2430.scot). Leave empty if not known.",
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="assigned_route_maps",
        blank=True,
        help_text=(
            "Editors and publishers who may edit this route map. Someone with no assignment "
            "edits none, unless they have the permission “Can edit every route map”."
        ),
    )

    objects = RouteMapQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        permissions = [("edit_all_route_maps", "Can edit every route map")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("routemap:detail", args=[self.slug])

    @property
    def live_edition(self) -> "Edition | None":
        if hasattr(self, "live_editions"):
            return self.live_editions[0] if self.live_editions else None
        return self.editions.filter(state=Edition.State.PUBLISHED).first()


def _related(model, name: str):
    """The model at the other end of `model`'s relation `name` (forward or reverse)."""
    return model._meta.get_field(name).related_model


class EditionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Edition.State.PUBLISHED)

    def drafts(self):
        return self.filter(state=Edition.State.DRAFT)

    def versions(self):
        """Every version the public has seen: the live one and those it superseded, each
        with its number and date of publication (never a draft)."""
        return self.filter(
            state__in=[Edition.State.PUBLISHED, Edition.State.SUPERSEDED],
            number__isnull=False,
            published_at__isnull=False,
        )

    def with_content(self):
        """Everything a route map page shows, in a fixed number of queries.

        Outcomes and milestones sit above route maps (their apps import this one), so their
        models are reached through the reverse relations rather than imported."""
        Outcome = _related(self.model, "outcomes")
        OutcomeOrganisation = _related(Outcome, "organisation_links")
        Milestone = _related(Outcome, "milestones")
        MilestoneOrganisation = _related(Milestone, "organisation_links")
        return self.select_related("route_map__foundation").prefetch_related(
            "what_matters",
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.order_by("order").prefetch_related(
                    "progress_entries",
                    OutcomeOrganisation.as_prefetch(),
                    Prefetch("linked_route_maps", queryset=RouteMap.objects.order_by("title")),
                    Prefetch(
                        "milestones",
                        queryset=Milestone.objects.select_related("status_updated_by")
                        .order_by("year", "order")
                        .prefetch_related(MilestoneOrganisation.as_prefetch()),
                    ),
                ),
            ),
        )


class Edition(Revised):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

    route_map = models.ForeignKey(RouteMap, on_delete=models.CASCADE, related_name="editions")
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    number = models.PositiveIntegerField(
        null=True, blank=True, help_text="Version number, given when published."
    )
    introduction = models.TextField(blank=True)
    summary = models.TextField("Where is Scotland now? (summary)", blank=True)
    summary_detail = models.TextField("Where is Scotland now? (more)", blank=True)
    vision = models.TextField("Where does Scotland need to be by 2030?", blank=True)
    last_updated = models.DateField(null=True, blank=True)
    change_note = models.TextField("What changed?", blank=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When this version was published (or imported) here."
    )
    imported_from = models.CharField(
        max_length=100,
        blank=True,
        help_text=(
            "Where this version was published before it was brought into the tracker, e.g. "
            "plan2430.scot; its date is then the source's “last updated”. Empty for versions "
            "published here."
        ),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["route_map", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["route_map"],
                condition=Q(state="published"),
                name="one_live_edition_per_route_map",
                violation_error_message="This route map already has a published version.",
            ),
            models.UniqueConstraint(
                fields=["route_map"],
                condition=Q(state="draft"),
                name="one_draft_per_route_map",
                violation_error_message="This route map already has a draft.",
            ),
            models.UniqueConstraint(
                fields=["route_map", "number"],
                name="unique_edition_number_per_route_map",
                violation_error_message="This route map already has a version with this number.",
            ),
        ]

    def __str__(self) -> str:
        label = f"version {self.number}" if self.number else "draft"
        return f"{self.route_map} ({label})"


class WhatMatters(models.Model):
    """A "What matters to children, families, and care experienced adults" statement."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="what_matters")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "what matters statements"

    def __str__(self) -> str:
        return self.text[:60]
