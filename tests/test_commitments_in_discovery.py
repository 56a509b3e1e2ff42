"""Commitments of source documents appear on the timeline, in search and in the exports,
marked as commitments, and follow the same filters."""

import csv
import io

import pytest

from tests.factories import OrganisationFactory, build_route_map, build_source_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    council = OrganisationFactory(name="Orkney Islands Council")
    edition = build_route_map(outcomes=1, organisations=[council])
    outcome = edition.outcomes.get()
    document = build_source_document(
        commitments=2, outcomes=[outcome], organisations=[council], links_each=1
    )
    first, second = document.commitments.order_by("order")
    first.title, first.timescale, first.text = "Distinctive kelp commitment", "2025-28", "Kelp."
    first.save()
    second.timescale = "Autumn 2026"
    second.save()
    return {"edition": edition, "document": document, "council": council, "first": first}


def csv_rows(client, query=""):
    response = client.get(f"/timeline/export.csv{query}")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_commitments_are_listed_on_the_timeline_in_their_due_year_and_marked(client, plan):
    page = client.get("/timeline/").content.decode()
    assert "9 actions match (7 milestones, 2 commitments)" in page
    assert ">Commitment</strong>" in page
    # "2025-28" is due in 2028: after that year's milestones, before 2029's.
    kelp = page.index("Distinctive kelp commitment")
    assert page.index('id="year-2028-heading"') < kelp < page.index('id="year-2029-heading"')
    milestones_2028 = [m.text for m in plan["edition"].outcomes.get().milestones.filter(year=2028)]
    assert all(page.index(text[:40]) < kelp for text in milestones_2028)
    autumn = page.index(plan["document"].commitments.get(timescale="Autumn 2026").title)
    assert page.index('id="year-2026-heading"') < autumn < page.index('id="year-2027-heading"')


def test_commitments_without_a_timescale_are_listed_last_and_said_to_have_none(client, plan):
    first = plan["first"]
    first.timescale = ""
    first.save()
    page = client.get("/timeline/").content.decode()
    kelp = page.index("Distinctive kelp commitment")
    assert page.index('id="year-2030-heading"') < page.index('id="no-timescale-heading"') < kelp
    assert "No timescale given" in page
    assert "no timescale given" in page[kelp:]
    assert 'href="/timeline/?page=1#no-timescale">No timescale given</a> (1)' in page
    # A year filter cannot place it, so it leaves it out; the CSV leaves its year empty.
    assert "Distinctive kelp commitment" not in client.get("/timeline/?year=2028").content.decode()
    row = next(r for r in csv_rows(client) if "Distinctive kelp commitment" in r["text"])
    assert row["year"] == ""


def test_commitments_follow_the_timeline_filters(client, plan):
    by_year = client.get("/timeline/?year=2027").content.decode()
    assert "Distinctive kelp commitment" in by_year  # 2025-28 spans 2027
    outside = client.get("/timeline/?year=2029").content.decode()
    assert "Distinctive kelp commitment" not in outside
    other = OrganisationFactory()
    by_other = client.get(f"/timeline/?organisation={other.slug}").content.decode()
    assert "Distinctive kelp commitment" not in by_other
    by_council = client.get(f"/timeline/?organisation={plan['council'].slug}").content.decode()
    assert "Distinctive kelp commitment" in by_council


def test_exports_carry_commitments_with_their_kind(client, plan):
    rows = csv_rows(client)
    kinds = {row["kind"] for row in rows}
    assert kinds == {"milestone", "commitment"}
    commitment = next(r for r in rows if "Distinctive kelp commitment" in r["text"])
    assert commitment["kind"] == "commitment"
    assert commitment["year"] == "2028"
    data = client.get("/timeline/export.json?year=2027")
    records = __import__("json").loads(b"".join(data.streaming_content))
    assert any(r["kind"] == "commitment" for r in records["milestones"])
    assert all(r["kind"] == "milestone" for r in records["milestones"][:1])


def test_search_finds_commitments(client, plan):
    page = client.get("/search/", {"q": "kelp"}).content.decode()
    assert "Distinctive kelp commitment" in page
    assert "Commitment" in page
    assert plan["document"].get_absolute_url() in page


def test_timeline_queries_stay_bounded_with_commitments(
    client, plan, django_assert_max_num_queries
):
    for _ in range(5):
        build_source_document(commitments=5, organisations=[plan["council"]])
    with django_assert_max_num_queries(20):
        assert client.get("/timeline/?page=1").status_code == 200
