"""Without JavaScript, Chromium posts the full-page milestone form with "\\r\\n" in its
textareas. Changing only the status must record, publish and announce only the status."""

import pytest
from playwright.sync_api import expect

from milestones.models import Milestone, Status
from publishing.models import ChangeRecord
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

CROSS_BORDER = "There is currently limited national clarity on arrangements"


def test_a_status_change_without_javascript_is_not_a_rewording(browser, site, publisher):
    milestone = Milestone.objects.published().get(text__startswith=CROSS_BORDER)
    assert "\n" in milestone.text
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, site, "pat", "a-long-passphrase")

    page.goto(f"{site}/edit/route-maps/where-children-live/milestones/{milestone.key}/")
    sent = []
    page.on("request", lambda r: sent.append(r.post_data) if r.method == "POST" else None)
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Save milestone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where children live")
    assert "%0D%0A" in sent[0]  # the browser sent Windows line endings

    records = ChangeRecord.objects.for_object(milestone.key)
    assert [r.field for r in records] == ["status"]
    assert records[0].after == Status.IN_PROGRESS

    page.get_by_role("link", name="Publish changes").click()
    expect(page.get_by_text("Status changed from No update yet to In progress")).to_be_visible()
    expect(page.get_by_text("reworded")).to_have_count(0)
    page.get_by_label("What changed?").fill("Cross-border placements: in progress.")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("“Where children live” is published.")).to_be_visible()

    page.goto(f"{site}/route-maps/where-children-live/changes/")
    expect(
        page.get_by_text("Status changed from No update yet to In progress").first
    ).to_be_visible()
    assert "reworded" not in page.content()
    feed = page.request.get(f"{site}/route-maps/where-children-live/updates.atom").text()
    assert "Status changed from No update yet to In progress" in feed
    assert "reworded" not in feed
    context.close()
