"""Milestones: what must happen in which year of Plan 24-30, and who must do it."""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q

from core import clock
from core.models import Revised
from core.templatetags.richtext import plaintext
from milestones.dates import Due, DueDateError, DuePrecision, milestone_due, parse_due
from organisations.models import Organisation, OrganisationLink, one_link_per_organisation
from outcomes.models import (
    IN_OUTCOME_ORDER,
    Outcome,
    OutcomeItemQuerySet,
    OutcomeOrganisation,
)

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
# A milestone's due date, its precision and whether an editor set it (see Milestone.refresh_due).
DUE_FIELDS = ["due_date", "due_precision", "due_set_by_editor"]

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


def due_soon_until(today: datetime.date) -> datetime.date:
    """The last due date that is "due soon" on `today`."""
    return today + datetime.timedelta(days=settings.DUE_SOON_DAYS)


def overdue_condition(today: datetime.date | None = None, prefix: str = "") -> Q:
    """Due date passed and not closed, as a filter usable in aggregates (`prefix` for joins).
    Rows without a due date (commitments with no timescale) are never overdue."""
    today = today or clock.today()
    return Q(**{f"{prefix}due_date__lt": today}) & ~Q(**{f"{prefix}status__in": CLOSED_STATUSES})


def due_soon_condition(today: datetime.date | None = None, prefix: str = "") -> Q:
    """Due today or within settings.DUE_SOON_DAYS, and not closed (see `overdue_condition`)."""
    today = today or clock.today()
    return Q(
        **{f"{prefix}due_date__gte": today, f"{prefix}due_date__lte": due_soon_until(today)}
    ) & ~Q(**{f"{prefix}status__in": CLOSED_STATUSES})


def due_counts(today: datetime.date | None = None, prefix: str = "") -> dict[str, Count]:
    """How many of a group are overdue and due soon, as aggregates (`prefix` for joins)."""
    return {
        "overdue": Count("pk", filter=overdue_condition(today, prefix)),
        "due_soon": Count("pk", filter=due_soon_condition(today, prefix)),
    }


class DueDateMixin:
    """Overdue, due soon and the due label, for anything with a `due` (a `Due` or None) and
    a `status`: milestones, commitments, and commitments as editors see them in a draft."""

    due: Due | None
    status: str

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        due = self.due
        if due is None or self.status in CLOSED_STATUSES:
            return False
        return due.date < (today or clock.today())

    def is_due_soon(self, today: datetime.date | None = None) -> bool:
        due = self.due
        if due is None or self.status in CLOSED_STATUSES:
            return False
        today = today or clock.today()
        return today <= due.date <= due_soon_until(today)

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def due_soon(self) -> bool:
        return self.is_due_soon()

    @property
    def due_label(self) -> str:
        """ "Due April 2026", "Due by end of 2026"; empty when there is no due date."""
        due = self.due
        return due.label if due is not None else ""


def responsible_bodies() -> tuple[models.Prefetch, models.Prefetch]:
    """The prefetches of a milestone's own bodies and its outcome's (which it inherits when
    it names none of its own), each with its organisation."""
    return (
        MilestoneOrganisation.as_prefetch(),
        OutcomeOrganisation.as_prefetch("outcome__organisation_links"),
    )


class ActionQuerySet(models.QuerySet):
    """What milestones and commitments share on the timeline and an organisation's page: the
    same overdue and due-soon conditions, and the timeline's filters. Each kind says how it
    names a body (`_responsible`) and how it is placed in the plan (`_placed`)."""

    def _responsible(self, **organisation_lookup):
        raise NotImplementedError

    def _placed(self, *, foundation, route_map, outcome_slug: str, first_year, last_year):
        raise NotImplementedError

    def for_organisation(self, organisation: Organisation):
        return self._responsible(organisation=organisation)

    def for_sector(self, sector: str):
        return self._responsible(organisation__sector=sector)

    def overdue(self, today: datetime.date | None = None):
        return self.filter(overdue_condition(today))

    def due_soon(self, today: datetime.date | None = None):
        return self.filter(due_soon_condition(today))

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
        due_soon: bool = False,
    ):
        """The public timeline's filters (see public.timeline_forms.TimelineFilterForm)."""
        qs = self
        if organisation is not None:
            qs = qs.for_organisation(organisation)
        if sector:
            qs = qs.for_sector(sector)
        qs = qs._placed(
            foundation=foundation,
            route_map=route_map,
            outcome_slug=outcome_slug,
            first_year=first_year,
            last_year=last_year,
        )
        if status:
            qs = qs.filter(status=status)
        if overdue:
            qs = qs.overdue()
        if due_soon:
            qs = qs.due_soon()
        return qs


