"""A publisher's journey in Chromium, by keyboard: edit in place, check, publish, see it live."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

KINSHIP_2030 = "There will be availability of services to support parents"


def sign_in_by_keyboard(page, site):
    page.goto(site + "/accounts/login/?next=/edit/route-maps/where-children-live/")
    assert_accessible(page)
    page.get_by_label("Username").focus()
    page.keyboard.type("pat")
    page.keyboard.press("Tab")
    page.keyboard.type("a-long-passphrase")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Where children live")


def test_publisher_edits_in_place_publishes_and_the_public_sees_it(page, site, publisher):
    sign_in_by_keyboard(page, site)
    assert_accessible(page)

    item = page.locator("li.milestone", has_text=KINSHIP_2030)
    edit = item.get_by_role("link", name="Edit")
    edit.focus()
    page.keyboard.press("Enter")  # htmx swaps the milestone for its form, in place
    form_item = page.locator("li.milestone--editing")
    expect(form_item.get_by_label("Status")).to_be_visible()
    assert page.url.endswith("/edit/route-maps/where-children-live/")  # no page load
    assert_accessible(page)

    form_item.get_by_label("Status").select_option(label="In progress")
    form_item.get_by_label("Progress note").fill("Services mapped in three health boards.")
    form_item.get_by_role("button", name="Save milestone").focus()
    page.keyboard.press("Enter")
    saved = page.locator("li.milestone", has_text=KINSHIP_2030)
    expect(saved.get_by_text("Saved to the draft.")).to_be_visible()
    expect(saved.get_by_text("In progress", exact=True)).to_be_visible()

    # The public page is unchanged until publishing.
    public = page.context.new_page()
    public.goto(site + "/route-maps/where-children-live/outcomes/kinship-care/")
    expect(public.get_by_text("Services mapped in three health boards.")).to_have_count(0)

    page.get_by_role("link", name="Publish changes").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publish")
    expect(page.get_by_text("Status changed from No update yet to In progress")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()  # the note is required
    assert_accessible(page)
    page.get_by_label("What changed?").fill("Kinship care: mental health services in progress.")
    page.get_by_role("button", name="Publish now").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Where children live")
    expect(page.get_by_text("“Where children live” is published.")).to_be_visible()
    public.reload()
    public.get_by_role("tab", name="2030").click()
    expect(public.get_by_text("Services mapped in three health boards.")).to_be_visible()
    expect(public.get_by_text("In progress", exact=True).first).to_be_visible()
    expect(public.get_by_text("by Promise Scotland").first).to_be_visible()

    page.get_by_role("link", name="Changes to this route map").click()
    expect(page.get_by_text("Kinship care: mental health services in progress.")).to_be_visible()
    # The new status and its note are one change, the note quoted whole under it.
    change = page.locator(".change-list li", has_text="Status changed from No update yet")
    expect(change.locator(".change-list__note")).to_contain_text(
        "Services mapped in three health boards."
    )
    assert_accessible(page)
