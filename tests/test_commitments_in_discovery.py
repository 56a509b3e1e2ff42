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


def test_commitments_are_listed_on_the_timeline_and_marked(client, plan):
    page = client.get("/timeline/").content.decode()
    assert "Commitments in source documents" in page
    assert "Distinctive kelp commitment" in page
    assert ">Commitment</strong>" in page


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
