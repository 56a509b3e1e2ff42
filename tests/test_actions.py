"""One definition of an organisation's actions (sources.actions): its milestones, own or
inherited from their outcome, and the commitments naming it. Every place that counts or lists
them gives the same number; progress entries are never among them."""

import csv
import io
import re

import icalendar
import pytest

from sources.actions import action_counts, organisation_actions
from sources.models import CommitmentOrganisation
from tests.factories import (
    CommitmentFactory,
    MilestoneFactory,
    MilestoneOrganisationFactory,
    OrganisationFactory,
    OutcomeFactory,
    OutcomeOrganisationFactory,
    ProgressEntryFactory,
    SourceDocumentFactory,
    partner_for,
)
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def count_on_list(client, slug: str) -> int:
    page = client.get("/organisations/").content.decode()
    row = page[page.index(f'href="/organisations/{slug}/"') :].split("</tr>")[0]
    return int(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0])


def count_in_summary(page: str) -> int:
    return int(re.search(r'class="timeline-summary">(\d+) actions? match', page)[1])


def count_in_csv(client, slug: str) -> int:
    response = client.get("/timeline/export.csv", {"organisation": slug})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return len(list(csv.DictReader(io.StringIO(text))))


# The seed content: each body's number of actions is the same wherever it is given.


@pytest.mark.parametrize(
    ("slug", "expected"),
    [("care-inspectorate", 11), ("cosla", 19), ("scottish-government", 115)],
)
def test_each_place_gives_an_organisations_seed_actions_the_same_number(
    client, seeded, slug, expected
):
    page = client.get(f"/organisations/{slug}/").content.decode()
    timeline = client.get("/timeline/", {"organisation": slug}).content.decode()
    api = client.get(f"/api/organisations/{slug}/").json()
    listed = next(
        o for o in client.get("/api/organisations/").json()["organisations"] if o["slug"] == slug
    )
    assert count_on_list(client, slug) == expected
    assert count_in_summary(page) == expected
    assert count_in_summary(timeline) == expected
    assert api["action_count"] == len(api["milestones"]) + len(api["commitments"]) == expected
    assert listed["action_count"] == expected
    assert count_in_csv(client, slug) == expected


def test_every_seed_organisation_has_as_many_actions_counted_as_listed(seeded):
    from organisations.models import Organisation

    counts = action_counts()
    for organisation in Organisation.objects.all():
        actions = organisation_actions(organisation)
        count = counts.get(organisation.pk)
        assert (count.total if count else 0) == actions.count(), organisation.slug
        if count:
            assert count.milestones == actions.milestones.count()
            assert count.commitments == actions.commitments.count()
            assert count.overdue == (
                actions.milestones.overdue().count() + actions.commitments.overdue().count()
            )


def test_care_inspectorates_progress_entries_are_not_counted_as_its_actions(client, seeded):
    timeline = client.get("/timeline/", {"organisation": "care-inspectorate"}).content.decode()
    assert "11 actions match (11 milestones, 0 commitments)" in timeline
    progress = client.get(
        "/timeline/", {"organisation": "care-inspectorate", "show": "progress"}
    ).content.decode()
    assert "20 progress entries match" in progress
    assert "These are not actions" in progress


# Factories: the definition, piece by piece.


@pytest.fixture
def body():
    return OrganisationFactory(name="Care Inspectorate", slug="care-inspectorate")


@pytest.fixture
def actions(body):
    """One milestone naming the body, one inheriting it, one naming another body in an outcome
    that names it (not its action), one commitment naming it with another body, and one
    progress entry of its outcome."""
    other = OrganisationFactory(name="Kibble", slug="kibble")
    outcome = OutcomeFactory(title="Secure care")
    OutcomeOrganisationFactory(outcome=outcome, organisation=body)
    ProgressEntryFactory(outcome=outcome, text="Inspections began in 2022.")
    own = MilestoneFactory(outcome=outcome, year=2027, text="Inspect every unit")
    MilestoneOrganisationFactory(milestone=own, organisation=body)
    inherited = MilestoneFactory(outcome=outcome, year=2028, text="Report on the inspections")
    elsewhere = MilestoneFactory(outcome=outcome, year=2029, text="Kibble alone does this")
    MilestoneOrganisationFactory(milestone=elsewhere, organisation=other)
    commitment = CommitmentFactory(
        document=SourceDocumentFactory(title="Secure care response"),
        title="Publish the standards",
        timescale="by April 2026",
    )
    for order, organisation in enumerate([body, other]):
        CommitmentOrganisation.objects.create(
            commitment=commitment, organisation=organisation, order=order
        )
    return {"own": own, "inherited": inherited, "elsewhere": elsewhere, "commitment": commitment}


