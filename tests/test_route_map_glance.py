"""The route map as a map: the table at a glance, the year tabs and the shorter progress list."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from milestones.models import Milestone, Status
from outcomes.models import ProgressEntry
from tests.factories import (
    EditionFactory,
    MilestoneFactory,
    OutcomeFactory,
    ProgressEntryFactory,
    build_route_map,
)
from tests.helpers import WHERE_CHILDREN_LIVE_OUTCOMES

pytestmark = pytest.mark.django_db

ROUTE_MAP = "/route-maps/where-children-live/"
YEARS = [str(year) for year in range(2024, 2031)]
# Tests that read "this year" or "overdue" set the clock to this day themselves.
SUITE_DAY = datetime.date(2026, 11, 30)


class GlanceTable(HTMLParser):
    """The table at a glance as a reader sees it: its caption, column headings, and rows of
    (row heading, [(cell text, link), ...]). Visually hidden text is left out."""

    def __init__(self, page: str):
        super().__init__()
        self.caption, self.columns, self.rows, self.scopes = "", [], [], []
        self.region = None
        self._in_table = self._in_caption = self._hidden = 0
        self._cell = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "glance__scroll" in classes:
            self.region = attrs
        if tag == "table" and "glance__table" in classes:
            self._in_table = 1
            self.table_classes = classes
        if not self._in_table:
            return
        if self._hidden or "visually-hidden" in classes:
            self._hidden += 1
        if tag == "caption":
            self._in_caption = 1
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self.scopes.append((tag, attrs.get("scope")))
            self._cell = {"tag": tag, "text": "", "href": None}
        elif tag == "a" and self._cell is not None and self._cell["href"] is None:
            self._cell["href"] = attrs["href"]

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if self._hidden:
            self._hidden -= 1
        if tag == "table":
            self._in_table = 0
        elif tag == "caption":
            self._in_caption = 0
        elif tag in ("th", "td") and self._cell is not None:
            self._cell["text"] = " ".join(self._cell["text"].split())
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr":
            if all(cell["tag"] == "th" for cell in self._row):
                self.columns = [cell["text"] for cell in self._row]
            else:
                heading, *cells = self._row
                self.rows.append((heading["text"], [(c["text"], c["href"]) for c in cells]))

    def handle_data(self, data):
        if self._hidden:
            return
        if self._in_caption:
            self.caption += data
        elif self._cell is not None:
            self._cell["text"] += data


def glance(client, url: str = ROUTE_MAP) -> GlanceTable:
    response = client.get(url)
    assert response.status_code == 200
    return GlanceTable(response.content.decode())


def expected_cell(milestones: list, year: int, this_year: int) -> str:
    if not milestones:
        return "None set" if year < this_year else "None yet"
    counts = [
        f"{sum(m.status == value for m in milestones)} {label.lower()}"
        for value, label in Status.choices
        if any(m.status == value for m in milestones)
    ]
    text = ", ".join(counts)
    overdue = sum(m.overdue for m in milestones)
    due_soon = sum(m.due_soon for m in milestones)
    flags = [f"{overdue} overdue"] * bool(overdue) + [f"{due_soon} due soon"] * bool(due_soon)
    return " ".join([text, *flags])


def test_the_glance_is_a_table_of_outcomes_by_year(client, seeded, clock):
    clock.move_to(SUITE_DAY)
    table = glance(client)
    assert table.caption == "Milestones by outcome and year"
    assert "ds_table" in table.table_classes
    assert table.columns == ["Outcome", *YEARS[:2], "2026 (this year)", *YEARS[3:]]
    assert [heading for heading, _ in table.rows] == WHERE_CHILDREN_LIVE_OUTCOMES
    assert all(len(cells) == 7 for _, cells in table.rows)
    assert ("th", "col") in table.scopes and ("th", "row") in table.scopes
    assert {scope for tag, scope in table.scopes if tag == "th"} == {"col", "row"}
    # Wide on a phone: it scrolls in its own region, which a keyboard can reach.
    assert table.region["role"] == "region"
    assert table.region["tabindex"] == "0"
    assert table.region["aria-labelledby"] == "glance-caption"


def test_each_cell_counts_the_seeded_milestones_and_links_to_its_year(client, seeded, clock):
    clock.move_to(SUITE_DAY)
    table = glance(client)
    milestones = Milestone.objects.published().filter(
        outcome__edition__route_map__slug="where-children-live"
    )
    for (title, cells), outcome_slug in zip(
        table.rows,
        milestones.order_by("outcome__order").values_list("outcome__slug", flat=True).distinct(),
        strict=True,
    ):
        for year, (text, href) in zip(range(2024, 2031), cells, strict=True):
            in_year = list(milestones.filter(outcome__slug=outcome_slug, year=year))
            assert text == expected_cell(in_year, year, 2026), f"{title} {year}"
            assert href == f"#outcome-{outcome_slug}-year-{year}"
    assert table.rows[4] == (
        "Secure care",
        [
            ("None set", "#outcome-secure-care-year-2024"),
            ("None set", "#outcome-secure-care-year-2025"),
            # Three 2026 milestones name dates already past on 30 November 2026 (9 February,
            # April, 1 September); the rest are due by 31 December, within 90 days.
            ("14 no update yet 3 overdue 11 due soon", "#outcome-secure-care-year-2026"),
            ("12 no update yet", "#outcome-secure-care-year-2027"),
            ("3 no update yet", "#outcome-secure-care-year-2028"),
            ("2 no update yet", "#outcome-secure-care-year-2029"),
            ("1 no update yet", "#outcome-secure-care-year-2030"),
        ],
    )


def test_every_anchor_in_the_glance_is_a_year_panel_on_the_page(client, seeded):
    page = client.get(ROUTE_MAP).content.decode()
    panels = re.findall(r'<div class="ds_tabs__content[^"]*year-panel" id="([^"]+)">', page)
    links = [href[1:] for _, cells in GlanceTable(page).rows for _, href in cells]
    assert links == panels
    assert len(panels) == 7 * 7


def test_cells_name_each_status_in_words_and_say_what_is_overdue(client, clock):
    clock.move_to(SUITE_DAY)
    edition = EditionFactory()
    outcome = OutcomeFactory(edition=edition, title="Homes", slug="homes")
    MilestoneFactory(outcome=outcome, year=2025, status=Status.NOT_STARTED)
    MilestoneFactory(outcome=outcome, year=2025, status=Status.ACHIEVED)
    MilestoneFactory(outcome=outcome, year=2025, status=Status.DELAYED)
    MilestoneFactory.create_batch(2, outcome=outcome, year=2026, status=Status.IN_PROGRESS)
    MilestoneFactory(outcome=outcome, year=2026, status=Status.NOT_STARTED)
    table = glance(client, edition.route_map.get_absolute_url())
    (heading, cells), *_ = table.rows
    assert heading == "Homes"
    assert cells[0] == ("None set", "#outcome-homes-year-2024")
    # Statuses in the order of Status.choices, whatever order they were entered in.
    assert cells[1] == (
        "1 not started, 1 achieved, 1 delayed 2 overdue",
        "#outcome-homes-year-2025",
    )
    # Due by 31 December, within 90 days of 30 November: due soon.
    assert cells[2] == ("1 not started, 2 in progress 3 due soon", "#outcome-homes-year-2026")
    assert cells[3] == ("None yet", "#outcome-homes-year-2027")
    page = client.get(edition.route_map.get_absolute_url()).content.decode()
    assert '<strong class="glance__flag glance__flag--overdue">2 overdue</strong>' in page
    assert "3 milestones: 1 not started, 1 achieved, 1 delayed; <strong>2 overdue</strong>." in page


@pytest.mark.dates
@pytest.mark.parametrize(
    ("today", "opening"),
    [
        (datetime.date(2026, 11, 30), 2026),
        (datetime.date(2028, 3, 1), 2028),
        (datetime.date(2023, 12, 31), 2024),  # before the plan: its first year
        (datetime.date(2031, 1, 2), 2030),  # after it: its last year
    ],
)
def test_year_tabs_open_on_the_current_year(client, seeded, clock, today, opening):
    clock.move_to(today)
    for url in [ROUTE_MAP, ROUTE_MAP + "outcomes/kinship-care/"]:
        page = client.get(url).content.decode()
        assert f'data-opening-tab="#outcome-kinship-care-year-{opening}"' in page
        assert page.count('data-module="rm-year-tabs"') == (7 if url == ROUTE_MAP else 1)
        marked = re.findall(r'href="#outcome-kinship-care-year-(\d{4})">\d{4}<span', page)
        assert marked == ([str(today.year)] if 2024 <= today.year <= 2030 else [])


@pytest.mark.dates
def test_an_empty_year_says_so_for_the_past_and_the_future(client, seeded, clock):
    clock.move_to(datetime.date(2028, 3, 1))
    page = client.get(ROUTE_MAP + "outcomes/kinship-care/").content.decode()
    assert "No milestones were set for 2024. See progress so far" in page
    panel = page.split('id="outcome-kinship-care-year-2029"')[1].split("</div>")[0]
    assert "There are no milestones identified for this year yet." in panel
    table = glance(client)
    assert table.rows[0][1][4] == ("None yet", "#outcome-kinship-care-year-2028")
    # 2026 and 2027 are past: what was not achieved is overdue.
    assert table.rows[0][1][2] == ("6 no update yet 6 overdue", "#outcome-kinship-care-year-2026")


def test_a_milestone_link_lands_on_the_panel_of_its_year(client, seeded, clock):
    clock.move_to(SUITE_DAY)  # 2027 is not "this year"
    milestone = Milestone.objects.published().filter(outcome__slug="adoption", year=2027).first()
    path, fragment = milestone.get_absolute_url().split("#")
    page = client.get(path).content.decode()
    panel = page.split(f'id="{fragment}">')[1].split('class="ds_tabs__content')[0]
    assert f'id="milestone-{milestone.key}"' in panel
    assert f'<a class="ds_tabs__tab-link" href="#{fragment}">2027</a>' in page


def test_progress_shows_the_latest_dated_entries_then_all_of_them(client, seeded):
    entries = ProgressEntry.objects.published().filter(outcome__slug="kinship-care")
    newest = entries.exclude(date=None).order_by("-date", "-order")[:3]
    page = client.get(ROUTE_MAP + "outcomes/kinship-care/").content.decode()
    latest = page.split('<ul class="progress-list progress-list--latest">')[1].split("</ul>")[0]
    labels = [e.shown_date_label for e in newest if e.shown_date_label]
    assert re.findall(r"<strong>([^<]+)</strong>", latest) == labels
    assert "The 3 most recent dated entries, newest first:" in page
    assert f"Show all {entries.count()} progress entries" in page
    every = page.split('<details class="ds_details progress-all">')[1].split("</details>")[0]
    assert every.count('<li class="progress-list__item">') == entries.count()


def test_a_short_progress_list_is_shown_whole(client):
    edition = build_route_map(outcomes=1)
    outcome = edition.outcomes.get()
    ProgressEntryFactory.create_batch(2, outcome=outcome, date=datetime.date(2025, 1, 1))
    page = client.get(outcome.get_absolute_url()).content.decode()
    assert page.count('<li class="progress-list__item">') == 4
    assert "Show all" not in page


def test_undated_progress_is_never_called_recent(client):
    outcome = OutcomeFactory()
    ProgressEntryFactory.create_batch(6, outcome=outcome)
    page = client.get(outcome.get_absolute_url()).content.decode()
    assert "most recent" not in page
    assert "Show all" not in page
    assert page.count('<li class="progress-list__item">') == 6


def test_the_route_map_page_costs_the_same_queries_for_many_outcomes(
    client, django_assert_num_queries, django_assert_max_num_queries
):
    small = build_route_map(outcomes=1).route_map.get_absolute_url()
    large = build_route_map(outcomes=15, milestones_per_year=3).route_map.get_absolute_url()
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(small).status_code == 200
    with django_assert_num_queries(len(baseline)), django_assert_max_num_queries(12):
        page = client.get(large).content.decode()
    assert len(GlanceTable(page).rows) == 15
