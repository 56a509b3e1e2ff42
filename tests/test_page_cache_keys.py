"""What splits a public page's cache entry and what must not: htmx partials versus whole
pages, the query parameters a page reads, and the day."""

import datetime
import zoneinfo

import pytest
import time_machine

from core.pagecache import bump_published_version
from milestones.models import Milestone
from tests.factories import build_route_map
from tests.helpers import milestone_item

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
HTMX = {"HX-Request": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


@pytest.fixture
def plan():
    return build_route_map(outcomes=2)


def is_whole_page(response) -> bool:
    return b"<html" in response.content


class TestHtmxPartials:
    def test_a_request_saying_hx_request_false_does_not_poison_the_partial(self, client, plan):
        full = client.get("/timeline/?page=2", headers={"HX-Request": "false"})
        assert is_whole_page(full)
        partial = client.get("/timeline/?page=2", headers=HTMX)
        assert partial.status_code == 200
        assert not is_whole_page(partial)
        assert "HX-Push-Url" in partial

    def test_history_restore_gets_the_whole_page_even_after_a_partial_was_cached(
        self, client, plan
    ):
        assert not is_whole_page(client.get("/timeline/?year=2027", headers=HTMX))
        restored = client.get("/timeline/?year=2027", headers=HISTORY_RESTORE)
        assert is_whole_page(restored)
        assert "HX-Push-Url" not in restored
        organisation = plan.outcomes.first().organisation_links.first().organisation
        url = organisation.get_absolute_url() + "?year=2027"
        assert not is_whole_page(client.get(url, headers=HTMX))
        assert is_whole_page(client.get(url, headers=HISTORY_RESTORE))

    def test_pages_with_partials_tell_caches_they_vary_by_htmx_headers(self, client, plan):
        for headers in ({}, HTMX, {}, HTMX):  # missed, then served from the cache
            vary = client.get("/timeline/", headers=headers)["Vary"]
            assert "HX-Request" in vary
            assert "HX-History-Restore-Request" in vary


class TestQueryParameters:
    def test_parameters_a_page_does_not_read_do_not_split_its_cache_entry(self, client, plan):
        url = plan.route_map.get_absolute_url()
        first = client.get(url)
        responses = [client.get(f"{url}?utm={n}&fbclid=x{n}") for n in range(50)]
        assert {r.status_code for r in responses} == {200}
        assert {r.content for r in responses} == {first.content}
        assert {r["X-Cache"] for r in responses} == {"hit"}

    def test_junk_parameters_never_reach_links_on_a_shared_page(self, client, plan):
        page = client.get("/timeline/?year=2027&utm=campaign-junk").content.decode()
        assert "campaign-junk" not in page
        assert "year=2027" in page
        assert client.get("/timeline/?year=2027")["X-Cache"] == "hit"

    def test_parameters_a_page_reads_still_vary_and_in_any_order(self, client, plan):
        client.get("/search/?q=homes")
        assert client.get("/search/?q=children")["X-Cache"] == "miss"
        assert client.get("/search/?utm=1&q=homes")["X-Cache"] == "hit"
        client.get("/timeline/?year=2027&status=delayed")
        assert client.get("/timeline/?status=delayed&year=2027")["X-Cache"] == "hit"


class TestDay:
    def test_a_page_cached_on_31_december_is_not_served_on_1_january(self, client, plan):
        url = plan.route_map.get_absolute_url()
        with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 58, tzinfo=LONDON)):
            assert client.get(url)["X-Cache"] == "miss"
            assert client.get(url)["X-Cache"] == "hit"
        with time_machine.travel(datetime.datetime(2027, 1, 1, 0, 1, tzinfo=LONDON)):
            assert client.get(url)["X-Cache"] == "miss"

    @pytest.mark.dates
    def test_a_page_cached_at_23_59_on_31_december_shows_overdue_at_00_01_on_1_january(
        self, client, plan
    ):
        """The page, its ETag and its Last-Modified all change at midnight: no conditional
        GET with yesterday's validators gets a 304, so no copy saying "Due soon" survives."""
        url = plan.route_map.get_absolute_url()
        milestone = Milestone.objects.filter(outcome__edition=plan, year=2026).first()
        with time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=LONDON)):
            bump_published_version()  # last published on 1 December
        with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 59, tzinfo=LONDON)):
            before = client.get(url)
            assert client.get(url)["X-Cache"] == "hit"
        assert before["Cache-Control"] == "public, max-age=0, must-revalidate"
        item = milestone_item(before, milestone)
        assert "Due soon</strong>" in item and "Overdue" not in item
        with time_machine.travel(datetime.datetime(2027, 1, 1, 0, 1, tzinfo=LONDON)):
            for validators in (
                {"If-None-Match": before["ETag"]},
                {"If-Modified-Since": before["Last-Modified"]},
                {"If-None-Match": before["ETag"], "If-Modified-Since": before["Last-Modified"]},
            ):
                after = client.get(url, headers=validators)
                assert after.status_code == 200, validators
                item = milestone_item(after, milestone)
                assert "Overdue</strong>" in item and "Due soon" not in item
            assert after["ETag"] != before["ETag"]
            assert after["Last-Modified"] == "Fri, 01 Jan 2027 00:00:00 GMT"
            again = client.get(url, headers={"If-Modified-Since": after["Last-Modified"]})
            assert again.status_code == 304  # the same day's copy is still confirmed

    def test_the_day_follows_the_london_clock_not_utc(self, client, plan):
        url = plan.route_map.get_absolute_url()
        # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
        with time_machine.travel(datetime.datetime(2027, 6, 30, 22, 50, tzinfo=datetime.UTC)):
            client.get(url)
        with time_machine.travel(datetime.datetime(2027, 6, 30, 23, 30, tzinfo=datetime.UTC)):
            assert client.get(url)["X-Cache"] == "miss"
