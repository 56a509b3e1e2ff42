"""A partner reports progress; an editor accepts it and publishes; the public sees it. Also the
import preview page, in Chromium, with axe-core on each page."""

import csv

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from milestones.models import Milestone
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

CORPORATE_PLAN = "The Care Inspectorate will launch its new Corporate Plan"
NOTE = "Our Corporate Plan 2026-29 was approved by the Board in March."


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_partner_update_is_accepted_published_and_public(page, site, partner, publisher):
    milestone = Milestone.objects.published().get(text__startswith=CORPORATE_PLAN)

    # The partner sees their organisation's milestones and sends an update.
    sign_in(page, site, "casey", "partner-passphrase", "/my-organisation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Care Inspectorate")
    assert_accessible(page)
    item = page.locator(f"#milestone-{milestone.key}")
    expect(item).to_contain_text("No update yet")
    item.get_by_role("link", name="Send a progress update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a progress update")
    assert_accessible(page)
    page.get_by_label("Link to evidence").fill("javascript:alert(1)")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(
        page.get_by_role("link", name="Enter what has happened on this milestone.")
    ).to_be_visible()
    assert_accessible(page)
    page.locator("label", has_text="In progress").click()  # the styled radio's label
    expect(page.get_by_label("In progress")).to_be_checked()
    page.get_by_label("What has happened").fill(NOTE)
    page.get_by_label("Link to evidence").fill("https://www.careinspectorate.com/corporate-plan")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("Your update has been sent.")).to_be_visible()
    updates = page.locator(".partner-updates")
    expect(updates).to_contain_text("Waiting for review")
    expect(page.get_by_role("link", name="Editing")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    # A publisher accepts it from the review queue, then publishes with a note.
    sign_in(page, site, "pat", "a-long-passphrase", "/edit/updates/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partner updates to review")
    assert_accessible(page)
    review = page.locator(".review-list > li").first
    expect(review).to_contain_text(NOTE)
    evidence = review.get_by_role("link", name="https://www.careinspectorate.com/corporate-plan")
    expect(evidence).to_have_attribute("rel", "noopener noreferrer nofollow")
    review.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted the update from Care Inspectorate")).to_be_visible()
    expect(page.get_by_text("No updates are waiting for review.")).to_be_visible()

    # The partner hears of the decision by email, with the note as it now stands.
    decision = [m for m in mail.outbox if m.to == ["casey@example.org"]]
    assert len(decision) == 1
    assert decision[0].subject.startswith("Accepted: your progress update on")
    assert NOTE in decision[0].body and "not public yet" in decision[0].body
    assert "List-Unsubscribe" in decision[0].extra_headers

    public = page.context.new_page()
    public.goto(site + "/route-maps/where-children-live/")
    expect(public.get_by_text(NOTE)).to_have_count(0)  # not public before publishing

    page.goto(site + "/edit/route-maps/where-children-live/publish/")
    expect(page.get_by_text("Status changed from No update yet to In progress")).to_be_visible()
    page.get_by_label("What changed?").fill("Residential care: Care Inspectorate progress.")
    page.get_by_role("button", name="Publish now").click()
    expect(page.get_by_text("“Where children live” is published.")).to_be_visible()

    public.reload()  # the year tabs open on this year, 2026, the milestone's year
    published = public.locator(f"#milestone-{milestone.key}")
    expect(published.get_by_text("In progress", exact=True)).to_be_visible()
    expect(published).to_contain_text(NOTE)
    expect(published).to_contain_text("(Update from Care Inspectorate,")
    expect(published).to_contain_text("by Care Inspectorate")  # who set the status

    # ...and when the publish made it public, with a link to the milestone.
    made_public = [m for m in mail.outbox if m.to == ["casey@example.org"]][1:]
    assert len(made_public) == 1
    public_address = settings.SITE_URL.rstrip("/") + milestone.get_absolute_url()
    assert public_address in made_public[0].body

    # The partner's page shows the update as accepted.
    page.context.clear_cookies()
    sign_in(page, site, "casey", "partner-passphrase", "/my-organisation/")
    expect(page.locator(".partner-updates")).to_contain_text("Accepted")
    expect(page.locator(f"#milestone-{milestone.key}")).to_contain_text("In progress")


def test_dashboard_and_import_preview_pages_are_accessible(page, site, publisher, tmp_path):
    sign_in(page, site, "pat", "a-long-passphrase", "/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Editing")
    assert_accessible(page)
    page.get_by_role("link", name="Import CSV into Where children live").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a route map from a CSV file")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the route map as CSV").click()
    exported = tmp_path / "export.csv"
    download_info.value.save_as(exported)
    with exported.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["status"] = "achieved"
    edited = tmp_path / "edited.csv"
    write_csv(edited, rows)
    page.get_by_label("CSV file").set_input_files(str(edited))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the changes before importing")
    expect(page.get_by_text("0 to add, 1 to change, 0 to remove.")).to_be_visible()
    expect(page.get_by_text("Achieved", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Apply these changes to the draft").click()
    expect(
        page.get_by_text("Imported into the draft: 0 added, 1 changed, 0 removed.")
    ).to_be_visible()

    rows[0]["year"] = "2031"
    broken = tmp_path / "broken.csv"
    write_csv(broken, rows)
    page.goto(site + "/edit/route-maps/where-children-live/import/")
    page.get_by_label("CSV file").set_input_files(str(broken))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("There is a problem with the file")).to_be_visible()
    assert_accessible(page)
