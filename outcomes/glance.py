"""A route map at a glance: each outcome's milestones counted by plan year and status.

Everything here works on milestones already prefetched for the page
(`EditionQuerySet.with_content`), so the table and the year tabs cost no queries of their own.
Statuses come from the milestone model's status choices, in their order, so a new status
appears without changes here.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings

from core import clock


def plan_years() -> list[int]:
    return list(range(settings.PLAN_FIRST_YEAR, settings.PLAN_LAST_YEAR + 1))


def _status_choices(milestones) -> list[tuple[str, str]]:
    """The milestone statuses in their order. Milestones sit above outcomes (their app imports
    this one), so the choices are read from the milestone model's own field."""
    return milestones.model._meta.get_field("status").choices


def current_plan_year() -> int:
    """This year, held within the plan's years: the year tab a route map opens on."""
    return min(max(clock.today().year, settings.PLAN_FIRST_YEAR), settings.PLAN_LAST_YEAR)


@dataclass
class YearCell:
    """One outcome's milestones in one plan year."""

    outcome: object
    year: int
    milestones: list = field(default_factory=list)
    this_year: int = 0
    statuses: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The year's panel on the route map and outcome pages (see Milestone.get_absolute_url)."""
        return f"{self.outcome.anchor}-year-{self.year}"

    @property
    def is_past(self) -> bool:
        return self.year < self.this_year

    @property
    def is_this_year(self) -> bool:
        return self.year == self.this_year

    @cached_property
    def _tally(self) -> tuple[dict[str, int], int, int]:
        statuses: dict[str, int] = {}
        overdue = due_soon = 0
        for milestone in self.milestones:
            statuses[milestone.status] = statuses.get(milestone.status, 0) + 1
            overdue += milestone.overdue
            due_soon += milestone.due_soon
        return statuses, overdue, due_soon

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for each status present, in the order of the choices."""
        statuses = self._tally[0]
        return [
            (value, label, statuses[value]) for value, label in self.statuses if value in statuses
        ]

    @property
    def overdue(self) -> int:
        return self._tally[1]

    @property
    def due_soon(self) -> int:
        return self._tally[2]

    @property
    def total(self) -> int:
        return len(self.milestones)


def year_cells(outcome) -> list[YearCell]:
    """Every plan year, in order, with the outcome's milestones (from the prefetch cache)."""
    this_year = clock.today().year
    statuses = _status_choices(outcome.milestones)
    cells = {
        year: YearCell(outcome, year, this_year=this_year, statuses=statuses)
        for year in plan_years()
    }
    for milestone in outcome.milestones.all():
        cells[milestone.year].milestones.append(milestone)
    return list(cells.values())


@dataclass
class Glance:
    """The route map at a glance: outcomes as rows, plan years as columns."""

    years: list[int]
    this_year: int
    rows: list[tuple[object, list[YearCell]]]


def route_map_glance(outcomes) -> Glance:
    return Glance(
        years=plan_years(),
        this_year=clock.today().year,
        rows=[(outcome, outcome.year_cells) for outcome in outcomes],
    )
