"""The front page's answer to "what is happening now": this year's milestones by status,
what is overdue, what is due soon and the latest published versions; and the plan's shape
(its foundations, each with its route maps in the plan's order).

Overdue and due soon are the models' own (`overdue()` / `due_soon()` on the milestone and
commitment querysets); nothing is re-defined here. Every list is cut in SQL and the bodies
of all lists are fetched together, so the page runs the same few queries whatever the size
of the plan. Nothing here depends on who is asking: the page is cached for everyone per day.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects

from milestones.models import (
    Milestone,
    due_counts,
    due_soon_until,
    responsible_bodies,
)
from public.charts import StatusChart
from routemap.models import Edition
from sources.models import Commitment, CommitmentOrganisation

# How many of each list the front page shows; the timeline has the rest.
OVERDUE_SHOWN = 10
DUE_SOON_SHOWN = 5
COMMITMENTS_SHOWN = 3
VERSIONS_SHOWN = 5
# The same words are often repeated in several outcomes of a route map (a framework that
# serves four kinds of care); they are listed once, so read more rows than are shown.
ROWS_PER_ITEM = 4


@dataclass
class PlanGroup:
    """A foundation (None: the route maps the sources place under none) with its route maps
    in the plan's order (RouteMap.order, then title), published or not."""

    foundation: object | None
    route_maps: list

    @property
    def published(self) -> int:
        """How many have a live edition: only those have content a reader can open."""
        return sum(1 for route_map in self.route_maps if route_map.live_edition)


def plan_shape(route_maps: list, foundations: list) -> tuple[list[PlanGroup], PlanGroup]:
    """Each foundation with its route maps, and the route maps under no foundation; from
    route maps with `live_editions` prefetched (RouteMap.objects.with_live_edition()), so
    this costs no query."""
    ordered = sorted(route_maps, key=lambda route_map: (route_map.order, route_map.title))
    groups = [
        PlanGroup(foundation, [rm for rm in ordered if rm.foundation_id == foundation.pk])
        for foundation in foundations
    ]
    return groups, PlanGroup(None, [rm for rm in ordered if rm.foundation_id is None])


@dataclass
class Place:
    label: str
    url: str


@dataclass
class Action:
    """Something that must be done, as the front page lists it: a milestone (listed once for
    every outcome of a route map that repeats it word for word) or a commitment."""

    item: Milestone | Commitment
    places: list[Place] = field(default_factory=list)
    bodies: list = field(default_factory=list)  # organisations, in the order first named

    @property
    def is_commitment(self) -> bool:
        return isinstance(self.item, Commitment)


@dataclass
class ActionList:
    """`count` milestones and `commitment_count` commitments, the first of each shown."""

    milestones: list[Action]
    count: int
    commitments: list[Action]
    commitment_count: int

    @property
    def total(self) -> int:
        return self.count + self.commitment_count

    @property
    def milestones_shown(self) -> int:
        """Milestones listed, counting each outcome of a repeated one."""
        return sum(len(action.places) - 1 for action in self.milestones)

    @property
    def more_milestones(self) -> bool:
        return self.milestones_shown < self.count

    @property
    def more_commitments(self) -> bool:
        return len(self.commitments) < self.commitment_count


@dataclass
class StatusCount:
    value: str
    label: str
    colour: str
    count: int


def _add_bodies(action: Action, links) -> None:
    for link in links:
        if link.organisation not in action.bodies:
            action.bodies.append(link.organisation)


def _milestone_actions(milestones: list[Milestone], limit: int) -> list[Action]:
    """Milestones grouped where a route map repeats the same words with the same status and
    due date in several outcomes, in the order given, at most `limit` groups."""
    groups: dict[tuple, Action] = {}
    for milestone in milestones:
        route_map = milestone.outcome.edition.route_map
        key = (
            route_map.pk,
            milestone.text.strip(),
            milestone.due_date,
            milestone.status,
            milestone.status_updated_on,
            milestone.status_updated_by_id,
        )
        action = groups.get(key)
        if action is None:
            if len(groups) == limit:
                continue
            action = groups[key] = Action(
                milestone, [Place(route_map.title, route_map.get_absolute_url())]
            )
        action.places.append(Place(milestone.outcome.title, milestone.get_absolute_url()))
        _add_bodies(action, milestone.responsible_links)
    return list(groups.values())


def _commitment_actions(commitments: list[Commitment]) -> list[Action]:
    actions = []
    for commitment in commitments:
        document = commitment.document
        action = Action(commitment, [Place(document.title, document.get_absolute_url())])
        _add_bodies(action, commitment.organisation_links.all())
        actions.append(action)
    return actions


def _milestone_rows(queryset, limit: int) -> list[Milestone]:
    return list(
        queryset.select_related(
            "outcome__edition__route_map", "status_updated_by"
        ).in_timeline_order()[: limit * ROWS_PER_ITEM]
    )


def _commitment_rows(queryset, count: int) -> list[Commitment]:
    if not count:
        return []
    return list(
        queryset.select_related("document", "status_updated_by").order_by(
            "due_date", "document__title", "order", "pk"
        )[:COMMITMENTS_SHOWN]
    )


@dataclass
class Now:
    year: int
    due_soon_until: datetime.date
    this_year: list[StatusCount]
    this_year_total: int
    overdue: ActionList
    due_soon: ActionList
    versions: list[Edition]


def happening_now(*, today, by_year: StatusChart) -> Now:
    """What the front page shows above the route maps. `by_year` is the plan's chart of
    published milestones by status for each year (public.charts.plan_charts), whose
    numbers already hold this year's statuses and every overdue and due-soon milestone."""
    bar = next((bar for bar in by_year.bars if bar.key == today.year), None)
    this_year = [
        StatusCount(value, label, colour, bar.counts.get(value, 0) if bar else 0)
        for value, label, colour in by_year.statuses
    ]
    overdue_count = sum(bar.overdue for bar in by_year.bars)
    due_soon_count = sum(bar.due_soon for bar in by_year.bars)

    commitments = Commitment.objects.published()
    commitment_counts = commitments.aggregate(**due_counts(today))
    milestones = Milestone.objects.published()
    overdue_rows = (
        _milestone_rows(milestones.overdue(today), OVERDUE_SHOWN) if overdue_count else []
    )
    due_soon_rows = (
        _milestone_rows(milestones.due_soon(today), DUE_SOON_SHOWN) if due_soon_count else []
    )
    overdue_commitments = _commitment_rows(commitments.overdue(today), commitment_counts["overdue"])
    due_soon_commitments = _commitment_rows(
        commitments.due_soon(today), commitment_counts["due_soon"]
    )
    # Who needs to work on each, for every list at once.
    prefetch_related_objects(overdue_rows + due_soon_rows, *responsible_bodies())
    prefetch_related_objects(
        overdue_commitments + due_soon_commitments,
        CommitmentOrganisation.as_prefetch(),
    )
    return Now(
        year=today.year,
        due_soon_until=due_soon_until(today),
        this_year=this_year,
        this_year_total=bar.total if bar else 0,
        overdue=ActionList(
            _milestone_actions(overdue_rows, OVERDUE_SHOWN),
            overdue_count,
            _commitment_actions(overdue_commitments),
            commitment_counts["overdue"],
        ),
        due_soon=ActionList(
            _milestone_actions(due_soon_rows, DUE_SOON_SHOWN),
            due_soon_count,
            _commitment_actions(due_soon_commitments),
            commitment_counts["due_soon"],
        ),
        versions=list(
            Edition.objects.versions()
            .select_related("route_map")
            .order_by("-published_at", "-pk")[:VERSIONS_SHOWN]
        ),
    )
