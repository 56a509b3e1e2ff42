"""Progress charts: milestones by status per outcome, route map and year."""

import datetime
import re

import pytest

from milestones.models import Milestone, Status
from public.charts import plan_charts, route_map_charts
from routemap.models import Edition, RouteMap
from tests.factories import (
    DraftEditionFactory,
    MilestoneFactory,
    OutcomeFactory,
    build_route_map,
)

pytestmark = pytest.mark.django_db

STATUS_COLUMNS = [status.value for status in Status]


@pytest.fixture
def edition():
    """Two outcomes with a known mix of statuses and years, plus a draft that must not count."""
    edition = build_route_map(outcomes=2)  # 7 milestones with no update per outcome, one a year
    first, second = edition.outcomes.order_by("order")
    MilestoneFactory(outcome=first, year=2026, status=Status.ACHIEVED)
    MilestoneFactory(outcome=first, year=2026, status=Status.IN_PROGRESS)
    MilestoneFactory(outcome=second, year=2024, status=Status.DELAYED)  # overdue
    MilestoneFactory(outcome=second, year=2030, status=Status.NO_LONGER_PLANNED)
    draft = DraftEditionFactory(route_map=edition.route_map)
    MilestoneFactory(outcome=OutcomeFactory(edition=draft), year=2026, status=Status.ACHIEVED)
    return edition


def expected_counts(milestones, key) -> dict:
    counts: dict = {}
    for milestone in milestones:
        row = counts.setdefault(key(milestone), dict.fromkeys(STATUS_COLUMNS, 0))
        row[milestone.status] += 1
    return counts


@pytest.mark.dates
def test_route_map_chart_numbers_match_the_milestones(edition):
    live = Edition.objects.with_content().get(pk=edition.pk)
    by_outcome, by_year = route_map_charts(live)
    milestones = list(Milestone.objects.filter(outcome__edition=edition))

    per_outcome = expected_counts(milestones, lambda m: m.outcome_id)
    assert {
        bar.key: dict(zip(STATUS_COLUMNS, bar.cells, strict=True)) for bar in by_outcome.bars
    } == per_outcome
    per_year = expected_counts(milestones, lambda m: m.year)
    assert {
        bar.key: dict(zip(STATUS_COLUMNS, bar.cells, strict=True)) for bar in by_year.bars
    } == per_year
    assert by_outcome.total == by_year.total == len(milestones) == 18
    assert sum(bar.overdue for bar in by_year.bars) == sum(m.overdue for m in milestones)
    assert sum(bar.due_soon for bar in by_year.bars) == sum(m.due_soon for m in milestones)
    assert by_year.bars[0].overdue >= 1  # 2024 has a delayed milestone


def test_charts_are_one_aggregate_query(edition, django_assert_num_queries):
    live = Edition.objects.with_content().get(pk=edition.pk)
    list(live.outcomes.all())
    with django_assert_num_queries(1):
        route_map_charts(live)
    route_maps = list(RouteMap.objects.with_live_edition())
    with django_assert_num_queries(1):
        plan_charts(route_maps)


def test_plan_chart_counts_every_published_route_map_and_no_drafts(edition):
    other = build_route_map(outcomes=1)
    by_route_map, by_year = plan_charts(list(RouteMap.objects.with_live_edition()))
    totals = {bar.key: bar.total for bar in by_route_map.bars}
    assert totals == {edition.route_map_id: 18, other.route_map_id: 7}
    assert by_year.total == 25
    assert next(bar for bar in by_year.bars if bar.key == 2026).counts == {
        "no_update": 3,
        "achieved": 1,
        "in_progress": 1,
    }


def table_rows(page: str, chart_id: str) -> dict[str, list[int]]:
    chart = page[page.index(f'id="{chart_id}"') :]
    table = chart[chart.index("<tbody>") : chart.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        label = re.search(r'<th scope="row">(.*?)</th>', row).group(1)
        rows[label] = [int(n) for n in re.findall(r"<td>(\d+)</td>", row)]
    return rows


@pytest.mark.dates
def test_route_map_page_shows_the_charts_as_svg_with_a_table(client, edition, clock):
    clock.move_to(datetime.date(2026, 11, 30))  # 2024 has ended, 2026 has not
    page = client.get(edition.route_map.get_absolute_url()).content.decode()
    assert "Progress at a glance" in page
    assert '<div class="status-chart__figure" aria-hidden="true">' in page
    assert "<svg" in page and "<title>" in page
    assert '<table class="ds_table status-chart__table">' in page
    assert "<caption>Milestones by status for each outcome</caption>" in page
    rows = table_rows(page, "progress-by-year")
    # Columns: the six statuses in order (No update yet first), total, overdue, due soon.
    # 2026's open milestones are due by 31 December: within 90 days, so due soon.
    assert rows["2026"] == [2, 0, 1, 1, 0, 0, 4, 0, 3]
    assert rows["2030"] == [2, 0, 0, 0, 0, 1, 3, 0, 0]
    assert rows["2024"][:7] == [2, 0, 0, 0, 1, 0, 3]
    assert rows["2024"][7:] == [3, 0]  # two with no update and one delayed, all past due
    first = edition.outcomes.order_by("order").first()
    overdue = sum(m.overdue for m in first.milestones.all())
    due_soon = sum(m.due_soon for m in first.milestones.all())
    assert table_rows(page, "progress-by-outcome")[first.title] == [
        *[7, 0, 1, 1, 0, 0, 9],
        overdue,
        due_soon,
    ]


@pytest.mark.dates
@pytest.mark.parametrize(
    ("day", "overdue_in_2026", "due_soon_in_2026"),
    [
        (datetime.date(2026, 10, 1), 0, 0),  # 31 December is 91 days away
        (datetime.date(2026, 10, 2), 0, 3),  # and now 90
        (datetime.date(2026, 12, 31), 0, 3),
        (datetime.date(2027, 1, 4), 3, 0),  # two with no update and one in progress; not achieved
    ],
)
def test_a_years_open_milestones_are_due_soon_then_overdue_once_the_year_ends(
    client, edition, clock, day, overdue_in_2026, due_soon_in_2026
):
    clock.move_to(day)
    rows = table_rows(
        client.get(edition.route_map.get_absolute_url()).content.decode(), "progress-by-year"
    )
    assert rows["2026"][7:] == [overdue_in_2026, due_soon_in_2026]
    assert rows["2024"][7] == 3


def test_each_segment_has_a_title_and_the_status_colour(client, edition):
    page = client.get(edition.route_map.get_absolute_url()).content.decode()
    first = edition.outcomes.order_by("order").first()
    assert f"<title>{first.title}: 1 achieved</title>" in page
    assert "status-chart__segment--green" in page  # achieved, as its tag
    assert "status-chart__segment--purple" in page  # no longer planned


def test_home_page_shows_progress_across_the_plan(client, edition):
    page = client.get("/").content.decode()
    assert "Progress across the plan" in page
    rows = table_rows(page, "plan-progress-by-route-map")
    assert rows[edition.route_map.title][6] == 18
    assert table_rows(page, "plan-progress-by-year")["2026"][6] == 4


def test_a_route_map_without_milestones_says_so(client):
    edition = build_route_map(outcomes=1)
    Milestone.objects.filter(outcome__edition=edition).delete()
    page = client.get(edition.route_map.get_absolute_url()).content.decode()
    assert "No milestones have been published yet." in page
