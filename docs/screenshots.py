"""Screenshots of a running, seeded site for the README and reviews.

    .venv/bin/python docs/screenshots.py http://127.0.0.1:8765 [route-map-slug]

Saves into docs/screenshots/: home-desktop.png (1280 px wide), home-phone.png (390 px),
route-map-glance.png (the route map's at-a-glance table at 1280 px, clipped to it) and
phone-menu.png (390 px with the Menu opened). Uses Debian's Chromium (CHROMIUM_PATH to
override). Long pages are cut at MAX_HEIGHT.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Cut there so each file stays under about 300 KB.
MAX_HEIGHT = {1280: 2200, 390: 3000}
# The route map's at-a-glance table, or failing that the section its heading opens.
GLANCE_SELECTORS = [
    "table.glance__table",
    "#at-a-glance table",
    ".at-a-glance table",
    "section:has(> h2:text-matches('at a glance', 'i')) table",
    "section:has(> h2:text-matches('at a glance', 'i'))",
]


def full_page(page, path: Path) -> None:
    width = page.viewport_size["width"]
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT[width])
    page.screenshot(
        path=path, clip={"x": 0, "y": 0, "width": width, "height": height}, full_page=True
    )


def main(base: str, slug: str) -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

        desktop = browser.new_page(viewport=DESKTOP)
        desktop.goto(base + "/")
        full_page(desktop, OUT / "home-desktop.png")

        desktop.goto(f"{base}/route-maps/{slug}/")
        for selector in GLANCE_SELECTORS:
            glance = desktop.locator(selector).first
            if glance.count() and glance.is_visible():
                glance.scroll_into_view_if_needed()
                glance.screenshot(path=OUT / "route-map-glance.png")
                break
        else:
            raise SystemExit(f"No at-a-glance table on /route-maps/{slug}/")

        phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        phone.goto(base + "/")
        full_page(phone, OUT / "home-phone.png")

        phone.get_by_role("button", name="Menu").click()
        phone.locator("#mobile-navigation").wait_for(state="visible")
        phone.screenshot(path=OUT / "phone-menu.png")
        browser.close()
    for name in sorted(OUT.glob("*.png")):
        print(f"{name.relative_to(OUT.parent.parent)}: {name.stat().st_size // 1024} KB")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1].rstrip("/"), sys.argv[2] if len(sys.argv) > 2 else "where-children-live")
