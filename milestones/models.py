"""Milestones: what must happen in which year of Plan 24-30, and who must do it."""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q

from organisations.models import Organisation, Role
from outcomes.models import Outcome, OutcomeOrganisation
from routemap import clock
from routemap.models import Edition

YEAR_MESSAGE = (
    f"Enter a year from {settings.PLAN_FIRST_YEAR} to {settings.PLAN_LAST_YEAR}: "
    "Plan 24-30 covers those years only."
)


def plan_years() -> list[int]:
    return list(range(settings.PLAN_FIRST_YEAR, settings.PLAN_LAST_YEAR + 1))


class Status(models.TextChoices):
    # First, and the default: what the sources say when they state no status.
    NO_UPDATE = "no_update", "No update yet"
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    DELAYED = "delayed", "Delayed"
    NO_LONGER_PLANNED = "no_longer_planned", "No longer planned"


CLOSED_STATUSES = (Status.ACHIEVED, Status.NO_LONGER_PLANNED)

# Design-system tag colours; the status is always also written in words.
STATUS_TAG_COLOURS = {
    Status.NO_UPDATE: "grey",
    Status.NOT_STARTED: "pink",
    Status.IN_PROGRESS: "blue",
    Status.ACHIEVED: "green",
    Status.DELAYED: "orange",
    Status.NO_LONGER_PLANNED: "purple",
}


# Who set a status when no organisation is named: the editors, who work for Promise Scotland.
STAFF_NAME = "Promise Scotland"


# For editors' forms: what choosing a status does to the public line under it.
STATUS_HELP = (
    "Keep “No update yet” until a status is reported. A changed status shows today's date "
    "and “by Promise Scotland” once published."
)