def test_an_organisations_actions_are_its_milestones_and_the_commitments_naming_it(body, actions):
    found = organisation_actions(body)
    assert set(found.milestones) == {actions["own"], actions["inherited"]}
    assert list(found.commitments) == [actions["commitment"]]
    assert found.count() == 3


def test_organisation_page_lists_commitments_naming_it_with_the_other_bodies(client, body, actions):
    page = client.get(body.get_absolute_url()).content.decode()
    assert "3 actions match (2 milestones, 1 commitment)" in page
    assert '<h2 id="commitments-heading">Commitments in source documents</h2>' in page
    start = page.index(f'id="commitment-{actions["commitment"].pk}"')
    block = page_text(page[start : page.index("</li>", start)])
    assert "Publish the standards" in block
    assert "With: Kibble" in block
    assert "Kibble alone does this" not in page


def test_organisation_list_names_bodies_whose_only_actions_are_commitments(client):
    adviser = OrganisationFactory(name="Kinship Care Advice Service", slug="kinship-advice")
    commitment = CommitmentFactory(timescale="")
    CommitmentOrganisation.objects.create(commitment=commitment, organisation=adviser)
    assert count_on_list(client, "kinship-advice") == 1
    page = client.get(adviser.get_absolute_url()).content.decode()
    assert "1 action matches (0 milestones, 1 commitment)" in page


@pytest.mark.dates
def test_overdue_counts_include_commitments_past_their_timescale(client, clock, body, actions):
    import datetime

    clock.move_to(datetime.date(2027, 1, 4))  # "by April 2026" has passed; 2027 has not
    page = client.get("/organisations/").content.decode()
    row = page[page.index('href="/organisations/care-inspectorate/"') :].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0] == "3"
    assert 'href="/organisations/care-inspectorate/?overdue=1">1' in row
    overdue = client.get(body.get_absolute_url(), {"overdue": "1"}).content.decode()
    assert "1 action matches (0 milestones, 1 commitment)" in overdue


@pytest.mark.dates
def test_a_commitment_is_overdue_from_its_due_date_not_the_end_of_its_year(
    client, clock, body, actions
):
    import datetime

    clock.move_to(datetime.date(2026, 5, 4))  # "by April 2026" is due 30 April 2026
    assert list(organisation_actions(body).commitments.overdue()) == [actions["commitment"]]
    assert action_counts()[body.pk].overdue == 1
    page = client.get("/timeline/", {"overdue": "1"}).content.decode()
    assert "1 action matches (0 milestones, 1 commitment)" in page


@pytest.mark.dates
def test_a_commitment_due_soon_is_counted_filtered_and_exported_like_a_milestone(
    client, clock, body, actions
):
    import datetime

    clock.move_to(datetime.date(2026, 2, 16))  # 30 April 2026 is within 90 days
    row = client.get("/organisations/").content.decode()
    row = row[row.index('href="/organisations/care-inspectorate/"') :].split("</tr>")[0]
    assert 'href="/organisations/care-inspectorate/?due_soon=1">1<' in row
    listed = client.get("/api/organisations/").json()["organisations"]
    assert next(o for o in listed if o["slug"] == "care-inspectorate")["due_soon_count"] == 1
    timeline = client.get("/timeline/", {"due_soon": "1"}).content.decode()
    assert "1 action matches (0 milestones, 1 commitment)" in timeline
    assert "Due soon" in page_text(timeline)
    response = client.get("/timeline/export.csv", {"due_soon": "1"})
    [record] = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    assert (record["kind"], record["due_date"], record["due_soon"]) == (
        "commitment",
        "2026-04-30",
        "true",
    )
    client.force_login(partner_for(body))
    partner = page_text(client.get("/my-organisation/").content.decode())
    assert "3 actions: 2 milestones, 1 commitment; 1 due soon" in partner


def test_commitments_in_a_year_are_listed_by_due_date(client):
    document = SourceDocumentFactory(title="A response")
    december = CommitmentFactory(document=document, order=1, title="Report", timescale="2026")
    april = CommitmentFactory(document=document, order=2, title="Consult", timescale="April 2026")
    page = client.get("/timeline/").content.decode()
    assert page.index(f'id="commitment-{april.pk}"') < page.index(f'id="commitment-{december.pk}"')
    assert december.due_date > april.due_date


