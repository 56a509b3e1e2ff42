"""The header a reader sees: the phone menu, the quick exit and the site icon."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, wait_until

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
LONG_PAGE = "/route-maps/where-children-live/"
HEADER_LINKS = ["Timeline", "Organisations", "Sources"]


def header_link(page, name):
    return page.get_by_role("banner").get_by_role("link", name=name, exact=True)


def overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_phone_menu_opens_with_a_tap_and_shows_the_sections(page, site):
    page.set_viewport_size(PHONE)
    page.goto(site + "/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    for name in HEADER_LINKS:
        expect(header_link(page, name)).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    for name in HEADER_LINKS:
        expect(header_link(page, name)).to_be_visible()
    assert_accessible(page)

    header_link(page, "Sources").click()
    expect(page).to_have_url(site + "/sources/")


def test_phone_menu_opens_and_closes_by_keyboard(page, site):
    page.set_viewport_size(PHONE)
    page.goto(site + "/")
    menu = page.get_by_role("button", name="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(header_link(page, "Timeline")).to_be_visible()
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(header_link(page, "Timeline")).to_be_hidden()


def test_desktop_shows_the_navigation_without_a_menu_button(page, site):
    page.set_viewport_size(DESKTOP)
    page.goto(site + "/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    for name in HEADER_LINKS:
        expect(header_link(page, name)).to_be_visible()


def test_without_javascript_the_phone_header_links_are_there_and_no_esc_hint(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(site + "/")
    for name in HEADER_LINKS:
        expect(header_link(page, name)).to_be_visible()
    header_link(page, "Organisations").click()
    expect(page).to_have_url(site + "/organisations/")
    expect(page.get_by_role("link", name="Hide this page")).to_be_visible()
    expect(page.get_by_text("(Or press Esc key)")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_hide_this_page_stays_in_view_after_scrolling(page, site, viewport):
    page.set_viewport_size(viewport)
    page.goto(site + LONG_PAGE)
    assert page.evaluate("document.documentElement.scrollHeight") > 3000 + viewport["height"]
    page.mouse.wheel(0, 3000)
    wait_until(page, "window.scrollY >= 3000")
    hide = page.get_by_role("link", name="Hide this page")
    expect(hide).to_be_in_viewport(ratio=1)


def test_hide_this_page_never_covers_the_site_name_on_a_phone(page, site):
    page.set_viewport_size(PHONE)
    page.goto(site + LONG_PAGE)
    hide = page.locator(".ds_hide-page").bounding_box()
    name = page.get_by_text("Plan 24-30 Route Map Tracker", exact=True).bounding_box()
    assert not overlap(hide, name), (hide, name)


def test_site_icon_answers(page, site):
    page.goto(site + "/")
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(site + icon).status == 200
    favicon = page.request.get(site + "/favicon.ico")
    assert favicon.status == 200
    assert "svg" in favicon.headers["content-type"]


@pytest.mark.parametrize("width", [800, 1000, 1280])
def test_hide_this_page_never_covers_the_results_beside_the_filters(page, site, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(site + "/timeline/")
    page.mouse.wheel(0, 1500)
    wait_until(page, "window.scrollY >= 1500")
    hide = page.locator(".ds_hide-page").bounding_box()
    results = page.locator(".ds_layout__list").bounding_box()
    assert not overlap(hide, results), (hide, results)
