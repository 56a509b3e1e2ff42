"""An editor reviews a partner's update in Chromium: the draft's note beside the proposed one,
the text edited, accepted in place with htmx, and the note it replaced in the history and on
the publish page. The queue is checked with axe-core on a phone and a desktop."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from editing import services as editing
from milestones.models import Milestone
from organisations.models import Organisation
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.browser

CORPORATE_PLAN = "The Care Inspectorate will launch its new Corporate Plan"
EDITORS_NOTE = "Board approval expected in March; editors checked with the Inspectorate."
PROPOSED = "Our Corporate Plan 2026-29 was approved by the Board in March."
EDITED = "The Corporate Plan 2026-29 was approved by the Board in March and published in April."
# Set REVIEW_SCREENSHOTS to a folder to keep the screenshots taken at each width.
SHOTS = os.environ.get("REVIEW_SCREENSHOTS")


@pytest.fixture
def update(live_seeded):
    """The partner's update, on a milestone whose draft has an editor's note."""
    milestone = Milestone.objects.published().get(text__startswith=CORPORATE_PLAN)
    route_map = milestone.outcome.edition.route_map
    editing.milestone_update(
        route_map=route_map,
        key=milestone.key,
        user=None,
        values={"progress_note": EDITORS_NOTE},
        organisations=[
            editing.OrganisationChoice(link.organisation, link.role)
            for link in milestone.organisation_links.select_related("organisation")
        ],
        expected_revision=milestone.revision,
    )
    return ProgressUpdateFactory(
        milestone=milestone,
        organisation=Organisation.objects.get(name="Care Inspectorate"),
        proposed_status="in_progress",
        note=PROPOSED,
        evidence_url="https://www.careinspectorate.com/corporate-plan",
    )


def shoot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_editor_sees_both_notes_edits_accepts_in_place_and_the_history_keeps_the_old_note(
    page, site, publisher, update
):
    sign_in(page, site, "pat", "a-long-passphrase", "/edit/updates/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partner updates to review")
    card = page.locator(f"#update-{update.pk}")
    expect(card.get_by_role("heading", level=2)).to_contain_text(
        "Care Inspectorate: Where children live"
    )
    expect(card.locator(".review-card__note").first).to_contain_text(EDITORS_NOTE)
    expect(card.locator(".review-card__note").nth(1)).to_contain_text(PROPOSED)
    expect(card.locator(".review-card__diff del").first).to_be_visible()
    expect(card.get_by_role("link", name="See it on the public route map")).to_have_attribute(
        "href", f"/route-maps/where-children-live/#milestone-{update.milestone_key}"
    )
    assert_accessible(page)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        no_sideways_scroll(page)
        shoot(page, f"review-queue-{width}")

    note = card.get_by_label("Progress note for the draft")
    expect(note).to_have_value(update.credited_note())
    note.fill(EDITED)
    card.get_by_role("button", name="Accept").click()

    result = page.locator(f"#update-{update.pk} .review-card__result")
    expect(result).to_contain_text("Accepted the update from Care Inspectorate")
    expect(result).to_be_focused()
    expect(page.locator("#review-announcement")).to_have_text(
        "Accepted: the update from Care Inspectorate."
    )
    expect(page.locator("#review-count")).to_have_text("No updates are waiting for review.")
    assert page.url.endswith("/edit/updates/")  # swapped in place, no page load
    assert_accessible(page)
    shoot(page, "review-accepted-390" if page.viewport_size["width"] == 390 else "review-accepted")

    result.get_by_role("link", name="See the milestone's history").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CORPORATE_PLAN[:40])
    accepted = page.locator(".history-list__item", has_text=EDITED).first
    expect(accepted.locator(".history-list__values")).to_contain_text(EDITORS_NOTE)  # before
    expect(accepted).to_contain_text("by pat")
    assert_accessible(page)

    page.goto(site + "/edit/route-maps/where-children-live/publish/")
    expect(page.get_by_text("Note replaced")).to_be_visible()
    expect(page.locator(".change-list__note")).to_contain_text(EDITED)
    assert_accessible(page)


def test_without_javascript_the_queue_accepts_and_declines_by_page_loads(
    browser, site, publisher, update
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, site, "pat", "a-long-passphrase", "/edit/updates/")
    card = page.locator(f"#update-{update.pk}")
    card.get_by_label("Progress note for the draft").fill(" ")
    card.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    card.locator("summary").click()
    card.get_by_label("Why is this update declined?").fill("Please link the Board minutes.")
    card.get_by_role("button", name="Decline the update").click()
    expect(page.get_by_text("Declined the update from Care Inspectorate")).to_be_visible()
    expect(page.locator("#recently-reviewed + ol")).to_contain_text(
        "Please link the Board minutes."
    )
    context.close()
