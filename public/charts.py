"""Progress charts: milestones by status, as stacked bars drawn server-side in SVG.

Each chart's numbers (with how many are overdue and due soon) come from one aggregate query
(`MilestoneQuerySet.status_counts`); the template draws a bar per row and a table with the
same numbers for screen readers.
"""

from dataclasses import dataclass, field

from milestones.models import STATUS_TAG_COLOURS, Milestone, Status, plan_years


@dataclass
class Segment:
    status: str
    label: str
    count: int
    start: int
    colour: str


@dataclass
class Bar:
    key: object
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    due_soon: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def segments(self) -> list[Segment]:
        segments, start = [], 0
        for status in Status:
            count = self.counts.get(status.value, 0)
            if count:
                colour = STATUS_TAG_COLOURS.get(status, "grey")
                segments.append(Segment(status.value, status.label, count, start, colour))
                start += count
        return segments

    @property
    def cells(self) -> list[int]:
        """Counts in status order, for the table."""
        return [self.counts.get(status.value, 0) for status in Status]


@dataclass
class StatusChart:
    slug: str
    title: str
    row_heading: str
    bars: list[Bar]

    @property
    def scale(self) -> int:
        """The longest bar's total: every bar is drawn against it."""
        return max((bar.total for bar in self.bars), default=0) or 1

    @property
    def total(self) -> int:
        return sum(bar.total for bar in self.bars)

    @property
    def statuses(self) -> list[tuple[str, str, str]]:
        return [(s.value, s.label, STATUS_TAG_COLOURS.get(s, "grey")) for s in Status]


def _charts(rows, row_field: str, labels: list[tuple[object, str]], noun: str, prefix: str):
    """A chart per `row_field` (in `labels` order) and a chart per year, from the same rows."""
    by_row = {key: Bar(key, label) for key, label in labels}
    by_year = {year: Bar(year, str(year)) for year in plan_years()}
    for row in rows:
        for bar in (by_row.get(row[row_field]), by_year.get(row["year"])):
            if bar is None:
                continue
            bar.counts[row["status"]] = bar.counts.get(row["status"], 0) + row["count"]
            bar.overdue += row["overdue"]
            bar.due_soon += row["due_soon"]
    return (
        StatusChart(
            f"{prefix}-by-{noun.replace(' ', '-')}",
            f"Milestones by status for each {noun}",
            noun.capitalize(),
            list(by_row.values()),
        ),
        StatusChart(
            f"{prefix}-by-year",
            "Milestones by status for each year",
            "Year",
            list(by_year.values()),
        ),
    )


def route_map_charts(edition) -> tuple[StatusChart, StatusChart]:
    """Milestones by status per outcome and per year in a route map's live edition."""
    rows = Milestone.objects.filter(outcome__edition=edition).status_counts("outcome", "year")
    labels = [(outcome.pk, outcome.title) for outcome in edition.outcomes.all()]
    return _charts(rows, "outcome", labels, "outcome", "progress")


def plan_charts(route_maps) -> tuple[StatusChart, StatusChart]:
    """Milestones by status per route map and per year across every published route map."""
    rows = Milestone.objects.published().status_counts("outcome__edition__route_map", "year")
    labels = [(rm.pk, rm.title) for rm in route_maps if rm.live_edition is not None]
    return _charts(rows, "outcome__edition__route_map", labels, "route map", "plan-progress")
