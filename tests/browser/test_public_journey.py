"""A reader's journey through the public pages in Chromium, checked with axe-core."""

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

    year = page.get_by_role("button", name="2027")
    expect(year).to_have_attribute("aria-expanded", "false")
    year.click()
    expect(year).to_have_attribute("aria-expanded", "true")
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
    body = page.get_by_text("There will be availability of services")
    expect(body).to_be_hidden()
    # With no script, the year's label toggles a checkbox that shows the year.
    page.locator('label[for="outcome-kinship-care-year-2030-panel"]').click()
    expect(body).to_be_visible()
    context.close()


def test_year_opens_by_keyboard_and_skip_link_reaches_main_content(page, site):
    page.goto(site + "/route-maps/where-children-live/outcomes/adoption/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    year = page.get_by_role("button", name="2026")
    year.focus()
    page.keyboard.press("Enter")
    expect(year).to_have_attribute("aria-expanded", "true")


def test_other_public_pages_are_accessible(page, site):
    for path in ["/organisations/", "/route-maps/listening/", "/accessibility/"]:
        page.goto(site + path)
        assert_accessible(page)
