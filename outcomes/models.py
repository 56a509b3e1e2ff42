"""Outcomes of a route map edition, their "progress so far" and who must act."""

import re
import uuid
from functools import cached_property

from django.db import models
from django.urls import reverse

from core.models import Revised
from organisations.models import Organisation, OrganisationLink, one_link_per_organisation
from outcomes.dates import period_end
from routemap.models import Edition, RouteMap


class OutcomeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(edition__state=Edition.State.PUBLISHED)


# The plan's order of outcomes (by route map, then within it), for rows that belong to one.
IN_OUTCOME_ORDER = (
    "outcome__edition__route_map__order",
    "outcome__edition__route_map__title",
    "outcome__order",
)


class OutcomeItemQuerySet(models.QuerySet):
    """What rows of an outcome (its progress entries and milestones) share: the live ones, and
    where they sit in the plan."""

    def published(self):
        return self.filter(outcome__edition__state=Edition.State.PUBLISHED)

    def within(self, *, foundation=None, route_map=None, outcome_slug: str = ""):
        """The timeline's filters by foundation, route map and outcome (by its slug)."""
        qs = self
        if foundation is not None:
            qs = qs.filter(outcome__edition__route_map__foundation=foundation)
        if route_map is not None:
            qs = qs.filter(outcome__edition__route_map=route_map)
        if outcome_slug:
            qs = qs.filter(outcome__slug=outcome_slug)
        return qs


# Progress so far: how many recent entries show before the rest are folded away.
LATEST_PROGRESS_SHOWN = 3


class Outcome(Revised):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="outcomes")
    key = models.UUIDField(
        default=uuid.uuid4, editable=False, help_text="Stays the same across editions."
    )
    order = models.PositiveSmallIntegerField(default=0)
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    statement = models.TextField()
    organisations = models.ManyToManyField(
        Organisation, through="OutcomeOrganisation", related_name="outcomes", blank=True
    )
    linked_route_maps = models.ManyToManyField(
        RouteMap, related_name="linked_from_outcomes", blank=True
    )

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["edition", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "slug"],
                name="unique_outcome_slug",
                violation_error_message=(
                    "Another outcome in this version of the route map already has this web address."
                ),
            ),
            models.UniqueConstraint(
                fields=["edition", "key"],
                name="unique_outcome_key",
                violation_error_message="This outcome is already in this version of the route map.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("routemap:outcome", args=[self.edition.route_map.slug, self.slug])

    @property
    def anchor(self) -> str:
        return f"outcome-{self.slug}"

    def milestone_years(self) -> list[tuple[int, list]]:
        """Plan years 2024-2030 with this outcome's milestones (uses the prefetch cache)."""
        return years_with_milestones(self.milestones.all())

    @cached_property
    def year_cells(self) -> list:
        """Every plan year with its milestones counted by status (uses the prefetch cache):
        the cells of the route map at a glance and the outcome's year tabs."""
        from outcomes.glance import year_cells

        return year_cells(self)

    @cached_property
    def latest_progress(self) -> list["ProgressEntry"]:
        """The progress entries shown before "Show all": the most recent dated ones, newest
        first. Empty when there are too few entries to be worth folding, or none is dated
        (an undated entry is never presented as recent). Uses the prefetch cache."""
        entries = list(self.progress_entries.all())
        if len(entries) <= LATEST_PROGRESS_SHOWN + 1:
            return []
        dated = [entry for entry in entries if entry.date]
        dated.sort(key=lambda entry: (entry.date, entry.order, entry.pk), reverse=True)
        return dated[:LATEST_PROGRESS_SHOWN]


class OutcomeOrganisation(OrganisationLink):
    item_field = "outcome"

    outcome = models.ForeignKey(
        Outcome, on_delete=models.CASCADE, related_name="organisation_links"
    )

    class Meta(OrganisationLink.Meta):
        constraints = one_link_per_organisation("outcome")


class ProgressEntryQuerySet(OutcomeItemQuerySet):
    def _outcome_names(self, **organisation_lookup):
        """Entries whose outcome names a matching body."""
        bodies = OutcomeOrganisation.objects.filter(
            outcome=models.OuterRef("outcome"), **organisation_lookup
        )
        return self.filter(models.Exists(bodies))

    def filtered(
        self,
        *,
        organisation: Organisation | None = None,
        sector: str = "",
        foundation=None,
        route_map=None,
        outcome_slug: str = "",
    ):
        """The timeline's filters that apply to progress (it has no year or status)."""
        qs = self
        if organisation is not None:
            qs = qs._outcome_names(organisation=organisation)
        if sector:
            qs = qs._outcome_names(organisation__sector=sector)
        return qs.within(foundation=foundation, route_map=route_map, outcome_slug=outcome_slug)

    def with_context(self):
        """Outcome and route map, in the one query. Not its outcome's bodies: a progress entry
        records what happened, it is nobody's action (see sources.actions)."""
        return self.select_related("outcome__edition__route_map__foundation")

    def in_plan_order(self):
        return self.order_by(*IN_OUTCOME_ORDER, "order", "pk")

    def in_date_order(self):
        """Oldest first by the end of each entry's stated period ("June 2024" before "late
        2024" before "2025"); entries without a year last, then in plan order."""
        return self.order_by(
            models.F("date").asc(nulls_last=True),
            "outcome__edition__route_map__order",
            "outcome__order",
            "order",
            "pk",
        )


class ProgressEntry(Revised):
    """A "Where is Scotland now?" / progress-so-far paragraph, dated where the text gives one."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="progress_entries")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    order = models.PositiveSmallIntegerField(default=0)
    date = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "For sorting only: the last day of the period the date as written states "
            "(31 December 2024 for “late 2024”). Worked out from the date as written "
            "whenever it names a year."
        ),
    )
    date_label = models.CharField(
        max_length=100, blank=True, help_text='The date as written, e.g. "Early 2026".'
    )
    text = models.TextField()

    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "progress entries"

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args, **kwargs):
        # The printed date decides; a date typed by hand counts only for a label without a
        # year ("3-7 November"), which cannot be placed otherwise.
        self.date = period_end(self.date_label) or self.date
        super().save(*args, **kwargs)

    @property
    def shown_date_label(self) -> str:
        """The date to show beside the text, or "" when the text opens with that same date
        ("2024: Updated guidance...", "In August 2023, ..."), so it is not said twice. The
        text itself is always shown as printed."""
        label = self.date_label.strip()
        if label and opens_with(self.text, label):
            return ""
        return label


def opens_with(text: str, label: str) -> bool:
    """Whether `text` starts with the date `label`, alone or after "In" / "On"."""
    pattern = rf"(?:(?:in|on)\s+)?{re.escape(label)}(?!\w)"
    return re.match(pattern, text.strip(), re.IGNORECASE) is not None


def years_with_milestones(milestones) -> list[tuple[int, list]]:
    """Every plan year in order with its milestones (an empty list where none are planned)."""
    from django.conf import settings

    by_year: dict[int, list] = {
        year: [] for year in range(settings.PLAN_FIRST_YEAR, settings.PLAN_LAST_YEAR + 1)
    }
    for milestone in milestones:
        by_year.setdefault(milestone.year, []).append(milestone)
    return sorted(by_year.items())