def test_api_gives_the_actions_and_their_number(client, body, actions):
    data = client.get("/api/organisations/care-inspectorate/").json()
    assert data["action_count"] == 3
    assert {m["id"] for m in data["milestones"]} == {
        str(actions["own"].key),
        str(actions["inherited"].key),
    }
    [commitment] = data["commitments"]
    assert commitment["title"] == "Publish the standards"
    assert commitment["year_to"] == 2026
    assert commitment["id"] == f"{actions['commitment'].document.slug}/{commitment['reference']}"
    assert commitment["url"].endswith(actions["commitment"].get_absolute_url())


def test_calendar_has_each_action_with_a_date_and_leaves_out_undated_commitments(
    client, body, actions
):
    undated = CommitmentFactory(title="Review the approach", timescale="")
    CommitmentOrganisation.objects.create(commitment=undated, organisation=body)
    calendar = icalendar.Calendar.from_ical(
        client.get("/organisations/care-inspectorate/calendar.ics").content
    )
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 3  # two milestones and the dated commitment; not the undated one
    [commitment] = [e for e in events if str(e["uid"]).startswith("commitment-")]
    assert commitment.decoded("dtstart").isoformat() == "2026-04-30"  # "by April 2026"
    assert "Publish the standards" in str(commitment["summary"])
    description = str(commitment["description"])
    assert "Timescale: by April 2026 (as printed in the document)" in description
    assert "Who needs to work on this: Care Inspectorate, Kibble" in description
    assert "no date and are not in this calendar" in str(calendar["x-wr-caldesc"])


def test_partner_page_lists_and_counts_the_same_actions(client, body, actions):
    client.force_login(partner_for(body))
    page = client.get("/my-organisation/").content.decode()
    assert "3 actions: 2 milestones, 1 commitment" in page_text(page)
    assert f'id="commitment-{actions["commitment"].pk}"' in page
    assert f'id="milestone-{actions["inherited"].key}"' in page
    assert f'id="milestone-{actions["elsewhere"].key}"' not in page


def test_timeline_filter_by_organisation_gives_the_same_actions(client, body, actions):
    page = client.get("/timeline/", {"organisation": "care-inspectorate"}).content.decode()
    assert "3 actions match (2 milestones, 1 commitment)" in page
    assert "Kibble alone does this" not in page
    assert "Inspections began in 2022." not in page


# One name for the bodies that must act, wherever they are listed.


def test_bodies_that_must_act_are_always_headed_who_needs_to_work_on_this(client, seeded):
    pages = {
        "route map": "/route-maps/where-children-live/",
        "outcome": "/route-maps/where-children-live/outcomes/secure-care/",
        "source document": "/sources/reimagining-secure-care-response/",
        "timeline": "/timeline/?organisation=scottish-government&page=3",
    }
    for name, url in pages.items():
        page = client.get(url).content.decode()
        assert "Who needs to work on this:" in page, name
        assert "Who is responsible" not in page, name
        assert "Responsible:" not in page, name


# Queries stay bounded with both kinds of action, whatever their number.


@pytest.fixture(params=[1, 10], ids=["1x", "10x"])
def many_actions(request):
    from tests.factories import build_route_map, build_source_document

    bodies = [OrganisationFactory(slug="first-body"), OrganisationFactory()]
    for _ in range(request.param):
        edition = build_route_map(outcomes=2, milestones_per_year=2, organisations=bodies)
        document = build_source_document(
            commitments=6,
            outcomes=edition.outcomes.all(),
            milestones=edition.outcomes.first().milestones.all(),
            organisations=bodies,
        )
        for index, commitment in enumerate(document.commitments.all()):
            commitment.timescale = ["2025-26", "", "Autumn 2027"][index % 3]
            commitment.save()
    return bodies


@pytest.mark.parametrize(
    "url",
    [
        "/timeline/",
        "/timeline/?page=2",
        "/timeline/?organisation=first-body",
        "/timeline/?organisation=first-body&page=3",
        "/timeline/?show=progress",
        "/organisations/",
        "/organisations/first-body/",
        "/organisations/first-body/?page=2",
        "/api/organisations/",
        "/api/organisations/first-body/",
    ],
)
def test_action_pages_use_a_bounded_number_of_queries(
    client, many_actions, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200


def test_partner_page_and_calendar_use_a_bounded_number_of_queries(
    client, many_actions, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        assert client.get("/organisations/first-body/calendar.ics").status_code == 200
    client.force_login(partner_for(many_actions[0]))
    # Sign-in and role checks, the filter form's lists, then a fixed number per kind of action.
    with django_assert_max_num_queries(21):
        assert client.get("/my-organisation/").status_code == 200
