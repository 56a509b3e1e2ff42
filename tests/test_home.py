"""The front page answers "what is happening now" before it lists the route maps: this year's
milestones by status, what is overdue, what is due soon and the latest published changes."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from milestones.models import Milestone, Status
from routemap.models import Edition
from tests.factories import (
    CommitmentFactory,
    EditionFactory,
    MilestoneFactory,
    MilestoneOrganisationFactory,
    OrganisationFactory,
    OutcomeFactory,
    RouteMapFactory,
    SourceDocumentFactory,
    build_route_map,
)

pytestmark = pytest.mark.django_db

D = datetime.date
SECTIONS = ["this-year", "overdue", "due-soon", "latest-changes", "route-maps", "progress"]


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, name: str) -> str:
    """The HTML of one section of the front page, up to the next one."""
    start = page.index(f'<h2 id="{name}">')
    following = SECTIONS[SECTIONS.index(name) + 1 :]
    ends = [page.index(f'<h2 id="{n}">') for n in following if f'<h2 id="{n}">' in page]
    return page[start : min(ends) if ends else len(page)]


def text(page: str) -> str:
    """What a reader reads, in one line."""
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split())).replace(" ,", ",")


def test_what_is_happening_now_comes_before_the_route_maps(client, seeded):
    page = home(client)
    positions = [page.index(f'<h2 id="{name}">') for name in SECTIONS]
    assert positions == sorted(positions)


@pytest.mark.dates
def test_on_30_november_2026_the_overdue_section_names_what_the_seed_left_undone(
    client, seeded, clock
):
    clock.move_to(D(2026, 11, 30))
    overdue = section(home(client), "overdue")
    words = text(overdue)
    assert "13 milestones and 4 commitments from source documents are past their due date" in words
    assert "February 9th 2026: The Cross-border Placement of Children" in words
    assert "Regulations 2026 will come into force" in words
    assert "April 2026: Commencement of new secure accommodation contract" in words
    assert "Due 1 September 2026" in words  # the secure transport standards
    assert "In response to the findings of the 2022 Children (Care and Justice) Bill" in words
    # Each with where it sits, who needs to work on it, when it was due and its status.
    assert "Route map Where children live" in words
    assert "Outcome Cross-border placements" in words
    assert "Who needs to work on this Scotland Excel" in words
    assert "No update yet Overdue Due 9 February 2026" in words
    assert 'href="/timeline/?overdue=1">See all 17 overdue on the timeline' in overdue


@pytest.mark.dates
def test_words_repeated_in_several_outcomes_are_listed_once_with_each_outcome(
    client, seeded, clock
):
    clock.move_to(D(2026, 11, 30))
    words = text(section(home(client), "overdue"))
    assert words.count("April 2026: Commencement of new secure accommodation contract") == 1
    assert "Outcomes Secure care, Cross-border placements Who needs to work on this" in words


@pytest.mark.dates
def test_a_commitment_shows_its_status_with_when_and_by_whom(client, clock):
    clock.move_to(D(2026, 11, 30))
    body = OrganisationFactory(name="COSLA")
    document = SourceDocumentFactory(title="Secure care response")
    commitment = CommitmentFactory(document=document, reference="8.2", timescale="2025-26")
    commitment.status = Status.IN_PROGRESS
    commitment.status_updated_on, commitment.status_updated_by = D(2026, 3, 12), body
    commitment.save()
    words = text(section(home(client), "overdue"))
    assert "1 commitment from source documents is past its due date" in words
    assert "In progress, updated 12 March 2026 by COSLA" in words
    assert "Source document Secure care response" in words


@pytest.mark.dates
def test_due_soon_shows_what_falls_due_in_the_next_three_months(client, seeded, clock):
    clock.move_to(D(2026, 1, 15))
    page = home(client)
    due_soon = text(section(page, "due-soon"))
    assert "Due in the next 90 days" in due_soon
    assert "are due by 15 April 2026" in due_soon
    assert "February 9th 2026: The Cross-border Placement of Children" in due_soon
    assert "Due soon Due 9 February 2026" in due_soon
    assert "February 9th 2026" not in text(section(page, "overdue"))
    assert 'href="/timeline/?due_soon=1">See all' in section(page, "due-soon")


@pytest.mark.dates
def test_nothing_overdue_or_due_soon_is_said_in_words(client, clock):
    clock.move_to(D(2026, 11, 30))
    MilestoneFactory(year=2028)
    page = home(client)
    assert "Nothing published is past its due date." in section(page, "overdue")
    assert "Nothing published is due in the next 90 days." in section(page, "due-soon")


@pytest.mark.dates
def test_this_years_milestones_are_counted_by_status_with_links_to_the_timeline(client, clock):
    clock.move_to(D(2026, 11, 30))
    outcome = OutcomeFactory()
    for status in [Status.ACHIEVED, Status.ACHIEVED, Status.DELAYED, Status.NO_UPDATE]:
        MilestoneFactory(outcome=outcome, year=2026, status=status)
    MilestoneFactory(outcome=outcome, year=2027, status=Status.ACHIEVED)
    this_year = section(home(client), "this-year")
    assert "4 published milestones are due in 2026." in text(this_year)
    assert 'href="/timeline/?status=achieved&amp;year=2026">2<' in this_year
    assert 'href="/timeline/?status=delayed&amp;year=2026">1<' in this_year
    assert 'href="/timeline/?status=no_update&amp;year=2026">1<' in this_year
    assert "0 milestones: In progress" in text(this_year)
    assert 'href="/timeline/?year=2026">See every milestone for 2026' in this_year


@pytest.mark.dates
def test_the_year_follows_the_clock(client, clock):
    MilestoneFactory(year=2027)
    clock.move_to(D(2027, 1, 4))
    assert "1 published milestone is due in 2027." in text(section(home(client), "this-year"))


def test_latest_changes_show_each_version_with_its_note_newest_first(client):
    first = EditionFactory(
        state=Edition.State.SUPERSEDED,
        number=1,
        published_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 10)),
        change_note="First publication.",
    )
    EditionFactory(
        route_map=first.route_map,
        number=2,
        published_at=timezone.make_aware(datetime.datetime(2026, 6, 9, 10)),
        change_note="Added the Scottish Government's response to the consultation.",
    )
    EditionFactory(published_at=None, state=Edition.State.DRAFT, number=None)  # never shown
    changes = section(home(client), "latest-changes")
    words = text(changes)
    assert words.index("version 2") < words.index("version 1")
    assert "What changed: Added the Scottish Government's response to the consultation." in words
    assert "Published 9 June 2026" in words
    url = f"/route-maps/{first.route_map.slug}/changes/"
    assert f'href="{url}#version-2"' in changes and f'href="{url}#version-1"' in changes


def test_imported_versions_are_dated_by_their_source(client, seeded):
    words = text(section(home(client), "latest-changes"))
    assert "Where children live: version 1" in words
    assert "What changed: Imported from the published route map." in words
    assert "Source as published on plan2430.scot, last updated" in words


def test_route_maps_with_no_content_yet_are_named_without_a_link(client, seeded):
    page = home(client)
    route_maps = section(page, "route-maps")
    assert 'href="/route-maps/where-children-live/"' in route_maps
    assert "Rights and Restraint" in text(route_maps)
    assert 'href="/route-maps/rights-and-restraint/"' not in route_maps
    assert re.search(r"Rights and Restraint[^<]*<[^>]*>\(no content published yet\)", route_maps)


def test_the_front_page_is_the_same_for_everyone(client, seeded, django_user_model):
    anonymous = home(client)
    client.force_login(django_user_model.objects.create_user("editor", password="x"))
    signed_in = home(client)
    for name in ["this-year", "overdue", "due-soon", "latest-changes", "route-maps"]:
        assert section(anonymous, name) == section(signed_in, name)


@pytest.fixture(params=[1, 8], ids=["1x", "8x"])
def busy_plan(request, clock):
    """Route maps with overdue and due-soon milestones and commitments, a superseded version
    each, and route maps with nothing published."""
    clock.move_to(D(2026, 11, 30))
    organisations = [OrganisationFactory(), OrganisationFactory()]
    for _ in range(request.param):
        edition = build_route_map(outcomes=2, organisations=organisations)
        EditionFactory(route_map=edition.route_map, number=2, state=Edition.State.SUPERSEDED)
        for milestone in Milestone.objects.filter(outcome__edition=edition, year=2026):
            MilestoneOrganisationFactory(milestone=milestone, organisation=organisations[1])
        RouteMapFactory(foundation=edition.route_map.foundation)
        document = SourceDocumentFactory()
        for timescale in ["2025-26", "Winter 2026", "2029-30"]:
            CommitmentFactory(document=document, timescale=timescale)
    return request.param


@pytest.mark.dates
def test_the_front_page_runs_a_bounded_number_of_queries(
    client, busy_plan, django_assert_max_num_queries
):
    with django_assert_max_num_queries(13):
        page = home(client)
    assert f"{busy_plan * 4} milestones and {busy_plan} commitment" in text(
        section(page, "overdue")
    )