def day_in_words(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def stamp_status(
    item,
    previous_status: str | None,
    *,
    by: Organisation | None = None,
    on: datetime.date | None = None,
) -> bool:
    """Record when and by whom a status was set, if `item.status` differs from
    `previous_status` (None for a new item). The one place every write path (editors' forms,
    accepted partner updates, CSV import, source documents, admin) stamps a status; an
    unchanged status keeps its date. `by` None means Promise Scotland's staff. "No update yet"
    carries no date: nobody has reported anything."""
    if previous_status is None:
        previous_status = Status.NO_UPDATE
    if item.status == previous_status:
        return False
    if item.status == Status.NO_UPDATE:
        item.status_updated_on, item.status_updated_by = None, None
    else:
        item.status_updated_on, item.status_updated_by = on or clock.today(), by
    return True


class StatusReport:
    """How a status reads, for Milestone, Commitment and the editors' view of a commitment:
    the tag's colour, and when and by whom it was set. Needs `status`, `status_updated_on`
    and `status_updated_by` (select it with the item: see the querysets' with_context)."""

    @property
    def status_colour(self) -> str:
        return STATUS_TAG_COLOURS.get(self.status, "grey")

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def status_updated_by_name(self) -> str:
        """Who set the status: an organisation, or Promise Scotland ("" when nobody has, or
        when neither is recorded)."""
        if self.status == Status.NO_UPDATE:
            return ""
        if self.status_updated_by is not None:
            return self.status_updated_by.name
        return STAFF_NAME if self.status_updated_on else ""

    @property
    def status_updated(self) -> str:
        """ "updated 12 March 2026 by COSLA"; "date not recorded" for a status set before
        dates were kept; "" for "No update yet", which nobody set."""
        if self.status == Status.NO_UPDATE:
            return ""
        if self.status_updated_on is None:
            if self.status_updated_by is not None:
                return f"updated by {self.status_updated_by.name}, date not recorded"
            return "date not recorded"
        return f"updated {day_in_words(self.status_updated_on)} by {self.status_updated_by_name}"

    def status_updated_data(self) -> dict:
        """The API's and exports' fields: ISO date and name, None where not known."""
        return {
            "status_updated_on": (
                self.status_updated_on.isoformat() if self.status_updated_on else None
            ),
            "status_updated_by": self.status_updated_by_name or None,
        }

    @property
    def status_summary(self) -> str:
        """The status in one phrase: "In progress, updated 12 March 2026 by COSLA"."""
        updated = self.status_updated
        return f"{self.status_label}, {updated}" if updated else self.status_label


def overdue_condition(today: datetime.date | None = None, prefix: str = "") -> Q:
    """Year ended and not closed, as a filter usable in aggregates (`prefix` for joins)."""
    today = today or clock.today()
    return Q(**{f"{prefix}year__lt": today.year}) & ~Q(**{f"{prefix}status__in": CLOSED_STATUSES})


class MilestoneQuerySet(models.QuerySet):
    def published(self):
        return self.filter(outcome__edition__state=Edition.State.PUBLISHED)

    def _responsible(self, **organisation_lookup):
        """Milestones naming a matching body, or inheriting one from their outcome when the
        milestone names nobody of its own.

        Uncorrelated IN subqueries, each run once and hashed: with correlated EXISTS under an
        OR, PostgreSQL estimated a large plan cost and spent far longer compiling the query
        (JIT) than running it."""
        links = MilestoneOrganisation.objects.values("milestone_id")
        outcomes = OutcomeOrganisation.objects.filter(**organisation_lookup).values("outcome_id")
        return self.filter(
            Q(pk__in=links.filter(**organisation_lookup))
            | (Q(outcome__in=outcomes) & ~Q(pk__in=links))
        )

    def for_organisation(self, organisation: Organisation):
        return self._responsible(organisation=organisation)

    def for_sector(self, sector: str):
        return self._responsible(organisation__sector=sector)

    def overdue(self, today: datetime.date | None = None):
        return self.filter(overdue_condition(today))

    def filtered(
        self,
        *,
        organisation: Organisation | None = None,
        sector: str = "",
        foundation=None,
        route_map=None,
        outcome_slug: str = "",
        first_year: int | None = None,
        last_year: int | None = None,
        status: str = "",
        overdue: bool = False,
    ):
        """The public timeline's filters (see milestones.forms.TimelineFilterForm)."""
        qs = self
        if organisation is not None:
            qs = qs.for_organisation(organisation)
        if sector:
            qs = qs.for_sector(sector)
        if foundation is not None:
            qs = qs.filter(outcome__edition__route_map__foundation=foundation)
        if route_map is not None:
            qs = qs.filter(outcome__edition__route_map=route_map)
        if outcome_slug:
            qs = qs.filter(outcome__slug=outcome_slug)
        if first_year is not None:
            qs = qs.filter(year__gte=first_year)
        if last_year is not None:
            qs = qs.filter(year__lte=last_year)
        if status:
            qs = qs.filter(status=status)
        if overdue:
            qs = qs.overdue()
        return qs

    def in_timeline_order(self):
        return self.order_by(
            "year",
            "outcome__edition__route_map__order",
            "outcome__edition__route_map__title",
            "outcome__order",
            "order",
            "pk",
        )

    def status_counts(self, *fields: str):
        """Rows of `fields` + status + count: one aggregate query for charts."""
        return self.order_by().values(*fields, "status").annotate(count=Count("pk"))

    def counts_by_organisation(self, today: datetime.date | None = None) -> dict[int, dict]:
        """{organisation id: {"total": n, "overdue": n}} in two aggregate queries: milestones
        naming the body, plus those inheriting it from their outcome."""
        own = MilestoneOrganisation.objects.filter(milestone=OuterRef("pk"))
        overdue = overdue_condition(today)
        counts: dict[int, dict] = {}
        for key, rows in [
            ("organisation_links__organisation", self.filter(Exists(own))),
            ("outcome__organisation_links__organisation", self.filter(~Exists(own))),
        ]:
            grouped = (
                rows.order_by()
                .filter(**{f"{key}__isnull": False})
                .values(key)
                .annotate(total=Count("pk"), overdue=Count("pk", filter=overdue))
            )
            for row in grouped:
                entry = counts.setdefault(row[key], {"total": 0, "overdue": 0})
                entry["total"] += row["total"]
                entry["overdue"] += row["overdue"]
        return counts

    def with_context(self):
        """Route map, outcome, who set the status and responsible bodies, in a fixed number
        of queries."""
        return self.select_related(
            "outcome__edition__route_map__foundation", "status_updated_by"
        ).prefetch_related(
            models.Prefetch(
                "organisation_links",
                queryset=MilestoneOrganisation.objects.select_related("organisation"),
            ),
            models.Prefetch(
                "outcome__organisation_links",
                queryset=OutcomeOrganisation.objects.select_related("organisation"),
            ),
        )

    def in_plan_order(self):
        return self.order_by(
            "outcome__edition__route_map__order",
            "outcome__edition__route_map__title",
            "outcome__order",
            "year",
            "order",
            "pk",
        )


def status_field():
    return models.CharField(max_length=20, choices=Status.choices, default=Status.NO_UPDATE)


def status_updated_on_field():
    return models.DateField(
        "Status updated on",
        null=True,
        blank=True,
        help_text="When the status was last set; empty for “No update yet” or when not recorded.",
    )


def status_updated_by_field():
    return models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Status updated by",
        help_text="The organisation that reported the status; empty means Promise Scotland.",
    )


