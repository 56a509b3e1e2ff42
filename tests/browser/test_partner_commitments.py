"""A COSLA partner finds an overdue commitment, reports on it, changes the report, and the page
fits a phone, in Chromium with axe-core on each page."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import PARTNERS
from organisations.models import Organisation
from partners.models import PartnerProfile, ProgressUpdate
from sources.models import Commitment
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NOTE = "The joint action plan is drafted; COSLA Leaders consider it in January."
EVIDENCE = "https://www.cosla.gov.uk/news/2025/secure-care-joint-action-plan-draft-report"


@pytest.fixture
def cosla_partner(live_seeded, django_user_model):
    user = django_user_model.objects.create_user("robin", "robin@example.org", "partner-passphrase")
    user.groups.add(Group.objects.get_or_create(name=PARTNERS)[0])
    PartnerProfile.objects.create(user=user, organisation=Organisation.objects.get(slug="cosla"))
    return user


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def test_partner_reports_on_an_overdue_commitment_then_changes_the_report(
    page, site, cosla_partner
):
    commitment = Commitment.objects.get(
        document__slug="reimagining-secure-care-response", reference="8.1"
    )
    page.set_viewport_size(DESKTOP)
    sign_in(page, site, "robin", "partner-passphrase", "/my-organisation/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Convention of Scottish Local Authorities"
    )
    assert_accessible(page)

    # Filter to what is overdue (htmx swaps the results; the address follows).
    page.locator("label", has_text="Only overdue").click()  # the styled checkbox's label
    expect(page).to_have_url(f"{site}/my-organisation/?overdue=on")
    expect(page.locator(".active-filters")).to_contain_text("Only overdue")
    item = page.locator(f"#commitment-{commitment.pk}")
    expect(item).to_contain_text("Joint Action Plan")
    expect(item).to_contain_text("Overdue")
    expect(page.get_by_role("heading", name="Due in 2025")).to_be_visible()
    assert_accessible(page)

    item.get_by_role("link", name="Send a progress update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a progress update")
    expect(page.locator(".ds_inset-text")).to_contain_text("8.1 Joint Action Plan")
    page.locator("label", has_text="Delayed").click()
    page.get_by_label("What has happened").fill(NOTE)
    page.get_by_label("Link to evidence").fill(EVIDENCE)
    page.get_by_role("button", name="Send for review").click()

    expect(page.get_by_text("Your update has been sent.")).to_be_visible()
    card = page.locator(".partner-updates .partner-update").first
    expect(card).to_contain_text("Commitment in Scottish government response")
    expect(card).to_contain_text(NOTE)
    expect(card.get_by_role("link", name=EVIDENCE)).to_have_attribute("href", EVIDENCE)
    expect(card).to_contain_text("Waiting for review")
    beside = page.locator(f"#commitment-{commitment.pk} .partner-update")
    expect(beside).to_contain_text(NOTE)
    assert_accessible(page)

    # A second update on the same commitment is warned about.
    page.goto(f"{site}/my-organisation/commitments/{commitment.pk}/update/")
    expect(page.locator(".ds_warning-text")).to_contain_text("already sent an update")
    page.get_by_role("link", name="Change that update").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Change your progress update")
    expect(page.get_by_label("What has happened")).to_have_value(NOTE)
    assert_accessible(page)
    page.get_by_label("What has happened").fill(NOTE + " Leaders agreed the timetable.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your update has been changed.")).to_be_visible()
    expect(card).to_contain_text("Leaders agreed the timetable.")
    update = ProgressUpdate.objects.get()
    assert update.commitment == commitment
    assert update.note.endswith("Leaders agreed the timetable.")

    # On a phone the page, its cards and the long evidence link fit the screen.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(card).to_be_visible()
    no_sideways_scroll(page)
    page.goto(f"{site}/my-organisation/updates/{update.pk}/edit/")
    no_sideways_scroll(page)


def test_partner_page_fits_a_phone_without_javascript(browser, site, cosla_partner):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, site, "robin", "partner-passphrase", "/my-organisation/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        # The filter form works as a plain GET form.
        page.locator("label", has_text="Only overdue").click()  # the styled checkbox's label
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(f"{site}/my-organisation/?overdue=on")
        expect(page.get_by_role("heading", name="Due in 2025")).to_be_visible()
        no_sideways_scroll(page)
    finally:
        context.close()