class MilestoneQuerySet(ActionQuerySet, OutcomeItemQuerySet):
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

    def bulk_create(self, objs, *args, **kwargs):
        """Rows written in bulk (edition copies, imports) get their due date as `save` gives
        it, unless they already carry one."""
        objs = list(objs)
        for milestone in objs:
            if milestone.due_date is None:
                milestone.refresh_due()
        return super().bulk_create(objs, *args, **kwargs)

    def _placed(self, *, foundation, route_map, outcome_slug: str, first_year, last_year):
        qs = self.within(foundation=foundation, route_map=route_map, outcome_slug=outcome_slug)
        if first_year is not None:
            qs = qs.filter(year__gte=first_year)
        if last_year is not None:
            qs = qs.filter(year__lte=last_year)
        return qs

    def in_timeline_order(self, *first: str):
        """By year, and within a year by due date (then by route map, outcome and order);
        `first` (fields or annotations) comes before all of them."""
        return self.order_by(
            *first,
            "year",
            "due_date",
            *IN_OUTCOME_ORDER,
            "order",
            "pk",
        )

    def status_counts(self, *fields: str, today: datetime.date | None = None):
        """Rows of `fields` + status + count, overdue and due_soon (how many of those are):
        one aggregate query for charts."""
        return (
            self.order_by()
            .values(*fields, "status")
            .annotate(count=Count("pk"), **due_counts(today))
        )

    def counts_by_organisation(self, today: datetime.date | None = None) -> dict[int, dict]:
        """{organisation id: {"total": n, "overdue": n, "due_soon": n}} in two aggregate
        queries: milestones naming the body, plus those inheriting it from their outcome."""
        own = MilestoneOrganisation.objects.filter(milestone=OuterRef("pk"))
        counts: dict[int, dict] = {}
        for key, rows in [
            ("organisation_links__organisation", self.filter(Exists(own))),
            ("outcome__organisation_links__organisation", self.filter(~Exists(own))),
        ]:
            grouped = (
                rows.order_by()
                .filter(**{f"{key}__isnull": False})
                .values(key)
                .annotate(total=Count("pk"), **due_counts(today))
            )
            for row in grouped:
                entry = counts.setdefault(row[key], {"total": 0, "overdue": 0, "due_soon": 0})
                for name in entry:
                    entry[name] += row[name]
        return counts

    def with_context(self):
        """Route map, outcome, who set the status and responsible bodies, in a fixed number
        of queries."""
        return self.select_related(
            "outcome__edition__route_map__foundation", "status_updated_by"
        ).prefetch_related(*responsible_bodies())

    def in_plan_order(self):
        return self.order_by(*IN_OUTCOME_ORDER, "year", "order", "pk")


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


class Milestone(StatusReport, DueDateMixin, Revised):
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
    # The last day of the period it is due in, read from the text and year on every save
    # (milestones.dates) unless an editor set it. Never null once saved; blank only so that
    # validating a new milestone, before `save` reads its date, passes.
    due_date = models.DateField("Due date", blank=True, editable=False)
    due_precision = models.CharField(
        "Due date precision",
        max_length=20,
        choices=DuePrecision.choices,
        default=DuePrecision.YEAR,
        editable=False,
    )
    due_set_by_editor = models.BooleanField(
        "Due date set by an editor",
        default=False,
        editable=False,
        help_text="Otherwise it is read from the text (or is the end of the year) on every save.",
    )
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

    def save(self, *args, **kwargs):
        self.refresh_due()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"text", "year"} & set(update_fields):
            kwargs["update_fields"] = [*update_fields, *DUE_FIELDS]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.outcome.get_absolute_url()}#{self.outcome.anchor}-year-{self.year}"

    @property
    def due(self) -> Due:
        if self.due_date is None:  # not saved yet
            return self.due_from_text
        return Due(self.due_date, self.due_precision)

    @property
    def due_from_text(self) -> Due:
        """What the text and year give, whatever an editor set."""
        return milestone_due(plaintext(self.text), self.year)

    @property
    def due_phrase(self) -> str:
        """The due date as an editor types it ("April 2026"), for the edit form."""
        return self.due.phrase

    def refresh_due(self) -> None:
        """Read the due date from the text and year again, unless an editor set it for this
        year: an editor's date stays when the text is reworded, but a milestone moved to
        another year is read afresh (the editor's date was for the old year)."""
        if self.due_set_by_editor and self.due_date and self.due_date.year == self.year:
            return
        self.due_set_by_editor = False
        self.due_date, self.due_precision = self.due_from_text

    def set_due(self, phrase: str) -> None:
        """An editor's due date ("April 2026"); blank goes back to reading it from the text.
        Raises DueDateError for a phrase it cannot read or a date outside the year."""
        due = parse_due(phrase)
        if due is None:
            self.due_set_by_editor = False
            self.refresh_due()
            return
        if due.date.year != self.year:
            raise DueDateError(
                f"Enter a date in {self.year}, the milestone's year (“{phrase.strip()}” "
                f"ends in {due.date.year}), or change its year."
            )
        self.due_date, self.due_precision = due
        self.due_set_by_editor = True

    @property
    def responsible_links(self) -> list:
        """The milestone's own bodies, or its outcome's when it names none (prefetch-friendly)."""
        own = list(self.organisation_links.all())
        return own or list(self.outcome.organisation_links.all())


class MilestoneOrganisation(OrganisationLink):
    item_field = "milestone"

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="organisation_links"
    )

    class Meta(OrganisationLink.Meta):
        constraints = one_link_per_organisation("milestone")
