"""The quick exit's Esc shortcut never throws away typing, and on a phone its bar never takes a
tap meant for the site name. Readers' pages keep the shortcut."""

import pytest
from playwright.sync_api import expect

from milestones.models import Milestone
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HIDE_PAGE_URL = "https://hide.example/"
CORPORATE_PLAN = "The Care Inspectorate will launch its new Corporate Plan"
TYPED = "Half a sentence I have not saved yet"


@pytest.fixture(autouse=True)
def _exit_page_in_test(settings, page):
    """The exit page is answered here: tests never reach the internet."""
    settings.HIDE_PAGE_URL = HIDE_PAGE_URL
    page.context.route(
        HIDE_PAGE_URL + "**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>Weather</p>"),
    )


def milestone():
    return Milestone.objects.published().get(text__startswith=CORPORATE_PLAN)


def milestone_edit_url(site):
    return f"{site}/edit/route-maps/where-children-live/milestones/{milestone().key}/"


def partner_update_url(site):
    return f"{site}/my-organisation/milestones/{milestone().key}/update/"


def assert_esc_keeps(page, url, field):
    expect(field).to_have_value(TYPED)
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)  # the design system would have left by now
    assert page.url == url
    expect(field).to_have_value(TYPED)


# Who types where: an editor in a milestone's form, a partner in an update.
FORMS = {
    "milestone": ("pat", "a-long-passphrase", milestone_edit_url, "Progress note"),
    "partner update": ("casey", "partner-passphrase", partner_update_url, "What has happened"),
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("left_the_field", [False, True], ids=["in the field", "after it"])
def test_esc_keeps_the_typing(page, site, publisher, partner, form, left_the_field):
    username, password, url_of, label = FORMS[form]
    sign_in(page, site, username, password)
    url = url_of(site)
    page.goto(url)
    note = page.get_by_label(label)
    note.fill(TYPED)
    if left_the_field:
        note.blur()
        page.locator("h1").click()  # focus on the page, not a field
        assert page.evaluate("document.activeElement.matches('input, textarea, select')") is False
    else:
        note.focus()
    assert_esc_keeps(page, url, note)


def test_esc_on_a_form_sent_back_with_errors_keeps_the_typing(page, site, partner):
    sign_in(page, site, "casey", "partner-passphrase")
    url = partner_update_url(site)
    page.goto(url)
    page.get_by_label("What has happened").fill(TYPED)
    page.get_by_label("Link to evidence").fill("javascript:alert(1)")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    page.locator("h1").click()
    assert_esc_keeps(page, url, page.get_by_label("What has happened"))


def test_esc_on_a_reading_page_still_leaves(page, site, live_seeded):
    page.goto(site + "/route-maps/where-children-live/")
    page.locator("h1").click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(HIDE_PAGE_URL)


def test_esc_leaves_a_signed_in_page_when_nothing_was_typed(page, site, partner):
    sign_in(page, site, "casey", "partner-passphrase")
    page.goto(partner_update_url(site))
    page.locator("h1").click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(HIDE_PAGE_URL)


def test_the_button_still_leaves_with_typing_on_the_page(page, site, partner):
    sign_in(page, site, "casey", "partner-passphrase")
    page.goto(partner_update_url(site))
    page.get_by_label("What has happened").fill(TYPED)
    page.get_by_role("link", name="Hide this page").click()
    expect(page).to_have_url(HIDE_PAGE_URL)


def test_a_tap_on_the_site_name_on_a_phone_goes_home(page, site, live_seeded):
    page.set_viewport_size(PHONE)
    page.goto(site + "/route-maps/where-children-live/")
    title = page.locator(".ds_site-branding__title")
    box = title.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    hit = page.evaluate(
        """([x, y]) => {
            const element = document.elementFromPoint(x, y);
            return element && element.closest("a") && element.closest("a").className;
        }""",
        [x, y],
    )
    assert hit == "ds_site-branding__link", hit
    page.mouse.click(x, y)
    expect(page).to_have_url(site + "/")


def test_without_javascript_the_site_name_on_a_phone_is_clear_of_the_bar(
    browser, site, live_seeded
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(site + "/sources/")
    box = page.locator(".ds_site-branding__title").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Without JavaScript elementFromPoint cannot be asked; the bar must end above the name.
    bar = page.locator(".ds_hide-page").bounding_box()
    assert bar["y"] + bar["height"] <= box["y"], (bar, box)
    page.mouse.click(x, y)
    expect(page).to_have_url(site + "/")
    context.close()
