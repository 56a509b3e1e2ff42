"""Search over published route maps, outcomes, milestones and progress."""

import pytest
from django.db import connection
from django.urls import reverse

from public.search import highlight, search_published
from tests.factories import (
    DraftEditionFactory,
    EditionFactory,
    MilestoneFactory,
    OutcomeFactory,
    ProgressEntryFactory,
    RouteMapFactory,
    build_route_map,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    edition = EditionFactory(
        route_map=RouteMapFactory(title="Hearings", slug="hearings"),
        summary="Children's hearings are changing.",
    )
    outcome = OutcomeFactory(
        edition=edition,
        slug="advocacy",
        title="Advocacy for every child",
        statement="Every child has an independent advocate at their hearing.",
    )
    milestone = MilestoneFactory(
        outcome=outcome,
        year=2027,
        text="Advocacy services are commissioned nationally.",
        progress_note="Procurement started in the autumn.",
    )
    entry = ProgressEntryFactory(outcome=outcome, text="A review of procurement rules began.")
    draft = DraftEditionFactory(route_map=edition.route_map)
    MilestoneFactory(
        outcome=OutcomeFactory(edition=draft, slug="advocacy"),
        text="Procurement of secret draft services.",
    )
    return {"edition": edition, "outcome": outcome, "milestone": milestone, "entry": entry}


def test_empty_search_shows_the_form_without_an_error(client):
    response = client.get(reverse("search"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="q"' in page
    assert "There is a problem" not in page
    assert client.get(reverse("search"), {"q": "   "}).status_code == 200


def test_search_finds_each_kind_of_published_content_and_links_to_it(client, content):
    page = client.get(reverse("search"), {"q": "procurement"}).content.decode()
    milestone, outcome = content["milestone"], content["outcome"]
    assert f'href="{milestone.get_absolute_url()}"' in page
    assert milestone.get_absolute_url().endswith("#outcome-advocacy-year-2027")
    assert f'href="{outcome.get_absolute_url()}#outcome-advocacy-progress"' in page
    assert "secret draft" not in page.lower()
    page = client.get(reverse("search"), {"q": "advocate"}).content.decode()
    assert f'href="{outcome.get_absolute_url()}"' in page
    page = client.get(reverse("search"), {"q": "hearings"}).content.decode()
    assert 'href="/route-maps/hearings/"' in page


def test_drafts_are_never_found(client, content):
    found = search_published("secret")
    assert found.total == 0
    page = client.get(reverse("search"), {"q": "secret draft"}).content.decode()
    assert "No results for" in page


def test_matches_are_highlighted_and_text_is_escaped(client):
    edition = build_route_map(outcomes=1)
    MilestoneFactory(
        outcome=edition.outcomes.first(),
        text='Kinship <script>alert("x")</script> support <b>grows</b>.',
    )
    page = client.get(reverse("search"), {"q": "kinship"}).content.decode()
    assert "<mark>Kinship</mark>" in page
    assert "<script>alert" not in page
    assert "<b>grows</b>" not in page


def test_highlight_marks_every_term_and_escapes():
    html = highlight("Fish & chips <i>for</i> fish lovers", ["fish"])
    assert html == "<mark>Fish</mark> &amp; chips for <mark>fish</mark> lovers"


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        '"unbalanced',
        "-",
        "or or or",
        "a & b | !c",
        "<script>alert(1)</script>",
        "nul\x00byte",
        "%_\\",
        "çà ñ 🙂",
        "'; DROP TABLE milestones_milestone; --",
    ],
)
def test_odd_or_long_queries_never_fail(client, content, query):
    response = client.get(reverse("search"), {"q": query})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in page


def test_a_too_long_query_says_so(client):
    page = client.get(reverse("search"), {"q": "word " * 100}).content.decode()
    assert "Enter 200 characters or fewer" in page


def test_every_page_has_the_search_box_in_its_header(client, content):
    for url in [
        "/",
        "/timeline/",
        "/organisations/",
        content["edition"].route_map.get_absolute_url(),
    ]:
        page = client.get(url).content.decode()
        assert 'action="/search/"' in page
        assert 'id="site-search"' in page


def test_search_answers_in_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(5):
        build_route_map(outcomes=4)
    # One query per kind of content, plus (on PostgreSQL) the savepoint around them.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("search"), {"q": "the and"})
    assert response.status_code == 200


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="ranking and stemming use PostgreSQL full-text search; SQLite has a simpler fallback",
)
def test_postgresql_ranks_title_matches_first_and_matches_word_forms(content):
    other = OutcomeFactory(
        edition=content["edition"],
        title="Family support",
        statement="Support includes advocacy when families ask for it.",
    )
    found = search_published("advocacy")
    titles = [result.title for result in found.results]
    # In the title (weight A) ranks above only in the statement (weight B).
    assert titles.index("Advocacy for every child") < titles.index(other.title)
    assert [r.rank for r in found.results] == sorted((r.rank for r in found.results), reverse=True)
    # Stemming: "commissioning" finds "commissioned"; websearch syntax excludes words.
    assert any(
        r.url == content["milestone"].get_absolute_url()
        for r in search_published("commissioning").results
    )
    assert not any(
        r.url == content["milestone"].get_absolute_url()
        for r in search_published("advocacy -procurement").results
    )
    assert "<mark>" in str(found.results[0].snippet) or "<mark>" in str(found.results[1].snippet)


def test_simple_search_ranks_title_matches_first(content):
    OutcomeFactory(
        edition=content["edition"],
        title="Family support",
        statement="Support includes advocacy when families ask for it.",
    )
    titles = [result.title for result in search_published("advocacy").results]
    assert titles.index("Advocacy for every child") < titles.index("Family support")


def test_edited_text_is_found_by_its_new_words_only(content):
    milestone, entry = content["milestone"], content["entry"]
    milestone.progress_note = "Tenders were awarded to regional partnerships."
    milestone.save()
    entry.text = "Ministers agreed the guardianship pilot."
    entry.save()
    urls = [r.url for r in search_published("tenders").results]
    assert milestone.get_absolute_url() in urls
    assert any("guardianship" in str(r.snippet) for r in search_published("guardianship").results)
    assert not search_published("autumn").results


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored vectors exist on PostgreSQL only"
)
def test_stored_search_vectors_are_made_from_the_fields_searched(content):
    from django.contrib.postgres.search import SearchVector

    from public.search import STORED_VECTOR, StoredVector, _sources

    checked = 0
    for kind, queryset, fields, _ in _sources():
        if kind not in STORED_VECTOR:
            continue
        computed = SearchVector(fields[0][0], weight=fields[0][1], config="english")
        for name, weight in fields[1:]:
            computed += SearchVector(name, weight=weight, config="english")
        rows = queryset.annotate(stored=StoredVector(), computed=computed)
        for stored, expected in rows.values_list("stored", "computed"):
            assert stored == expected, kind
            checked += 1
    assert checked == 3
