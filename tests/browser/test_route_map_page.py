"""The route map page in Chromium at a desktop and a phone width: the table at a glance, the
year tabs and the addresses that open a year, the folded progress list, with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from milestones.models import Milestone
from tests.browser.conftest import assert_accessible, wait_until

pytestmark = pytest.mark.browser

ROUTE_MAP = "/route-maps/where-children-live/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def page_width(page) -> tuple[int, int]:
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_glance_table_is_readable_at_both_widths(page, site, size):
    page.set_viewport_size(size)
    page.goto(site + ROUTE_MAP)
    table = page.get_by_role("table", name="Milestones by outcome and year")
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="Secure care")).to_be_visible()
    expect(table.get_by_role("cell", name="Secure care, 2027: 12 no update yet")).to_be_attached()
    scroll_width, screen_width = page_width(page)
    assert scroll_width <= screen_width  # the page itself never scrolls sideways
    region = page.get_by_role("region", name="Milestones by outcome and year")
    if size == PHONE:
        # The table scrolls inside its region: keyboard users focus it and use the arrow keys.
        assert region.evaluate("r => r.scrollWidth > r.clientWidth")
        region.focus()
        page.keyboard.press("ArrowRight")
        expect(region).to_be_focused()
        wait_until(page, "document.querySelector('.glance__scroll').scrollLeft > 0")
        # The outcome names stay in view while the years scroll past.
        region.evaluate("r => { r.scrollLeft = r.scrollWidth; }")
        expect(table.get_by_role("rowheader", name="Secure care")).to_be_in_viewport()
    else:
        assert not region.evaluate("r => r.scrollWidth > r.clientWidth")
    assert_accessible(page)


def test_a_cell_of_the_glance_opens_that_year_of_its_outcome(page, site):
    page.goto(site + ROUTE_MAP)
    outcome = page.locator("#outcome-secure-care")
    expect(outcome.get_by_role("tab", name="2026 (this year)")).to_have_attribute(
        "aria-selected", "true"
    )
    page.get_by_role("link", name="Secure care, 2028: 3 no update yet").click()
    expect(page).to_have_url(re.compile("#outcome-secure-care-year-2028$"))
    tab = outcome.get_by_role("tab", name="2028")
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(tab).to_be_focused()
    expect(page.locator("#outcome-secure-care-year-2028")).to_be_visible()
    expect(page.locator("#outcome-secure-care-year-2026")).to_be_hidden()
    # Other outcomes stay on this year.
    expect(
        page.locator("#outcome-adoption").get_by_role("tab", name="2026 (this year)")
    ).to_have_attribute("aria-selected", "true")
    assert_accessible(page)


def test_a_milestone_address_opens_the_year_it_is_in(page, site):
    milestone = Milestone.objects.published().filter(outcome__slug="adoption", year=2028).get()
    page.goto(site + milestone.get_absolute_url())
    expect(page.get_by_role("tab", name="2028")).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"#milestone-{milestone.key}")).to_be_visible()
    # An address naming the milestone itself opens its year too.
    page.goto(site + f"{ROUTE_MAP}#milestone-{milestone.key}")
    expect(page.locator(f"#milestone-{milestone.key}")).to_be_visible()
    expect(page.locator("#outcome-adoption").get_by_role("tab", name="2028")).to_have_attribute(
        "aria-selected", "true"
    )


def test_on_a_phone_every_year_is_listed_and_shown(page, site):
    page.set_viewport_size(PHONE)
    page.goto(site + ROUTE_MAP + "outcomes/residential-care/")
    # Below the design system's tab width, the tabs are a list of links above every year.
    expect(page.get_by_role("tab")).to_have_count(0)
    for year in range(2024, 2031):
        expect(page.locator(f"#outcome-residential-care-year-{year}")).to_be_visible()
    scroll_width, screen_width = page_width(page)
    assert scroll_width <= screen_width
    assert_accessible(page)


def test_all_progress_opens_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.goto(site + ROUTE_MAP + "outcomes/cross-border-placements/")
    every = page.locator(".progress-all .progress-list__item")
    expect(every.first).to_be_hidden()
    page.get_by_text(re.compile(r"^Show all \d+ progress entries")).click()
    for index in range(every.count()):
        expect(every.nth(index)).to_be_visible()
    for year in range(2024, 2031):  # no tabs without JavaScript: every year is shown
        expect(page.locator(f"#outcome-cross-border-placements-year-{year}")).to_be_visible()
    context.close()
