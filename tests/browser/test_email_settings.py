"""A partner turns off emails about their updates on the email settings page, and an editor
turns off the daily list with the link from its email, in Chromium with axe-core."""

import pytest
from playwright.sync_api import expect

from accounts.models import REVIEW_DECISIONS, REVIEW_DIGEST, EmailPreference, unsubscribe_token
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PublisherFactory

pytestmark = pytest.mark.browser


def test_partner_turns_off_emails_about_their_updates(page, site, partner):
    sign_in(page, site, "casey", "partner-passphrase", "/my-organisation/")

    page.get_by_role("link", name="Email settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email settings")
    box = page.get_by_label("Decisions on my progress updates")
    expect(box).to_be_checked()
    assert_accessible(page)

    page.locator("label", has_text="Decisions on my progress updates").click()  # as a person does
    expect(box).not_to_be_checked()
    page.get_by_role("button", name="Save email settings").click()
    expect(page.get_by_text("Your email settings are saved.")).to_be_visible()
    expect(page.get_by_label("Decisions on my progress updates")).not_to_be_checked()
    assert_accessible(page)
    assert not EmailPreference.wants(partner, REVIEW_DECISIONS)


def test_editor_turns_off_the_daily_list_from_its_email(page, site, live_seeded):
    editor = PublisherFactory()
    page.goto(f"{site}/accounts/emails/unsubscribe/{unsubscribe_token(editor, REVIEW_DIGEST)}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stop emails about partner updates to review"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Turn these emails off").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Emails about partner updates to review are off"
    )
    expect(page.get_by_role("link", name="email settings")).to_be_visible()
    assert_accessible(page)
    assert not EmailPreference.wants(editor, REVIEW_DIGEST)
