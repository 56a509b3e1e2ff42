"""The public timeline: actions (milestones and the commitments of source documents) year by
year, or, when the reader chooses it, the progress made so far; a page at a time.

At 10,000+ milestones nothing is loaded whole: counts come from aggregate queries and a page
reads only its own slice of each kind, so every page runs the same handful of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from milestones.models import plan_years
from public.timeline_forms import TimelineFilterForm
from sources.models import Commitment, resolve_links

PER_PAGE = 50
UNDATED = "no-timescale"


def _year_order(year: int | None) -> tuple:
    """Years in order, then what has no year (commitments printed without a timescale)."""
    return (year is None, year or 0)


@dataclass(frozen=True)
class Kind:
    """One kind of item on a dated list: its queryset in date order, how many fall in each
    year (one aggregate query), and how to read an item's year."""

    queryset: QuerySet
    counts: dict
    year_of: Callable

    @property
    def count(self) -> int:
        return sum(self.counts.values())


class DatedItems:
    """Several kinds of item merged year by year (within a year, in the order the kinds are
    given), sliceable like one list for Paginator. Each kind's items on a page are one
    contiguous run of its own order, so a page reads one slice per kind, however many years
    it spans."""

    def __init__(self, *kinds: Kind):
        self.kinds = kinds
        self.years = sorted({year for kind in kinds for year in kind.counts}, key=_year_order)
        self.segments = [
            (year, index, kind.counts.get(year, 0))
            for year in self.years
            for index, kind in enumerate(kinds)
        ]

    def __len__(self) -> int:
        return sum(kind.count for kind in self.kinds)

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop if index.stop is not None else len(self)
        ranges: list[list] = [[] for _ in self.kinds]
        before = [0] * len(self.kinds)  # items of each kind in earlier segments
        offset = 0
        for _, kind, count in self.segments:
            first, last = max(start - offset, 0), min(stop - offset, count)
            if first < last:
                ranges[kind] += [before[kind] + first, before[kind] + last]
            before[kind] += count
            offset += count
        placed = []
        for index_, (kind, bounds) in enumerate(zip(self.kinds, ranges, strict=True)):
            if bounds:
                for position, item in enumerate(kind.queryset[min(bounds) : max(bounds)]):
                    placed.append(((_year_order(kind.year_of(item)), index_, position), item))
        return [item for _, item in sorted(placed, key=lambda pair: pair[0])]


class Concatenated:
    """Querysets one after another, sliceable like one list (for Paginator): a page reads
    only the slices it shows, and each count is one query."""

    def __init__(self, *querysets: QuerySet):
        self.querysets = querysets

    @cached_property
    def counts(self) -> list[int]:
        return [queryset.count() for queryset in self.querysets]

    def __len__(self) -> int:
        return sum(self.counts)

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop if index.stop is not None else len(self)
        items: list = []
        offset = 0
        for queryset, count in zip(self.querysets, self.counts, strict=True):
            first, last = max(start - offset, 0), min(stop - offset, count)
            if first < last:
                items += list(queryset[first:last])
            offset += count
        return items


@dataclass
class Section:
    """A heading on the page (a year, "No timescale given" or "Progress so far") with this
    page's items under it."""

    key: str
    title: str
    items: list = field(default_factory=list)

    @property
    def is_progress(self) -> bool:
        return self.key == "progress"

    @property
    def is_undated(self) -> bool:
        return self.key == UNDATED


@dataclass
class YearLink:
    key: str
    label: str
    count: int
    page: int


@dataclass
class Timeline:
    page: Page
    sections: list[Section]
    count: int
    shows_progress: bool = False
    milestone_count: int = 0
    commitment_count: int = 0
    years: list[YearLink] = field(default_factory=list)

    @property
    def breakdown(self) -> str:
        return "" if self.shows_progress else breakdown(self.milestone_count, self.commitment_count)

    @property
    def page_range(self):
        return self.page.paginator.get_elided_page_range(
            self.page.number, on_each_side=2, on_ends=1
        )


def breakdown(milestones: int, commitments: int) -> str:
    """What a number of actions is made of: "78 milestones, 37 commitments"."""
    return ", ".join(
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in [(milestones, "milestone"), (commitments, "commitment")]
    )


def build_timeline(form: TimelineFilterForm, page_number) -> Timeline:
    """The requested page of a valid filter form's timeline."""
    if form.shows_progress:
        return _progress_timeline(form, page_number)
    return _actions_timeline(form, page_number)


def _section_for(year: int | None) -> Section:
    if year is None:
        return Section(UNDATED, "No timescale given")
    return Section(f"year-{year}", str(year))


def _actions_timeline(form: TimelineFilterForm, page_number) -> Timeline:
    actions = form.actions()
    milestones = Kind(
        actions.milestones.with_context().in_timeline_order(),
        dict(actions.milestones.order_by().values_list("year").annotate(n=Count("pk"))),
        lambda milestone: milestone.year,
    )
    commitments = Kind(
        actions.commitments.with_context().in_due_order(),
        dict(actions.commitments.order_by().values_list("year_to").annotate(n=Count("pk"))),
        lambda commitment: commitment.year_to,
    )
    items = DatedItems(milestones, commitments)
    page = Paginator(items, PER_PAGE).get_page(page_number)

    sections: list[Section] = []
    for item in page.object_list:
        year = item.year_to if isinstance(item, Commitment) else item.year
        section = _section_for(year)
        if not sections or sections[-1].key != section.key:
            sections.append(section)
        sections[-1].items.append(item)
    resolve_links(i for i in page.object_list if isinstance(i, Commitment))

    years, offset = [], 0
    for year in sorted(set(items.years) | set(plan_years()), key=_year_order):
        count = milestones.counts.get(year, 0) + commitments.counts.get(year, 0)
        section = _section_for(year)
        if count or year is not None:
            years.append(YearLink(section.key, section.title, count, offset // PER_PAGE + 1))
        offset += count
    return Timeline(
        page,
        sections,
        len(items),
        milestone_count=milestones.count,
        commitment_count=commitments.count,
        years=years,
    )


def _progress_timeline(form: TimelineFilterForm, page_number) -> Timeline:
    progress = form.progress().with_context().in_plan_order()
    page = Paginator(progress, PER_PAGE).get_page(page_number)
    sections = [Section("progress", "Progress so far", list(page.object_list))]
    return Timeline(page, sections if page.object_list else [], page.paginator.count, True)
