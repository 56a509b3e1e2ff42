"""Signed in, the header says who and offers "Sign out", on a phone (behind the Menu) and on a
wide screen; signing out is a POST and ends the session."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import PARTNERS
from organisations.models import Organisation
from partners.models import PartnerProfile
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def partner(live_seeded, django_user_model):
    user = django_user_model.objects.create_user(
        "casey", "casey@example.org", "partner-passphrase", first_name="Casey", last_name="Reid"
    )
    user.groups.add(Group.objects.get_or_create(name=PARTNERS)[0])
    PartnerProfile.objects.create(user=user, organisation=Organisation.objects.get(slug="cosla"))
    return user


def sign_in_as_casey(page, site):
    sign_in(page, site, "casey", "partner-passphrase")
    expect(page).to_have_url(f"{site}/my-organisation/")
    # The address changes before the stylesheet applies; until it does, both copies of the
    # navigation show.
    page.wait_for_load_state()


def banner(page):
    return page.get_by_role("banner")


def shown(locator):
    """The header holds the navigation twice (phone menu and wide screens); one shows."""
    return locator.locator("visible=true")


def test_on_a_phone_the_menu_says_who_is_signed_in_and_signs_out(page, site, partner):
    page.set_viewport_size(PHONE)
    sign_in_as_casey(page, site)
    expect(shown(banner(page).get_by_text("Signed in as Casey Reid"))).to_have_count(0)
    page.get_by_role("button", name="Menu").click()
    expect(shown(banner(page).get_by_text("Signed in as Casey Reid"))).to_have_count(1)
    sign_out = shown(banner(page).get_by_role("button", name="Sign out"))
    expect(sign_out).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    sign_out.click()
    expect(page).to_have_url(f"{site}/")
    expect(banner(page).get_by_text("Signed in as")).to_have_count(0)
    page.goto(f"{site}/my-organisation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_on_a_wide_screen_the_header_says_who_is_signed_in(page, site, partner):
    page.set_viewport_size(DESKTOP)
    sign_in_as_casey(page, site)
    expect(shown(banner(page).get_by_text("Signed in as Casey Reid"))).to_have_count(1)
    sign_out = shown(banner(page).get_by_role("button", name="Sign out"))
    expect(sign_out).to_be_visible()
    assert_accessible(page)
    # The partner's page names its organisation with a possessive that fits the name.
    expect(
        page.get_by_role("link", name="Convention of Scottish Local Authorities' public page")
    ).to_be_visible()
    sign_out.click()
    expect(page).to_have_url(f"{site}/")
    expect(banner(page).get_by_text("Signed in as")).to_have_count(0)


def test_without_javascript_a_phone_still_signs_out(browser, site, partner):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    sign_in_as_casey(page, site)
    sign_out = shown(banner(page).get_by_role("button", name="Sign out"))
    expect(sign_out).to_be_visible()
    sign_out.click()
    expect(page).to_have_url(f"{site}/")
    expect(banner(page).get_by_text("Signed in as")).to_have_count(0)
    context.close()