class Milestone(StatusReport, models.Model):
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="milestones")
    key = models.UUIDField(
        default=uuid.uuid4, editable=False, help_text="Stays the same across editions."
    )
    year = models.PositiveSmallIntegerField(
        validators=[
            MinValueValidator(settings.PLAN_FIRST_YEAR, message=YEAR_MESSAGE),
            MaxValueValidator(settings.PLAN_LAST_YEAR, message=YEAR_MESSAGE),
        ]
    )
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    status = status_field()
    status_updated_on = status_updated_on_field()
    status_updated_by = status_updated_by_field()
    progress_note = models.TextField(blank=True)
    subject_to_decisions_after_may_2026 = models.BooleanField(
        "Subject to decisions after May 2026",
        default=False,
        help_text=(
            "Depends on decisions of the Scottish Parliament and Ministers elected in May 2026."
        ),
    )
    organisations = models.ManyToManyField(
        Organisation, through="MilestoneOrganisation", related_name="milestones", blank=True
    )
    revision = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["outcome", "year", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=settings.PLAN_FIRST_YEAR)
                & Q(year__lte=settings.PLAN_LAST_YEAR),
                name="milestone_year_in_plan",
                violation_error_message=(
                    f"Choose a year from {settings.PLAN_FIRST_YEAR} to {settings.PLAN_LAST_YEAR}, "
                    "the years of Plan 24-30."
                ),
            ),
            models.UniqueConstraint(
                fields=["outcome", "key"],
                name="unique_milestone_key",
                violation_error_message="This milestone is already in this outcome.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return f"{self.outcome.get_absolute_url()}#{self.outcome.anchor}-year-{self.year}"

    @property
    def responsible_links(self) -> list:
        """The milestone's own bodies, or its outcome's when it names none (prefetch-friendly)."""
        own = list(self.organisation_links.all())
        return own or list(self.outcome.organisation_links.all())

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or clock.today()
        return self.year < today.year and self.status not in CLOSED_STATUSES

    @property
    def overdue(self) -> bool:
        return self.is_overdue()


class MilestoneOrganisation(models.Model):
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="organisation_links"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="milestone_links"
    )
    role = models.CharField(max_length=12, choices=Role.choices, blank=True, default=Role.UNSTATED)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "organisation"],
                name="unique_milestone_organisation",
                violation_error_message="This organisation is already listed for this milestone.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.milestone}"
