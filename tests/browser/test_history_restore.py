"""An editor reads a save in the history, the changed words marked, and restores it whole
with one click, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

KINSHIP_2030 = "There will be availability of services to support parents"
ADDED = "across every health board"


def test_an_editor_restores_a_two_field_save_in_one_step(page, site, publisher):
    sign_in(page, site, "pat", "a-long-passphrase", "/edit/route-maps/where-children-live/")
    item = page.locator("li.milestone", has_text=KINSHIP_2030)
    item.get_by_role("link", name="Edit").click()
    form_item = page.locator("li.milestone--editing")
    text = form_item.get_by_label("Milestone")
    original = text.input_value()
    text.fill(f"{original} {ADDED}")
    form_item.get_by_label("Status").select_option(label="Delayed")
    form_item.get_by_role("button", name="Save milestone").click()
    saved = page.locator("li.milestone", has_text=KINSHIP_2030)
    expect(saved.get_by_text("Saved to the draft.")).to_be_visible()

    page.goto(site + "/edit/route-maps/where-children-live/history/")
    entry = page.locator("li.history-list__item").first
    expect(entry.get_by_role("heading", level=2)).to_contain_text("Milestone in “")
    expect(entry.locator("dt")).to_have_text(["Text", "Status"])
    expect(entry.locator("ins.word-diff__ins").first).to_contain_text(ADDED)
    expect(entry.locator("del.word-diff__del")).to_contain_text("No update yet")
    expect(entry.locator("ins.word-diff__ins").last).to_contain_text("Delayed")
    expect(entry.get_by_role("button", name="Restore this save")).to_have_count(1)
    assert_accessible(page)

    entry.get_by_role("button", name="Restore this save").click()
    expect(
        page.get_by_text("Restored the earlier text and status of the milestone")
    ).to_be_visible()
    assert page.url.endswith("/edit/route-maps/where-children-live/history/")
    newest = page.locator("li.history-list__item").first
    expect(newest.get_by_role("heading", level=2)).to_contain_text("Restored")
    assert_accessible(page)

    page.goto(site + "/edit/route-maps/where-children-live/")
    draft = page.locator("li.milestone", has_text=KINSHIP_2030)
    expect(draft).not_to_contain_text(ADDED)
    expect(draft.get_by_text("No update yet", exact=True)).to_be_visible()
