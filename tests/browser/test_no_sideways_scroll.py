"""Every public page fits a 390 px phone screen: nothing makes the whole page scroll sideways
(wide tables scroll inside themselves, long addresses and code wrap)."""

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

PUBLIC_PAGES = [
    "/",
    "/route-maps/where-children-live/",
    "/route-maps/where-children-live/outcomes/kinship-care/",
    "/timeline/",
    "/organisations/",
    "/organisations/care-inspectorate/",
    "/sources/",
    "/sources/reimagining-secure-care-response/",
    "/open-data/",
    "/search/?q=care",
    "/accessibility/",
]


def _pages_wider_than_the_screen(page, site) -> list[str]:
    page.set_viewport_size(PHONE)
    wider = []
    for path in PUBLIC_PAGES:
        response = page.goto(site + path)
        assert response.status == 200, path
        scroll_width, screen_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > screen_width:
            wider.append(f"{path}: {scroll_width} px wide on a {screen_width} px screen")
    return wider


def test_no_public_page_scrolls_sideways_on_a_phone(page, site):
    assert _pages_wider_than_the_screen(page, site) == []


def test_no_public_page_scrolls_sideways_on_a_phone_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    try:
        assert _pages_wider_than_the_screen(context.new_page(), site) == []
    finally:
        context.close()
