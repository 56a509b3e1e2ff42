"""A reader subscribes to a route map by email and confirms, in Chromium with axe-core."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_reader_subscribes_to_a_route_map_and_confirms(page, site):
    page.goto(site + "/route-maps/where-children-live/")
    page.get_by_role("link", name="Get email updates").first.click()  # the one at the top
    expect(page.get_by_role("heading", level=1)).to_have_text("Get email updates")
    expect(page.get_by_label("What do you want updates about?")).to_have_value(
        "route-map:where-children-live"
    )
    assert_accessible(page)

    page.get_by_role("button", name="Send me a confirmation link").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("Email address").fill("reader@example.org")
    page.get_by_role("button", name="Send me a confirmation link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    (message,) = mail.outbox
    confirm_url = re.search(r"http\S+/subscriptions/confirm/\S+/", message.body).group(0)
    page.goto(confirm_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email updates")
    assert_accessible(page)

    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email updates confirmed")
    expect(
        page.get_by_text("One email each time the Where children live route map")
    ).to_be_visible()
    assert_accessible(page)

    unsubscribe_url = re.search(r"http\S+/subscriptions/unsubscribe/\S+/", message.body).group(0)
    page.goto(unsubscribe_url)
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    assert_accessible(page)
