"""On a phone, the links readers look for are on the first screens of long pages."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_route_maps_email_updates_are_on_a_phones_first_screens(page, site):
    page.set_viewport_size(PHONE)
    page.goto(site + "/route-maps/where-children-live/")
    link = page.get_by_role("link", name="Get email updates").first
    assert link.bounding_box()["y"] < 2 * PHONE["height"]
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get email updates")


def test_a_consultations_questions_are_a_tap_away_on_a_phone(page, site):
    page.set_viewport_size(PHONE)
    page.goto(site + "/sources/vision-for-kinship-care/")
    link = page.get_by_role("link", name="Read the questions it asked")
    assert link.bounding_box()["y"] < 2 * PHONE["height"]
    link.click()
    heading = page.get_by_role("heading", name="Questions for kinship families")
    expect(heading).to_be_in_viewport()
    expect(page.get_by_text("so they start at 2")).to_be_visible()
