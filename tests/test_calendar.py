"""Organisation calendars (iCalendar): an event per milestone on its due date."""

import datetime

import icalendar
import pytest

from milestones.models import Status
from publishing.services import edition_publish
from tests.factories import (
    DraftEditionFactory,
    MilestoneFactory,
    OrganisationFactory,
    OutcomeFactory,
    build_route_map,
    draft_copy,
)

pytestmark = pytest.mark.django_db


def calendar_for(client, organisation) -> icalendar.Calendar:
    response = client.get(f"/organisations/{organisation.slug}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> list:
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def live(lead):
    edition = build_route_map(
        outcomes=1, milestones_per_year=0, organisations=[lead], title="Where children live"
    )
    outcome = edition.outcomes.get()
    outcome.title = "Secure care"
    outcome.save()
    return edition


def test_calendar_has_an_all_day_event_per_published_milestone(client, lead, live):
    outcome = live.outcomes.get()
    dated = MilestoneFactory(
        outcome=outcome, year=2026, text="April 2026: Commencement of a contract"
    )
    undated = MilestoneFactory(
        outcome=outcome,
        year=2027,
        status=Status.IN_PROGRESS,
        text="**Resilience** of existing secure care provision must be enhanced across Scotland.",
    )

    found = {str(e["UID"]): e for e in events(calendar_for(client, lead))}

    assert set(found) == {
        f"milestone-{dated.key}@route-map-tracker",
        f"milestone-{undated.key}@route-map-tracker",
    }
    first = found[f"milestone-{dated.key}@route-map-tracker"]
    assert first.decoded("DTSTART") == datetime.date(2026, 4, 30)
    assert first.decoded("DTEND") == datetime.date(2026, 5, 1)
    second = found[f"milestone-{undated.key}@route-map-tracker"]
    assert second.decoded("DTSTART") == datetime.date(2027, 12, 31)
    assert str(second["SUMMARY"]) == (
        "Where children live – Secure care: Resilience of existing secure care provision "
        "must be enhanced across Scotland."
    )
    description = str(second["DESCRIPTION"])
    assert description.startswith("Resilience of existing secure care provision")
    assert "**" not in description
    assert "Status: In progress" in description
    assert "Due by end of 2027." in description
    assert "Due April 2026." in str(first["DESCRIPTION"])
    url = f"http://testserver{undated.get_absolute_url()}"
    assert url in description
    assert str(second["URL"]) == url
    assert second.decoded("DTSTAMP") == live.published_at.replace(microsecond=0)


def test_long_milestones_are_shortened_in_the_summary(client, lead, live):
    MilestoneFactory(outcome=live.outcomes.get(), year=2028, text=" ".join(["word"] * 40))
    (event,) = events(calendar_for(client, lead))
    assert str(event["SUMMARY"]).endswith(": " + " ".join(["word"] * 12) + "…")


def test_calendar_has_only_the_organisations_milestones(client, lead, live):
    outcome = live.outcomes.get()
    theirs = MilestoneFactory(outcome=outcome, year=2027)
    MilestoneFactory(
        outcome=outcome, year=2027, text="Not theirs", organisations=[OrganisationFactory()]
    )
    OutcomeFactory(edition=live, organisations=[OrganisationFactory()])

    uids = [str(e["UID"]) for e in events(calendar_for(client, lead))]

    assert uids == [f"milestone-{theirs.key}@route-map-tracker"]


def test_drafts_never_appear_in_calendars(client, lead, live):
    draft = DraftEditionFactory(route_map=live.route_map)
    outcome = OutcomeFactory(edition=draft, organisations=[lead])
    MilestoneFactory(outcome=outcome, text="Draft milestone")

    response = client.get(f"/organisations/{lead.slug}/calendar.ics")

    assert b"Draft milestone" not in response.content
    assert events(icalendar.Calendar.from_ical(response.content)) == []


def test_event_uids_stay_the_same_when_a_route_map_is_published_again(client, lead, live):
    MilestoneFactory(outcome=live.outcomes.get(), year=2029)
    before = [str(e["UID"]) for e in events(calendar_for(client, lead))]

    edition_publish(edition=draft_copy(live, milestone_status=Status.ACHIEVED), note="Done")
    after = events(calendar_for(client, lead))

    assert [str(e["UID"]) for e in after] == before
    assert "Status: Achieved" in str(after[0]["DESCRIPTION"])


def test_unknown_organisation_calendar_is_404(client):
    assert client.get("/organisations/nobody/calendar.ics").status_code == 404


def test_organisation_page_links_to_its_calendar(client, lead):
    html = client.get(lead.get_absolute_url()).content.decode()
    assert f'href="/organisations/{lead.slug}/calendar.ics"' in html
    assert "Subscribe in your calendar (iCal)" in html


@pytest.fixture(params=[1, 10], ids=["1x", "10x"])
def plan(request):
    organisations = [OrganisationFactory(), OrganisationFactory()]
    for _ in range(request.param):
        build_route_map(outcomes=2 * request.param, organisations=organisations)
    return organisations, request.param


def test_calendar_uses_a_bounded_number_of_queries(client, plan, django_assert_max_num_queries):
    organisations, size = plan
    with django_assert_max_num_queries(8):
        response = client.get(f"/organisations/{organisations[0].slug}/calendar.ics")
    assert len(events(icalendar.Calendar.from_ical(response.content))) == size * 2 * size * 7
