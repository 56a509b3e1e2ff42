"""A publisher changes a seeded commitment's status in place, checks the public page is
unchanged, publishes with a note and sees it live; axe-core on every editor page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

DOCUMENT = "/sources/reimagining-secure-care-response/"
EDIT = "/edit/sources/reimagining-secure-care-response/"
NOTE_8_2 = "Contingency plan agreed with all four providers."


def test_publisher_changes_commitment_8_2_in_place_and_publishes(page, site, publisher):
    sign_in(page, site, "pat", "a-long-passphrase", "/edit/sources/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Source documents")
    assert_accessible(page)

    page.get_by_role("link", name="Scottish government response").first.click()
    assert page.url.endswith(EDIT)
    assert_accessible(page)

    item = page.locator("li.commitment", has_text="8.2 Secure Care Contingency Action Plan")
    item.get_by_role("link", name="Edit commitment 8.2").click()  # htmx swaps in the form
    form_item = page.locator("li.commitment--editing")
    expect(form_item.get_by_label("Status")).to_be_visible()
    assert page.url.endswith(EDIT)  # no page load
    assert_accessible(page)

    form_item.get_by_label("Status").select_option(label="Achieved")
    form_item.get_by_label("Progress note").fill(NOTE_8_2)
    form_item.get_by_role("button", name="Save commitment").click()
    saved = page.locator("li.commitment", has_text="8.2 Secure Care Contingency Action Plan")
    expect(saved.get_by_text("Saved to the draft.")).to_be_visible()
    expect(saved.get_by_text("Achieved", exact=True)).to_be_visible()
    expect(page.locator("#draft-banner").get_by_text("unpublished changes")).to_be_visible()
    assert_accessible(page)

    public = page.context.new_page()
    public.goto(site + DOCUMENT)
    expect(public.get_by_text(NOTE_8_2)).to_have_count(0)
    public_8_2 = public.locator("article.commitment", has_text="Secure Care Contingency")
    expect(public_8_2.get_by_text("In progress", exact=True)).to_be_visible()

    page.get_by_role("link", name="History of changes").click()
    entry = page.locator(".history-list__item", has_text="Changed: Commitment 8.2").first
    expect(entry.locator(".ds_summary-list__key", has_text="Status")).to_be_visible()
    assert_accessible(page)
    page.goto(site + EDIT)

    page.get_by_role("link", name="Publish changes").click()
    expect(page.get_by_text("Commitment 8.2: status In progress → Achieved")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_role("link", name="Enter what changed.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What changed?").fill("Commitment 8.2 achieved.")
    page.get_by_role("button", name="Publish now").click()

    assert page.url.endswith(DOCUMENT)
    expect(page.get_by_text(NOTE_8_2)).to_be_visible()
    public.reload()
    expect(public.get_by_text(NOTE_8_2)).to_be_visible()
    public_8_2 = public.locator("article.commitment", has_text="Secure Care Contingency")
    expect(public_8_2.get_by_text("Achieved", exact=True)).to_be_visible()

    # The publish is a version: a reader sees what it changed, on a phone and a desktop.
    for width, height in [(390, 844), (1280, 900)]:
        public.set_viewport_size({"width": width, "height": height})
        public.goto(site + DOCUMENT)
        public.get_by_role("link", name="Changes to this document").click()
        expect(public.get_by_role("heading", level=1)).to_contain_text("Changes to")
        version = public.locator("section.version").first
        expect(version.get_by_role("heading", level=2)).to_contain_text("Version 2, published")
        expect(version).to_contain_text("What changed: Commitment 8.2 achieved.")
        expect(version).to_contain_text("Commitment 8.2: status In progress → Achieved")
        expect(version.locator("ins.word-diff__ins").first).to_contain_text("Contingency plan")
        assert_accessible(public)
        scroll = public.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (width, scroll)
    public.get_by_label("Compare version").select_option(label="Version 1")
    public.get_by_label("with version").select_option(label="Version 2")
    public.get_by_role("button", name="Compare").click()
    expect(public.get_by_role("heading", name="Version 1 compared with version 2")).to_be_visible()
    assert_accessible(public)


def test_add_and_remove_pages_pass_axe(page, site, publisher):
    sign_in(page, site, "pat", "a-long-passphrase", EDIT)
    page.get_by_role("link", name="Add a commitment").click()
    page.get_by_role("button", name="Add the commitment").click()
    expect(page.get_by_role("link", name="Enter the commitment text.")).to_be_visible()
    assert_accessible(page)
    page.goto(site + EDIT)
    page.get_by_role("link", name="Remove commitment 8.3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove commitment 8.3?")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, remove it").click()
    expect(page.locator("li.commitment", has_text="8.3 Capital Funding")).to_contain_text(
        "Removed in the draft"
    )
    page.get_by_role("link", name="Discard draft").click()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, discard the draft").click()
    expect(page.get_by_text("The draft was discarded")).to_be_visible()
