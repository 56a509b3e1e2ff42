"""Back and Forward after filtering the timeline with htmx: the form and the results always
show the same filters, and the next change keeps every filter the page shows."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


def results_of(page) -> tuple[str, list[str]]:
    """The result summary and the ids of the items listed, as the reader sees them now."""
    summary = page.locator(".timeline-summary").inner_text()
    ids = page.locator("#results li[id]").evaluate_all("items => items.map(i => i.id)")
    return summary, ids


def served(browser, url: str) -> tuple[str, list[str]]:
    """What the server gives for `url` on a fresh page load: the results to expect."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(url)
    found = results_of(page)
    context.close()
    return found


def expect_filters(page, **values: str) -> None:
    for name in ["organisation", "year", "status"]:
        expect(page.locator(f"#filter-{name}")).to_have_value(values.get(name, ""))


def expect_results_for(page, browser, site: str, query: str) -> None:
    url = f"{site}/timeline/{query}"
    expect(page).to_have_url(url)
    summary, ids = served(browser, url)
    expect(page.locator(".timeline-summary")).to_have_text(summary)
    assert results_of(page) == (summary, ids)


def test_back_after_filtering_keeps_the_form_and_results_in_step(browser, site):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(site + "/timeline/")
    expect(page.get_by_role("radio", name="Milestones and commitments")).to_be_checked()
    assert_accessible(page)

    page.locator("#filter-organisation").select_option("care-inspectorate")
    expect_results_for(page, browser, site, "?organisation=care-inspectorate")
    expect(page.locator(".timeline-summary")).to_contain_text("11 actions match")
    page.locator("#filter-year").select_option("2027")
    expect_results_for(page, browser, site, "?organisation=care-inspectorate&year=2027")

    page.go_back()
    expect_results_for(page, browser, site, "?organisation=care-inspectorate")
    expect_filters(page, organisation="care-inspectorate")
    expect(page.locator(".timeline-summary")).to_contain_text("11 actions match")

    page.go_back()
    expect_results_for(page, browser, site, "")
    expect_filters(page)
    expect(page.get_by_role("radio", name="Milestones and commitments")).to_be_checked()

    page.go_forward()
    expect_results_for(page, browser, site, "?organisation=care-inspectorate")
    expect_filters(page, organisation="care-inspectorate")

    # The next change keeps the organisation the form shows.
    page.locator("#filter-status").select_option("not_started")
    expect_results_for(page, browser, site, "?organisation=care-inspectorate&status=not_started")
    expect_filters(page, organisation="care-inspectorate", status="not_started")

    page.go_back()
    page.go_back()
    expect_results_for(page, browser, site, "")
    expect_filters(page)
    page.locator("#filter-year").select_option("2028")
    expect_results_for(page, browser, site, "?year=2028")
    expect_filters(page, year="2028")
    context.close()


def test_show_progress_and_back_again(browser, site):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(site + "/timeline/?organisation=cosla")
    page.locator("label[for=filter-show_1]").click()  # the label covers the radio, as in the DS
    expect_results_for(page, browser, site, "?show=progress&organisation=cosla")
    expect(page.locator(".timeline-summary")).to_contain_text(re.compile(r"\d+ progress entries"))
    expect(page.locator("#results")).not_to_contain_text("Who needs to work on this")
    assert_accessible(page)

    page.go_back()
    expect_results_for(page, browser, site, "?organisation=cosla")
    expect(page.get_by_role("radio", name="Milestones and commitments")).to_be_checked()
    expect_filters(page, organisation="cosla")
    context.close()


def test_the_show_choice_works_without_javascript(browser, site):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/timeline/?organisation=cosla")
    page.locator("label[for=filter-show_1]").click()  # the label covers the radio, as in the DS
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{site}/timeline/?show=progress&organisation=cosla")
    expect(page.locator(".timeline-summary")).to_contain_text("progress entries match")
    context.close()
