"""Long public pages offer what a reader came for near the top: email updates on a route map
page, the questions on a consultation page (which also says why they start at 2)."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import ConsultationFactory, ConsultationQuestionFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db

KINSHIP_VISION = "/sources/vision-for-kinship-care/"


def test_a_route_map_offers_email_updates_before_its_contents(client, seeded):
    page = client.get(reverse("routemap:detail", args=["where-children-live"])).content.decode()
    link = 'href="/subscriptions/new/?route_map=where-children-live">Get email updates</a>'
    assert link in page
    assert page.index(link) < page.index('class="glance')
    assert page.index(link) < page.index('id="contents"')


def test_a_closed_consultation_links_to_its_questions_near_the_top(client, seeded):
    page = client.get(KINSHIP_VISION).content.decode()
    top = page[: page.index('id="contents"')]
    assert "This consultation closed on 21 February 2026." in page_text(top)
    assert '<a href="#consultation">Read the questions it asked</a>' in top
    assert 'id="consultation"' in page


def test_an_open_consultation_links_to_its_questions_near_the_top(client, seeded, clock):
    clock.move_to(datetime.date(2026, 2, 1))
    page = client.get(KINSHIP_VISION).content.decode()
    top = page[: page.index('id="contents"')]
    assert '<a href="#consultation">Answer the questions</a>' in top


def test_the_consultation_says_why_its_questions_start_at_2(client, seeded):
    page = page_text(client.get(KINSHIP_VISION).content.decode())
    assert (
        "The questions keep the numbers the consultation gives them, so they start at 2: "
        "the consultation text this page is copied from has no question 1."
    ) in page


def test_questions_numbered_from_1_need_no_explanation(client):
    document = ConsultationFactory()
    ConsultationQuestionFactory(document=document, number="1", order=1)
    ConsultationQuestionFactory(document=document, number="2", order=2)
    page = client.get(reverse("sources:detail", args=[document.slug])).content.decode()
    assert "has no question 1" not in page
