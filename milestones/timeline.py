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

PER_PAGE = 50


class TimelineItems:
    """Progress entries followed by milestones, sliceable like one list (for Paginator)."""

    def __init__(self, progress, progress_count: int, milestones, milestone_count: int):
        self.progress, self.progress_count = progress, progress_count
        self.milestones, self.milestone_count = milestones, milestone_count

    def __len__(self) -> int:
        return self.progress_count + self.milestone_count

    def __getitem__(self, index: slice) -> list:
        start, stop = index.start or 0, index.stop if index.stop is not None else len(self)
        items: list = []
        if start < self.progress_count:
            items += list(self.progress[start : min(stop, self.progress_count)])
        first, last = max(start - self.progress_count, 0), stop - self.progress_count
        if last > 0:
            items += list(self.milestones[first:last])
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

    @property
    def count(self) -> int:
        return self.milestone_count + self.progress_count

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
    items = TimelineItems(
        progress,
        progress_count,
        milestones.with_context().in_timeline_order(),
        milestone_count,
    )
    page = Paginator(items, PER_PAGE).get_page(page_number)

    sections: list[Section] = []
    for item in page.object_list:
        if isinstance(item, ProgressEntry):
            key, title = "progress", "Progress so far"
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
    return Timeline(page, sections, milestone_count, progress_count, years)
