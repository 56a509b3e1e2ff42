"""A reader's journey through the public pages in Chromium, checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_reader_follows_the_plan_from_home_to_an_organisation(page, site):
    page.goto(site + "/")
    assert_accessible(page)

    page.get_by_role("link", name="Where children live").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where children live")
    assert_accessible(page)

    page.get_by_role("link", name="Open “Secure care” on its own page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Secure care")

    # The years are tabs, open on this year (the suite's clock: 2026).
    expect(page.get_by_role("tab", name="2026 (this year)")).to_have_attribute(
        "aria-selected", "true"
    )
    year = page.get_by_role("tab", name="2027")
    expect(year).to_have_attribute("aria-selected", "false")
    expect(page.get_by_text("By April 2027 at the latest")).to_be_hidden()
    year.click()
    expect(year).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("By April 2027 at the latest")).to_be_visible()
    assert_accessible(page)

    page.goto(site + "/route-maps/where-children-live/outcomes/cross-border-placements/")
    page.get_by_role("link", name="Care Inspectorate").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Care Inspectorate")
    expect(page.get_by_role("heading", name="Cross-border placements")).to_be_visible()
    assert_accessible(page)


def test_years_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/route-maps/where-children-live/outcomes/kinship-care/")
    # With no script, every year is shown, below a list of links to each.
    expect(page.get_by_text("There will be availability of services")).to_be_visible()
    expect(page.get_by_role("tab")).to_have_count(0)
    page.get_by_role("link", name="2030", exact=True).click()
    expect(page).to_have_url(re.compile("#outcome-kinship-care-year-2030$"))
    expect(page.get_by_role("heading", name="2030", exact=True)).to_be_in_viewport()
    context.close()


def test_year_opens_by_keyboard_and_skip_link_reaches_main_content(page, site):
    page.goto(site + "/route-maps/where-children-live/outcomes/adoption/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    # The design system's tabs: the arrow keys move between years, Home and End to the ends.
    this_year = page.get_by_role("tab", name="2026 (this year)")
    this_year.focus()
    page.keyboard.press("ArrowRight")
    next_year = page.get_by_role("tab", name="2027")
    expect(next_year).to_be_focused()
    expect(next_year).to_have_attribute("aria-selected", "true")
    expect(page.locator("#outcome-adoption-year-2027")).to_be_visible()
    expect(page.locator("#outcome-adoption-year-2026")).to_be_hidden()
    page.keyboard.press("Home")
    expect(page.get_by_role("tab", name="2024")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("No milestones were set for 2024.")).to_be_visible()


def test_other_public_pages_are_accessible(page, site):
    for path in ["/organisations/", "/route-maps/listening/", "/accessibility/"]:
        page.goto(site + path)
        assert_accessible(page)
