"""The changes page: each version dated honestly, two versions to compare preselected, and
every change line linked to where a reader sees what changed."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from milestones.models import Milestone, Status
from publishing.services import edition_publish
from routemap.models import Edition
from tests.factories import ProgressEntryFactory, build_route_map, draft_copy

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def changes_url(route_map) -> str:
    return f"/route-maps/{route_map.slug}/changes/"


def selected(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.DOTALL).group()
    return re.findall(r'<option value="(\d+)"[^>]*selected', select)


def links(page: str) -> dict[str, str]:
    """Change line text -> the address it links to (details under a line are skipped)."""
    items = re.findall(
        r'<li><strong>[^<]*</strong>: <a href="([^"]+)">([^<]+)</a>'
        r'(?:<div class="change-list__[a-z]+">.*?</div>)*</li>',
        page,
        re.DOTALL,
    )
    return {text: href for href, text in items}


def test_the_seeded_version_is_dated_by_its_source_not_the_day_it_was_loaded(seeded, client):
    page = client.get("/route-maps/where-children-live/changes/").content.decode()
    heading = re.search(r'<h2 id="version-1">(.*?)</h2>', page).group(1)
    assert re.sub(r"<[^>]+>", "", heading) == (
        "Version 1: as published on plan2430.scot, last updated December 2025"
    )
    assert '<time datetime="2025-12">December 2025</time>' in heading
    assert "published 30 November 2026" not in page
    assert "Added to this tracker on" in page  # the day of loading, said as what it is


def test_with_one_version_there_is_no_compare_form(seeded, client):
    page = client.get("/route-maps/where-children-live/changes/").content.decode()
    assert "There is one published version, so there is nothing to compare yet." in page
    assert "Compare two versions" not in page
    assert "<select" not in page


def test_the_feed_and_the_api_date_the_seeded_version_as_the_page_does(seeded, client):
    feed = ET.fromstring(client.get("/route-maps/where-children-live/updates.atom").content)
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == (
        "Where children live: version 1, as published on plan2430.scot, last updated December 2025"
    )
    assert entry.find(f"{ATOM}published") is None  # no day is claimed
    api = client.get("/api/route-maps/where-children-live/").json()
    assert api["version"] == 1
    assert api["imported_from"] == "plan2430.scot"
    assert api["published_at"] is None
    assert api["last_updated"] == "2025-12-01"


@pytest.fixture
def two_versions():
    """Version 1 (built here) and version 2, which moves, rewords and closes milestones, adds
    progress and rewrites the summary."""
    first = build_route_map(outcomes=2)
    draft = draft_copy(first)
    moved = Milestone.objects.filter(outcome__edition=draft, year=2027).order_by("pk").first()
    moved.year = 2029
    moved.save()
    achieved = Milestone.objects.filter(outcome__edition=draft, year=2025).order_by("pk").first()
    achieved.status = Status.ACHIEVED
    achieved.save()
    removed = Milestone.objects.filter(outcome__edition=draft, year=2030).order_by("pk").first()
    removed_outcome = removed.outcome
    removed.delete()
    outcome = draft.outcomes.order_by("order").first()
    ProgressEntryFactory(outcome=outcome, date_label="May 2026", text="Guidance published.")
    draft.summary = "A new summary."
    draft.save()
    second = edition_publish(edition=draft, note="Brought up to date.")
    return first, second, moved, achieved, removed_outcome


def test_compare_preselects_the_previous_and_the_latest_version(client, two_versions):
    first, second, *_ = two_versions
    third = edition_publish(edition=draft_copy(second), note="Nothing new.")
    page = client.get(changes_url(first.route_map)).content.decode()
    assert "3 published versions." in page
    assert selected(page, "from_version") == ["2"]
    assert selected(page, "to_version") == ["3"]
    assert third.number == 3


def test_version_headings_say_when_each_was_published(client, two_versions):
    first, second, *_ = two_versions
    page = client.get(changes_url(first.route_map)).content.decode()
    day = timezone.localtime(second.published_at)
    assert (
        f'Version 2, published <time datetime="{day.replace(microsecond=0).isoformat()}">'
        f"{day.day} {day:%B %Y}</time>" in page
    )
    assert "as published on" not in page  # versions published here name no other site


def test_change_lines_link_to_what_changed(client, two_versions):
    first, second, moved, achieved, removed_outcome = two_versions
    route_map = first.route_map
    page = client.get(changes_url(route_map)).content.decode()
    found = links(page)

    def outcome_page(outcome_key) -> str:
        outcome = second.outcomes.get(key=outcome_key)
        return outcome.get_absolute_url(), outcome.anchor

    url, anchor = outcome_page(moved.outcome.key)
    moved_line = next(text for text in found if text.startswith("Milestone moved from 2027"))
    assert found[moved_line] == f"{url}#{anchor}-year-2029"
    url, anchor = outcome_page(achieved.outcome.key)
    status_line = next(text for text in found if text.startswith("Status changed from"))
    assert found[status_line] == f"{url}#{anchor}-year-2025"
    url, anchor = outcome_page(removed_outcome.key)
    removed_line = next(text for text in found if text.startswith("Milestone removed from"))
    assert found[removed_line] == f"{url}#{anchor}-year-2030"  # where it was
    progress_line = next(text for text in found if text.startswith("Progress added"))
    assert found[progress_line].endswith("-progress")
    summary = re.search(r'<a href="([^"]+)">“Where is Scotland now\?” was updated.</a>', page)
    assert summary.group(1) == f"{route_map.get_absolute_url()}#where-now"
    # Each address answers, and names the place it points to.
    for href in [*found.values(), summary.group(1)]:
        path, _, fragment = href.partition("#")
        target = client.get(path)
        assert target.status_code == 200
        assert f'id="{fragment}"' in target.content.decode()


def test_a_comparison_links_to_where_things_are_now(client, two_versions):
    first, second, moved, *_ = two_versions
    back = draft_copy(second)
    again = Milestone.objects.get(outcome__edition=back, key=moved.key)
    again.year = 2028
    again.save()
    edition_publish(edition=back, note="Moved again.")
    page = client.get(changes_url(first.route_map), {"from_version": 1, "to_version": 2})
    found = links(page.content.decode())
    moved_line = next(text for text in found if text.startswith("Milestone moved from 2027"))
    assert found[moved_line].endswith("-year-2028")  # the live version has it in 2028


def test_the_changes_page_uses_a_bounded_number_of_queries(
    client, two_versions, django_assert_max_num_queries
):
    first, second, *_ = two_versions
    for _ in range(3):
        second = edition_publish(edition=draft_copy(second), note="Again.")
    assert Edition.objects.filter(route_map=first.route_map).count() == 5
    with django_assert_max_num_queries(8):
        assert client.get(changes_url(first.route_map)).status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(changes_url(first.route_map), {"from_version": 1, "to_version": 3})
        assert response.status_code == 200
