"""Answering a consultation in Chromium, and reading source documents, checked with axe-core."""

import datetime

import pytest
from playwright.sync_api import expect

from sources.models import ConsultationResponse
from tests.browser.conftest import assert_accessible
from tests.days import on
from tests.factories import ConsultationFactory, ConsultationQuestionFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def open_consultation(live_seeded):
    document = ConsultationFactory(title="Shaping kinship support", slug="shaping-kinship")
    ConsultationQuestionFactory(
        document=document, number="1", text="What helps your family most?", hint="", order=1
    )
    ConsultationQuestionFactory(
        document=document,
        number="2",
        text="What is missing?",
        hint="Tell us anything we should add.",
        order=2,
    )
    return document


def test_reader_answers_an_open_consultation(page, site, open_consultation):
    page.goto(site + "/sources/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Source documents")
    expect(page.get_by_role("link", name="Shaping kinship support")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Shaping kinship support").click()
    expect(page.get_by_text("This consultation is open until")).to_be_visible()
    assert_accessible(page)

    # Nothing answered: the error summary lists both problems and what was typed stays.
    page.get_by_label("Your name (optional)").fill("Morag")
    page.get_by_role("button", name="Send your response").click()
    summary = page.locator(".ds_error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # the form posts to #error-summary
    expect(summary.get_by_role("link", name="Answer at least one question")).to_be_visible()
    expect(
        summary.get_by_role("link", name="Select which of these best describes you")
    ).to_be_visible()
    expect(page.get_by_label("Your name (optional)")).to_have_value("Morag")
    assert_accessible(page)
    summary.get_by_role("link", name="Select which of these best describes you").click()
    expect(page.get_by_role("radio", name="Kinship carer")).to_be_in_viewport()

    # The design system draws its own radios and checkboxes: people click the labels.
    page.locator("label", has_text="Kinship carer").click()
    expect(page.get_by_role("radio", name="Kinship carer")).to_be_checked()
    page.get_by_label("2. What is missing?").fill("Help with school transport.")
    page.locator("label", has_text="I agree that my answers may be published").click()
    page.get_by_role("button", name="Send your response").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your response")
    expect(page.get_by_role("status")).to_contain_text("has been sent")
    assert_accessible(page)
    stored = ConsultationResponse.objects.get()
    assert stored.name == "Morag" and stored.consent_to_publish
    assert [a.text for a in stored.answers.all()] == ["Help with school transport."]


@pytest.mark.dates
def test_the_seeded_kinship_consultation_shows_that_it_closed(page, site):
    with on(datetime.date(2026, 3, 1)):
        page.goto(site + "/sources/vision-for-kinship-care/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Vision for Kinship Care")
        expect(
            page.get_by_text("This consultation closed on 21 February 2026").first
        ).to_be_visible()
        expect(page.get_by_role("button", name="Send your response")).to_have_count(0)
        expect(page.get_by_role("heading", name="Questions for kinship families")).to_be_visible()
        assert_accessible(page)


def test_a_document_page_and_the_outcome_it_supports_are_accessible(page, site):
    page.goto(site + "/sources/reimagining-secure-care-response/")
    expect(page.get_by_role("heading", name="8.11 Secure Care Transport")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("article", name="8.11 Secure Care Transport").get_by_role(
        "link", name="Where children live: Secure care"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Secure care")
    page.locator("summary", has_text="Scottish government response to").click()
    expect(page.get_by_role("link", name="8.11")).to_be_visible()
    assert_accessible(page)
