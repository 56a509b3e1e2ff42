"""Finding things in Chromium: the timeline's filters with and without JavaScript, search from
the header, downloads, a printable route map, and axe-core on every discovery page."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from milestones.models import Milestone
from organisations.models import Organisation
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

ORGANISATION = "care-inspectorate"


def milestone_keys(page) -> list[str]:
    return page.locator("#results li.milestone").evaluate_all("items => items.map(i => i.id)")


def test_filtering_the_timeline_with_htmx_and_without_javascript_agree(browser, page, site):
    page.goto(site + "/timeline/")
    assert_accessible(page)
    everything = page.locator(".timeline-summary").inner_text()
    page.locator("#filter-organisation").select_option(ORGANISATION)
    expect(page).to_have_url(f"{site}/timeline/?organisation={ORGANISATION}")
    expect(page.locator(".timeline-summary")).not_to_have_text(everything)
    expect(page.locator("#results")).to_contain_text("Organisation: Care Inspectorate")
    with_htmx = milestone_keys(page)
    assert with_htmx
    assert_accessible(page)

    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(site + "/timeline/")
    plain.locator("#filter-organisation").select_option(ORGANISATION)
    plain.get_by_role("button", name="Apply filters").click()
    expect(plain).to_have_url(f"{site}/timeline/?organisation={ORGANISATION}")
    assert milestone_keys(plain) == with_htmx
    assert (
        plain.locator(".timeline-summary").inner_text()
        == page.locator(".timeline-summary").inner_text()
    )
    context.close()


def test_choosing_a_route_map_offers_its_outcomes_and_keeps_the_url(page, site):
    page.goto(site + "/timeline/")
    page.locator("#filter-route_map").select_option("where-children-live")
    expect(page).to_have_url(f"{site}/timeline/?route_map=where-children-live")
    page.locator("#filter-outcome").select_option("secure-care")
    expect(page).to_have_url(f"{site}/timeline/?route_map=where-children-live&outcome=secure-care")
    expect(page.locator("#results")).to_contain_text("Outcome: Secure care")
    page.get_by_role("link", name=re.compile("Remove filter Outcome")).click()
    expect(page).to_have_url(f"{site}/timeline/?route_map=where-children-live")


def test_an_invalid_filter_shows_an_error_summary(page, site):
    page.goto(site + "/timeline/?year_from=2029&year_to=2025")
    expect(page.locator(".ds_error-summary")).to_contain_text("must be the same as or after")
    assert_accessible(page)


def test_search_from_the_header_reaches_the_outcome(page, site):
    page.goto(site + "/organisations/")
    page.get_by_role("searchbox", name="Search route maps").fill("kinship")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=kinship$"))
    expect(page.get_by_role("heading", level=2).first).to_contain_text("results for “kinship”")
    expect(page.locator("mark").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Kinship care", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kinship care")


def test_download_the_filtered_timeline_as_csv(page, site):
    page.goto(f"{site}/timeline/?organisation={ORGANISATION}")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Download CSV")).click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as handle:
        lines = handle.read().splitlines()
    assert lines[0].startswith("milestone_id,route_map,route_map_title,foundation,outcome,")
    rows = [line for line in lines[1:] if re.match(r"^[0-9a-f-]{36},", line)]
    organisation = Organisation.objects.get(slug=ORGANISATION)
    assert len(rows) == Milestone.objects.published().for_organisation(organisation).count()


def test_discovery_pages_are_accessible(page, site):
    for path in [
        "/timeline/",
        "/timeline/?route_map=where-children-live&year=2027",
        "/search/?q=secure+care",
        "/search/",
        "/open-data/",
        "/organisations/",
        f"/organisations/{ORGANISATION}/?year=2026",
        "/route-maps/where-children-live/",
        "/",
    ]:
        page.goto(site + path)
        assert_accessible(page)


def test_a_route_map_prints_every_year_of_every_outcome(browser, page, site):
    # Without JavaScript, the print stylesheet alone shows every year and every disclosure.
    context = browser.new_context(java_script_enabled=False)
    plain = context.new_page()
    plain.goto(site + "/route-maps/where-children-live/")
    plain.emulate_media(media="print")
    panels = plain.locator(".ds_tabs__content")
    assert panels.count() == 7 * 7
    for index in range(panels.count()):
        expect(panels.nth(index)).to_be_visible()
    details = plain.locator(".outcome .ds_details__text")  # all progress, commitments
    assert details.count() >= 7
    for index in range(details.count()):
        expect(details.nth(index)).to_be_visible()
    for navigation in plain.locator(".ds_site-navigation").all():  # desktop and phone menus
        expect(navigation).to_be_hidden()
    expect(plain.locator(".ds_site-search__form").first).to_be_hidden()
    # The whole paper width, not the screen's two-thirds column.
    content, main = plain.evaluate(
        "['.ds_layout__content', 'main'].map(s => document.querySelector(s).offsetWidth)"
    )
    assert content == main
    context.close()

    # With JavaScript (tabs on this year, disclosures closed), the PDF still has every year.
    page.goto(site + "/route-maps/where-children-live/")
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    texts = [p.extract_text() for p in pdf.pages]
    flat = re.sub(r"\s+", "", " ".join(texts))
    milestones = Milestone.objects.published().filter(
        outcome__slug="kinship-care", outcome__edition__route_map__slug="where-children-live"
    )
    years = sorted(set(milestones.values_list("year", flat=True)))
    assert len(years) >= 2
    for year in years:
        first = milestones.filter(year=year).order_by("order").first()
        words = re.sub(r"\s+", "", " ".join(first.text.split()[:6]))
        assert words in flat, f"{year}: {first.text[:60]}"
    # Disclosures print open: every progress entry (this one is not among the latest), and
    # the kinship commitments, under their document's name.
    assert "KCASS)providesfree" in flat
    assert "Showall" not in flat
    assert "VisionforKinshipCare:32commitments" in flat
    assert "Insighttoimprovement:KCASSprovidesanonymised" in flat
    assert "(/organisations/" not in flat and "(/route-maps/" not in flat  # no link addresses
    for chrome in ["Hidethispage", "Skiptomaincontent", "Accessibilitystatement"]:
        assert chrome not in flat  # no navigation or page furniture
    # The first page is landscape, with the route map at a glance; the rest portrait.
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in pdf.pages]
    assert sizes[0][0] > sizes[0][1]
    assert all(width < height for width, height in sizes[1:])
    assert "Routemapataglance" in re.sub(r"\s+", "", texts[0])
    assert "WhereisScotlandnow?" not in re.sub(r"\s+", "", texts[0])
    # 55 pages before the route map was printed at full width with its years and
    # disclosures open but no link addresses; 35 with the seed content of December 2025.
    assert len(pdf.pages) <= 40
