"""The front page on a phone and a desktop screen: what is happening now comes first, it
fits the screen, and axe finds nothing serious."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.dates]


@pytest.mark.parametrize("width", [390, 1280])
def test_front_page_answers_what_is_happening_now_on_any_screen(page, site, clock, width):
    clock.move_to(datetime.date(2026, 11, 30))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + "/")
    headings = page.locator("main h2:not(.ds_contents-nav__title)").all_inner_texts()
    assert headings[:5] == [
        "Milestones due in 2026",
        "Overdue",
        "Due in the next 90 days",
        "Latest changes",
        "Route maps by foundation",
    ]
    overdue = page.locator("section[aria-labelledby=overdue]")
    expect(overdue.get_by_role("link", name="February 9th 2026: The Cross-border")).to_be_visible()
    expect(overdue.get_by_role("link", name="See all 17 overdue on the timeline")).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width
    assert_accessible(page)

    page.get_by_role("link", name="See all 17 overdue on the timeline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    expect(page.get_by_text("17 actions match", exact=False).first).to_be_visible()
