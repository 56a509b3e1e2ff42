"""The public timeline: progress so far, then milestones year by year, a page at a time.

At 10,000+ milestones nothing is loaded whole: counts come from aggregate queries and a page
reads only its own slice, so every page runs the same handful of queries.
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count

from milestones.forms import TimelineFilterForm
from milestones.models import plan_years
from outcomes.models import ProgressEntry
from sources.models import Commitment, resolve_links

PER_PAGE = 50


class TimelineItems:
    """Progress entries, then milestones, then commitments, sliceable like one list (for
    Paginator): each page reads only the slices it shows."""

    def __init__(self, *segments):
        self.segments = segments  # (queryset, count) pairs, in page order

    def __len__(self) -> int:
        return sum(count for _, count in self.segments)

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop if index.stop is not None else len(self)
        items: list = []
        offset = 0
        for queryset, count in self.segments:
            first, last = max(start - offset, 0), min(stop - offset, count)
            if first < last:
                items += list(queryset[first:last])
            offset += count
        return items


@dataclass
class Section:
    """A heading on the page: "Progress so far" or a year, with this page's items under it."""

    key: str
    title: str
    items: list = field(default_factory=list)

    @property
    def is_progress(self) -> bool:
        return self.key == "progress"

    @property
    def is_commitments(self) -> bool:
        return self.key == "commitments"


@dataclass
class YearLink:
    year: int
    count: int
    page: int


@dataclass
class Timeline:
    page: Page
    sections: list[Section]
    milestone_count: int
    progress_count: int
    years: list[YearLink]
    commitment_count: int = 0

    @property
    def count(self) -> int:
        return self.milestone_count + self.progress_count + self.commitment_count

    @property
    def page_range(self):
        return self.page.paginator.get_elided_page_range(
            self.page.number, on_each_side=2, on_ends=1
        )


def build_timeline(form: TimelineFilterForm, page_number) -> Timeline:
    """The requested page of a valid filter form's timeline."""
    milestones = form.milestones()
    by_year = dict(milestones.order_by().values_list("year").annotate(n=Count("pk")))
    milestone_count = sum(by_year.values())
    progress, progress_count = ProgressEntry.objects.none(), 0
    if form.includes_progress:
        progress = ProgressEntry.objects.published().filtered(**form.progress_filters())
        progress_count = progress.count()
        progress = progress.with_context().in_plan_order()
    commitments = form.commitments()
    commitment_count = commitments.count()
    items = TimelineItems(
        (progress, progress_count),
        (milestones.with_context().in_timeline_order(), milestone_count),
        (
            commitments.with_context().order_by("year_to", "due_date", "document__title", "order"),
            commitment_count,
        ),
    )
    page = Paginator(items, PER_PAGE).get_page(page_number)

    sections: list[Section] = []
    for item in page.object_list:
        if isinstance(item, ProgressEntry):
            key, title = "progress", "Progress so far"
        elif isinstance(item, Commitment):
            key, title = "commitments", "Commitments in source documents"
        else:
            key, title = f"year-{item.year}", str(item.year)
        if not sections or sections[-1].key != key:
            sections.append(Section(key, title))
        sections[-1].items.append(item)

    years, offset = [], progress_count
    for year in plan_years():
        count = by_year.get(year, 0)
        years.append(YearLink(year, count, offset // PER_PAGE + 1))
        offset += count
    commitment_items = [i for s in sections if s.is_commitments for i in s.items]
    if commitment_items:
        resolve_links(commitment_items)
    return Timeline(page, sections, milestone_count, progress_count, years, commitment_count)
