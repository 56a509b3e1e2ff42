"""The editors' dashboard and the CSV import's preview in Chromium, on a phone and a desktop:
nothing scrolls sideways, no serious accessibility problem, and a row changed by someone else
since the export is imported only when ticked. Set SCREENSHOTS=<folder> to keep pictures."""

import csv
import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from milestones.models import Milestone
from routemap.models import Edition, RouteMap
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import edit_in_draft

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def sign_in_to_editing(page, site):
    sign_in(page, site, "pat", "a-long-passphrase", "/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Editing")


def check_both_sizes(page, name: str) -> None:
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        scroll_width, screen_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= screen_width, f"{name} scrolls sideways on the {size}"
        if os.environ.get("SCREENSHOTS"):
            folder = Path(os.environ["SCREENSHOTS"])
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
    assert_accessible(page)


def test_the_dashboard_lists_route_maps_with_content_first(page, site, publisher):
    sign_in_to_editing(page, site)
    listing = page.locator(".dashboard-route-maps")
    item = listing.locator("li.dashboard-route-maps__item", has_text="Where children live")
    expect(item.get_by_role("link", name="Download CSV of Where children live")).to_be_visible()
    empty = RouteMap.objects.count() - 1
    expect(page.locator(".dashboard-empty-route-maps")).to_contain_text(f"({empty})")
    check_both_sizes(page, "dashboard")


def test_an_old_export_holds_back_a_row_someone_changed_until_it_is_ticked(page, site, publisher):
    sign_in_to_editing(page, site)
    response = page.request.get(site + "/edit/route-maps/where-children-live/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"), newline="")))
    route_map = RouteMap.objects.get(slug="where-children-live")
    # After the export, a colleague rewords the first milestone in the draft.
    theirs = Milestone.objects.get(outcome__edition__state="published", key=rows[0]["milestone_id"])
    edit_in_draft(theirs, {"text": theirs.text + " Agreed with COSLA in May."})
    # In the file: a status typed as a label, a reworded long text, an edited status_label.
    rows[0]["status"] = "In progress"
    milestones = [row for row in rows[1:] if row["kind"] in ("", "milestone")]
    long_row = max(milestones, key=lambda row: len(row["text"]))
    words = long_row["text"].split(" ")
    long_row["text"] = " ".join([*words[:-2], "(reworded)", *words[-2:]])
    rows[2]["status_label"] = "Achieved"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    page.goto(site + "/edit/route-maps/where-children-live/import/")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "old.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the changes before importing")
    stale = page.locator(".import-stale li.milestone")
    expect(stale).to_have_count(1)
    expect(stale.locator("ins.word-diff__ins")).to_contain_text("Agreed with COSLA in May.")
    expect(page.locator(".import-changes ins.word-diff__ins")).to_contain_text("(reworded)")
    expect(page.locator(".import-ignored")).to_contain_text("status_label")
    check_both_sizes(page, "import-preview")

    stale.get_by_text("anyway, replacing their change").click()  # the label, as people do
    expect(stale.get_by_label("anyway, replacing their change")).to_be_checked()
    page.get_by_role("button", name="Apply these changes to the draft").click()
    expect(page.get_by_text("Imported into the draft: 0 added, 2 changed")).to_be_visible()
    draft = Edition.objects.drafts().get(route_map=route_map)
    replaced = Milestone.objects.get(outcome__edition=draft, key=theirs.key)
    assert replaced.text == rows[0]["text"]
    assert replaced.status == "in_progress"
