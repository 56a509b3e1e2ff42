"""A publisher brings a new route map into the plan in Chromium: creates it under Scaffolding,
adds two outcomes with a milestone each in two years, publishes it, and a reader finds it on
the home page, the timeline, an organisation's page and the API."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, show_year_due_and_organisations, sign_in

pytestmark = pytest.mark.browser

TITLE = "Workforce planning"
RECRUIT = "Social Work Scotland will publish a recruitment plan for residential workers."
RETAIN = "Local authorities will report how many residential workers stayed a year or more."


def add_outcome(page, title: str, statement: str, lead: str) -> None:
    page.get_by_role("link", name="Add an outcome").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add an outcome")
    assert_accessible(page)
    page.get_by_label("Short title").fill(title)
    page.get_by_label("Outcome statement").fill(statement)
    box = page.get_by_label("Add a lead organisation (optional)")
    box.fill(lead[:8])
    page.get_by_role("option", name=lead, exact=True).click()
    page.get_by_role("button", name="Add outcome").click()
    expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()


def add_milestone(page, outcome: str, text: str, year: str) -> None:
    page.get_by_role("link", name=f"Add a milestone to {outcome}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a milestone")
    page.get_by_label("Milestone", exact=True).fill(text)
    show_year_due_and_organisations(page)
    page.get_by_label("Year").select_option(year)
    page.get_by_role("button", name="Add milestone").click()
    expect(page.get_by_text(f"Milestone added to {year}.")).to_be_visible()


def test_a_publisher_creates_a_route_map_and_readers_find_it(page, site, publisher):
    sign_in(page, site, "pat", "a-long-passphrase", "/edit/")
    page.get_by_role("link", name="Create a route map").click()
    assert_accessible(page)

    # A title the plan already has is refused, with what was typed kept.
    page.get_by_label("Title").fill("where children LIVE ")
    page.get_by_role("button", name="Create route map").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_text("There is already a route map called “Where children live”.").first)
    assert_accessible(page)

    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Foundation").select_option(label="Scaffolding")
    page.get_by_role("button", name="Create route map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("This route map has no outcomes yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Where is Scotland now? (summary)").fill(
        "Residential care is short of workers in most areas."
    )
    page.get_by_role("button", name="Save route map details").click()

    add_outcome(
        page, "Recruitment", "Enough residential workers are recruited.", "Social Work Scotland"
    )
    add_outcome(
        page, "Retention", "Residential workers stay and are supported.", "Local authorities"
    )
    add_milestone(page, "Recruitment", RECRUIT, "2026")
    add_milestone(page, "Retention", RETAIN, "2027")

    # Nothing is public before publishing.
    reader = page.context.browser.new_page()
    reader.goto(f"{site}/")
    expect(reader.get_by_text(TITLE)).to_have_count(0)  # not even its title

    page.get_by_role("link", name="Publish changes").click()
    page.get_by_label("What changed?").fill("First version of the Workforce planning route map.")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text(f"“{TITLE}” is published.")).to_be_visible()

    # Home page: under Scaffolding, with content.
    reader.goto(f"{site}/")
    scaffolding = (
        reader.locator("section, div")
        .filter(has=reader.get_by_role("heading", name="Scaffolding"))
        .last
    )
    expect(scaffolding.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(reader)

    # The route map page answers the three questions.
    scaffolding.get_by_role("link", name=TITLE).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(reader.get_by_text("Enough residential workers are recruited.").first).to_be_visible()
    assert_accessible(reader)

    # Timeline: both milestones, in their years.
    reader.goto(f"{site}/timeline/?route_map=workforce-planning")
    expect(reader.get_by_text(RECRUIT)).to_be_visible()
    expect(reader.get_by_text(RETAIN)).to_be_visible()

    # The lead organisation's page lists the milestone it inherits from its outcome.
    reader.goto(f"{site}/organisations/social-work-scotland/")
    expect(reader.get_by_text(RECRUIT)).to_be_visible()
    expect(reader.get_by_text(RETAIN)).to_have_count(0)

    # The API carries the published content.
    data = reader.request.get(f"{site}/api/route-maps/workforce-planning/").json()
    assert data["title"] == TITLE
    assert data["foundation"] == "Scaffolding"
    outcomes = {o["title"]: o for o in data["outcomes"]}
    assert list(outcomes) == ["Recruitment", "Retention"]
    texts = [m["text"] for o in data["outcomes"] for m in o["milestones"]]
    assert texts == [RECRUIT, RETAIN]
