"""Organisation pages tell a reader who else works on a milestone, offer only filters that
can change something, and the list names only bodies with published actions."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import (
    DraftEditionFactory,
    MilestoneFactory,
    OrganisationFactory,
    OutcomeFactory,
)
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def _milestone_block(page: str) -> str:
    return page[page.index('<li class="milestone"') :].split("</li>")[0]


def test_a_body_working_alone_is_not_shown_with_an_empty_with(client):
    body = OrganisationFactory(name="Care Inspectorate", slug="care-inspectorate")
    MilestoneFactory(organisations=[body])
    block = _milestone_block(client.get(body.get_absolute_url()).content.decode())
    assert "With:" not in block
    assert "·" not in block
    assert "See it in its outcome" in page_text(block)


def test_other_bodies_are_listed_after_with_separated_by_commas(client):
    first = OrganisationFactory(name="Alpha Council")
    body = OrganisationFactory(name="Beta Board")
    last = OrganisationFactory(name="Gamma Trust")
    MilestoneFactory(organisations=[first, body, last])
    block = page_text(_milestone_block(client.get(body.get_absolute_url()).content.decode()))
    assert "With: Alpha Council , Gamma Trust " in block
    assert "Beta Board" not in block.split("See it in its outcome")[0]


def test_with_has_no_stray_comma_when_the_page_body_comes_last(client):
    other = OrganisationFactory(name="Alpha Council")
    body = OrganisationFactory(name="Zeta Board")
    MilestoneFactory(organisations=[other, body])
    block = page_text(_milestone_block(client.get(body.get_absolute_url()).content.decode()))
    assert "With: Alpha Council See it in its outcome" in block


def test_bodies_inherited_from_the_outcome_are_listed_the_same_way(client):
    body = OrganisationFactory(name="Beta Board")
    other = OrganisationFactory(name="Alpha Council")
    outcome = OutcomeFactory(organisations=[other, body])
    MilestoneFactory(outcome=outcome)
    block = page_text(_milestone_block(client.get(body.get_absolute_url()).content.decode()))
    assert "With: Alpha Council See it in its outcome" in block


def test_organisation_page_offers_no_sector_filter(client):
    body = OrganisationFactory()
    MilestoneFactory(organisations=[body])
    page = client.get(body.get_absolute_url()).content.decode()
    assert 'name="sector"' not in page
    assert 'name="year"' in page


def test_timeline_keeps_its_sector_filter(client):
    assert 'name="sector"' in client.get(reverse("timeline")).content.decode()


def test_a_sector_parameter_on_an_organisation_page_changes_nothing(client):
    body = OrganisationFactory()
    MilestoneFactory(text="Inspect every secure unit", organisations=[body])
    response = client.get(body.get_absolute_url(), {"sector": "health"})
    assert response.status_code == 200
    assert "Inspect every secure unit" in response.content.decode()


def test_organisation_list_leaves_out_bodies_with_no_published_actions(client):
    busy = OrganisationFactory(name="Busy Council", slug="busy-council")
    idle = OrganisationFactory(name="Idle Trust", slug="idle-trust")
    drafted = OrganisationFactory(name="Drafted Board", slug="drafted-board")
    MilestoneFactory(organisations=[busy])
    MilestoneFactory(outcome=OutcomeFactory(edition=DraftEditionFactory()), organisations=[drafted])
    inheriting = OrganisationFactory(name="Inheriting Agency", slug="inheriting-agency")
    outcome = OutcomeFactory(organisations=[inheriting])
    MilestoneFactory(outcome=outcome)

    page = client.get(reverse("organisations:list")).content.decode()
    assert 'href="/organisations/busy-council/"' in page
    assert 'href="/organisations/inheriting-agency/"' in page
    assert "Idle Trust" not in page
    assert "Drafted Board" not in page
    assert idle.get_absolute_url() not in page


def test_a_body_with_nothing_published_still_has_a_page_that_says_so(client):
    idle = OrganisationFactory()
    response = client.get(idle.get_absolute_url())
    assert response.status_code == 200
    page = page_text(response.content.decode())
    assert f"No published milestone or commitment names {idle.name} yet" in page
    assert "Nothing matched" not in page
    assert "0 actions match" not in page


def test_a_body_with_nothing_published_says_so_plainly_whatever_the_filters(client):
    idle = OrganisationFactory()
    page = page_text(client.get(idle.get_absolute_url(), {"overdue": "1"}).content.decode())
    assert f"No published milestone or commitment names {idle.name} yet" in page
    assert "Nothing matched" not in page


def test_filters_that_match_nothing_say_so_on_an_organisation_page(client):
    body = OrganisationFactory()
    MilestoneFactory(year=2027, organisations=[body])
    page = client.get(body.get_absolute_url(), {"year": "2030"}).content.decode()
    assert "0 actions match" in page
    assert "Nothing matched these filters" in page


def test_nothing_matched_links_to_the_page_without_each_filter(client, clock):
    clock.move_to(datetime.date(2026, 6, 1))
    body = OrganisationFactory(slug="care-inspectorate")
    MilestoneFactory(year=2027, organisations=[body])
    url = body.get_absolute_url()
    page = client.get(url, {"year": "2030", "overdue": "1"}).content.decode()
    nothing = page[page.index("Nothing matched these filters") :]
    assert f'<a href="{url}?overdue=1">Remove “Year: 2030”</a>' in nothing
    assert f'<a href="{url}?year=2030">Remove “Only overdue”</a>' in nothing
    assert f'<a href="{url}">clear all filters</a>' in nothing
    assert "No published milestone or commitment names" not in page
