"""The public timeline (/timeline/) and organisation pages: filters, pages, counts. The
timeline lists actions by default; progress entries are a separate choice."""

import datetime
import re

import pytest
from django.urls import reverse

from milestones.models import Milestone
from tests import discovery
from tests.discovery import PAST_YEAR, keys, shown
from tests.factories import MilestoneFactory, build_route_map

pytestmark = pytest.mark.django_db

# Fixtures shared with the other discovery tests.
plan = discovery.plan


@pytest.mark.dates
def test_timeline_shows_every_published_milestone_by_year_and_no_progress(client, plan):
    response = client.get(reverse("timeline"))
    page = response.content.decode()
    assert response.status_code == 200
    assert shown(response) == keys(
        plan["inherited"], plan["own"], plan["in_progress"], plan["delayed"]
    )
    assert 'id="progress-heading"' not in page
    assert "progress entry" not in page
    for year in [PAST_YEAR, 2026, 2027, 2030]:
        assert f'<h2 id="year-{year}-heading">{year}</h2>' in page
    assert page.index("year-2026-heading") < page.index("year-2027-heading")
    assert f'href="{plan["own"].get_absolute_url()}"' in page
    assert "Shared in listening" in page and "Achieved" in page and "Overdue" in page
    assert "4 actions match (4 milestones, 0 commitments)" in page


def test_progress_so_far_is_a_separate_clearly_labelled_choice(client, plan):
    page = client.get(reverse("timeline")).content.decode()
    assert "<legend>Show</legend>" in page
    assert (
        'type="radio" name="show" value="" class="ds_radio__input" id="filter-show_0" checked'
        in page
    )
    assert ">Milestones and commitments</label>" in page and ">Progress so far</label>" in page

    response = client.get(reverse("timeline"), {"show": "progress"})
    page = response.content.decode()
    assert shown(response) == set()
    assert '<h2 id="progress-heading">Progress so far</h2>' in page
    assert "Listening progress entry" in page and "Homes progress entry" in page
    assert "2 progress entries match" in page
    assert "These are not actions" in page
    assert 'href="/timeline/">See milestones and commitments</a>' in page
    assert 'value="progress" class="ds_radio__input" id="filter-show_1" checked' in page


def test_progress_entries_do_not_say_who_needs_to_work_on_them(client, plan):
    page = client.get(reverse("timeline"), {"show": "progress"}).content.decode()
    results = page[page.index('id="results"') :]
    assert "Who needs to work on this" not in results
    assert 'href="/organisations/council/"' not in results


def test_an_unknown_show_choice_is_an_error_not_a_guess(client, plan):
    response = client.get(reverse("timeline"), {"show": "everything"})
    page = response.content.decode()
    assert 'class="ds_error-summary"' in page
    assert 'href="#filter-show_0">Choose to show milestones and commitments' in page
    assert shown(response) == set()


def test_draft_milestones_are_never_on_the_timeline(client, plan):
    page = client.get(reverse("timeline")).content.decode()
    assert "Secret draft" not in page
    assert str(plan["draft"].key) not in page


@pytest.mark.dates
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organisation": "council"}, ["inherited"]),
        ({"organisation": "charity"}, ["own", "in_progress"]),
        ({"sector": "local-government"}, ["inherited"]),
        ({"sector": "third-sector"}, ["own", "in_progress"]),
        ({"foundation": "voice"}, ["inherited", "own"]),
        ({"route_map": "homes"}, ["in_progress", "delayed"]),
        ({"outcome": "shared"}, ["inherited", "own", "in_progress"]),
        ({"route_map": "listening", "outcome": "shared"}, ["inherited", "own"]),
        ({"year": "2027"}, ["own"]),
        ({"year_from": "2026"}, ["own", "in_progress", "delayed"]),
        ({"year_to": "2026"}, ["inherited", "in_progress"]),
        ({"year_from": "2026", "year_to": "2027"}, ["own", "in_progress"]),
        ({"due_soon": "1"}, ["in_progress"]),
        ({"status": "delayed"}, ["delayed"]),
        ({"overdue": "1"}, ["inherited"]),
        ({"organisation": "charity", "year_from": "2027"}, ["own"]),
        (
            {"foundation": "care", "status": "in_progress", "sector": "third-sector"},
            ["in_progress"],
        ),
        ({"organisation": "council", "route_map": "homes"}, []),
    ],
)
def test_each_filter_and_combinations_narrow_the_timeline(client, plan, params, expected):
    response = client.get(reverse("timeline"), params)
    assert response.status_code == 200
    assert shown(response) == keys(*[plan[name] for name in expected])


@pytest.mark.dates
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 12, 31), ["inherited"]),
        (datetime.date(2027, 1, 4), ["inherited", "in_progress"]),
        (datetime.date(2031, 1, 1), ["inherited", "in_progress", "delayed"]),
    ],
)
def test_a_milestone_becomes_overdue_when_its_year_ends_unless_closed(
    client, plan, clock, day, expected
):
    clock.move_to(day)
    response = client.get(reverse("timeline"), {"overdue": "1"})
    assert shown(response) == keys(*[plan[name] for name in expected])


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"year": "2026"}, "Year"),
        ({"year_from": "2025"}, "From"),
        ({"status": "delayed"}, "Status"),
        ({"overdue": "1"}, "Only overdue"),
    ],
)
def test_year_and_status_filters_are_kept_but_said_not_to_apply_to_progress(
    client, plan, params, named
):
    page = client.get(reverse("timeline"), {"show": "progress", **params}).content.decode()
    assert "Listening progress entry" in page and "Homes progress entry" in page
    assert "so these filters are not applied to them: " + named in page
    assert "Filtered by:" not in page
    # Back to actions, the same filter applies again: it was never dropped.
    query = "&".join(f"{name}={value}" for name, value in params.items())
    assert f'href="/timeline/?{query}">See milestones and commitments</a>' in page


def test_progress_follows_the_organisation_and_route_map_filters(client, plan):
    page = client.get(
        reverse("timeline"), {"show": "progress", "organisation": "council"}
    ).content.decode()
    assert "Listening progress entry" in page
    assert "Homes progress entry" not in page
    assert f"the progress of the outcomes {plan['council'].name} works on" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"organisation": "nobody"}, "There is no organisation “nobody”."),
        ({"sector": "pirates"}, "There is no sector “pirates”."),
        ({"foundation": "roof"}, "There is no foundation “roof”."),
        ({"route_map": "nowhere"}, "There is no route map “nowhere”."),
        ({"outcome": "nothing"}, "There is no published outcome “nothing”."),
        ({"route_map": "homes", "outcome": "missing"}, "There is no published outcome"),
        ({"year": "1999"}, "Choose a year from 2024 to 2030."),
        ({"year": "soon"}, "Choose a year from 2024 to 2030."),
        ({"year_from": "2031"}, "Choose a “from” year from 2024 to 2030."),
        ({"year_from": "2028", "year_to": "2025"}, "must be the same as or after"),
        ({"year": "2026", "year_from": "2025"}, "either a single year or a range"),
        ({"status": "finished"}, "There is no status “finished”."),
        ({"organisation": "<script>alert(1)</script>"}, "&lt;script&gt;"),
    ],
)
def test_invalid_filters_get_an_error_summary_not_a_server_error(client, plan, params, message):
    response = client.get(reverse("timeline"), params)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="ds_error-summary"' in page
    assert message in page
    assert shown(response) == set()
    assert "<script>alert(1)</script>" not in page


def test_an_outcome_of_another_route_map_is_explained(client, plan):
    page = client.get(
        reverse("timeline"), {"route_map": "listening", "outcome": "other"}
    ).content.decode()
    assert "has no outcome “other”" in page
    assert 'href="#filter-outcome"' in page


def test_outcome_choices_follow_the_chosen_route_map(client, plan):
    page = client.get(reverse("timeline"), {"route_map": "homes"}).content.decode()
    outcome_select = page[
        page.index('id="filter-outcome"') : page.index(
            "</select>", page.index('id="filter-outcome"')
        )
    ]
    assert "Other outcome" in outcome_select and "Shared in homes" in outcome_select
    assert "Shared in listening" not in outcome_select


def test_active_filters_each_have_a_remove_link(client, plan):
    page = client.get(
        reverse("timeline"), {"organisation": "charity", "year": "2027"}
    ).content.decode()
    assert "Organisation: Organisation" in page or "Organisation: " in page
    assert 'href="/timeline/?year=2027">Remove' in page
    assert 'href="/timeline/?organisation=charity">Remove' in page


def test_nothing_matching_says_so_and_suggests_widening(client, plan):
    page = client.get(
        reverse("timeline"), {"organisation": "council", "route_map": "homes"}
    ).content.decode()
    assert "Nothing matched these filters" in page
    assert "wider range of years" in page
    assert "0 actions match" in page


def test_blank_parameters_redirect_to_the_short_url(client, plan):
    response = client.get(
        "/timeline/?show=&organisation=charity&sector=&foundation=&route_map=&outcome=&year=&status="
    )
    assert response.status_code == 302
    assert response["Location"] == "/timeline/?organisation=charity"


def test_the_show_choice_leads_the_short_url_and_the_htmx_address(client, plan):
    response = client.get("/timeline/?organisation=charity&show=progress&year=")
    assert response["Location"] == "/timeline/?show=progress&organisation=charity"
    response = client.get(
        "/timeline/?show=progress&organisation=charity&year=", headers={"HX-Request": "true"}
    )
    assert response["HX-Push-Url"] == "/timeline/?show=progress&organisation=charity"
    assert '<p id="results-status" data-hx-swap-oob="innerHTML">0 progress entries</p>' in (
        response.content.decode()
    )


def test_the_short_url_keeps_the_forms_order(client, plan):
    response = client.get("/timeline/?organisation=&status=delayed&year=2030&year_from=&overdue=")
    assert response["Location"] == "/timeline/?status=delayed&year=2030"


def test_a_cached_htmx_answer_still_gives_the_short_url(client, plan):
    url = "/timeline/?organisation=charity&sector=&year="
    first = client.get(url, headers={"HX-Request": "true"})
    again = client.get(url, headers={"HX-Request": "true"})
    assert again.get("X-Cache") == "hit"
    assert first["HX-Push-Url"] == again["HX-Push-Url"] == "/timeline/?organisation=charity"


def test_htmx_gets_the_results_region_and_the_short_url(client, plan):
    response = client.get(
        "/timeline/?organisation=charity&sector=&route_map=homes", headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert shown(response) == keys(plan["in_progress"])
    assert response["HX-Push-Url"] == "/timeline/?organisation=charity&route_map=homes"
    assert 'id="filter-outcome-field" data-hx-swap-oob="true"' in page
    assert "Other outcome" in page


def test_the_page_has_a_plain_form_enhanced_by_htmx(client, plan):
    page = client.get(reverse("timeline")).content.decode()
    assert 'method="get" action="/timeline/"' in page
    assert 'data-hx-get="/timeline/"' in page
    assert 'data-hx-target="#results"' in page
    assert 'data-hx-push-url="true"' in page
    assert '<button type="submit"' in page
    assert 'href="/timeline/">Timeline</a>' in page


def test_download_links_keep_the_filters(client, plan):
    page = client.get(reverse("timeline"), {"route_map": "homes", "year": "2026"}).content.decode()
    assert 'href="/timeline/export.csv?route_map=homes&amp;year=2026"' in page
    assert 'href="/timeline/export.json?route_map=homes&amp;year=2026"' in page


def test_long_timelines_are_paginated_and_pages_keep_the_filters(client):
    edition = build_route_map(outcomes=3, milestones_per_year=3)  # 63 milestones, 6 progress
    first = client.get(reverse("timeline"), {"route_map": edition.route_map.slug})
    second = client.get(reverse("timeline"), {"route_map": edition.route_map.slug, "page": "2"})
    assert len(shown(first)) == 50  # milestones from the first page on, no progress
    assert len(shown(second)) == 63 - 50
    assert shown(first).isdisjoint(shown(second))
    page = second.content.decode()
    assert f'href="/timeline/?route_map={edition.route_map.slug}&amp;page=1"' in page
    assert "63 actions match (63 milestones, 0 commitments): showing 51 to 63" in page
    # Year links point at the page where the year starts (9 milestones a year).
    assert f'href="/timeline/?route_map={edition.route_map.slug}&amp;page=1#year-2029"' in page
    assert f'href="/timeline/?route_map={edition.route_map.slug}&amp;page=2#year-2030"' in page
    assert client.get(reverse("timeline"), {"page": "999"}).status_code == 200
    assert client.get(reverse("timeline"), {"page": "last-ish"}).status_code == 200


def test_milestones_are_shown_in_year_then_plan_order():
    edition = build_route_map(outcomes=1)
    last_order = max(Milestone.objects.values_list("order", flat=True))
    later = MilestoneFactory(outcome=edition.outcomes.first(), year=2025, order=last_order + 1)
    ordered = list(Milestone.objects.published().in_timeline_order())
    assert [m.year for m in ordered] == sorted(m.year for m in ordered)
    assert ordered.index(later) == 2  # after both 2024 and the first 2025 milestone


# Organisations


@pytest.mark.dates
def test_organisation_list_counts_published_overdue_and_due_soon_actions(client, plan):
    page = client.get(reverse("organisations:list")).content.decode()
    council_row = page[page.index('href="/organisations/council/"') :].split("</tr>")[0]
    charity_row = page[page.index('href="/organisations/charity/"') :].split("</tr>")[0]
    # Council inherits the 2024 milestone (overdue); the draft milestone does not count.
    assert re.findall(r"<td[^>]*>(.*?)</td>", council_row, re.S)[:3] == [
        "1",
        '<a href="/organisations/council/?overdue=1">1<span class="visually-hidden"> overdue '
        f"for {plan['council'].name}</span></a>",
        "0",
    ]
    # Charity's 2026 milestone is due by the end of the year, a month away: due soon.
    cells = re.findall(r"<td[^>]*>(.*?)</td>", charity_row, re.S)
    assert cells[:2] == ["2", "0"]
    assert cells[2].startswith('<a href="/organisations/charity/?due_soon=1">1<span')
    response = client.get(cells[2].split('"')[1])
    assert shown(response) == keys(plan["in_progress"])


@pytest.mark.dates
def test_counts_by_organisation_match_the_organisation_filter(plan):
    counts = Milestone.objects.published().counts_by_organisation()
    for name in ["council", "charity"]:
        organisation = plan[name]
        milestones = Milestone.objects.published().for_organisation(organisation)
        assert counts[organisation.pk]["total"] == milestones.count()
        assert counts[organisation.pk]["overdue"] == milestones.overdue().count()
        assert counts[organisation.pk]["due_soon"] == milestones.due_soon().count()


def test_organisation_page_has_the_timeline_filters_except_organisation(client, plan):
    url = plan["charity"].get_absolute_url()
    response = client.get(url, {"year": "2027"})
    page = response.content.decode()
    assert shown(response) == keys(plan["own"])
    assert 'id="filter-organisation"' not in page
    assert 'id="filter-route_map"' in page
    assert f'data-hx-get="{url}"' in page
    assert 'href="/timeline/export.csv?organisation=charity&amp;year=2027"' in page
    assert client.get(url, {"status": "nonsense"}).content.decode().count("There is no status") == 2


def test_organisation_page_htmx_returns_its_results_region(client, plan):
    url = plan["charity"].get_absolute_url()
    response = client.get(url + "?route_map=homes&year=", headers={"HX-Request": "true"})
    assert shown(response) == keys(plan["in_progress"])
    assert response["HX-Push-Url"] == f"{url}?route_map=homes"
    assert "<html" not in response.content.decode()


# Queries stay bounded whatever the amount of data.


@pytest.mark.parametrize(
    "url_for",
    [
        lambda editions, orgs: "/timeline/",
        lambda editions, orgs: "/timeline/?page=2",
        lambda editions, orgs: f"/timeline/?organisation={orgs[0].slug}&year_from=2026",
        lambda editions, orgs: (
            f"/timeline/?route_map={editions[0].route_map.slug}&outcome="
            f"{editions[0].outcomes.first().slug}"
        ),
        lambda editions, orgs: "/timeline/?sector=third-sector&overdue=1",
        lambda editions, orgs: "/timeline/?year=2026&due_soon=1",
        lambda editions, orgs: "/timeline/?status=bogus",
        lambda editions, orgs: "/organisations/",
        lambda editions, orgs: f"/organisations/{orgs[0].slug}/?year=2027",
        lambda editions, orgs: f"/organisations/{orgs[1].slug}/?page=2",
        lambda editions, orgs: f"/organisations/{orgs[0].slug}/?due_soon=1",
    ],
    ids=[
        "timeline",
        "timeline-page-2",
        "timeline-organisation-years",
        "timeline-outcome",
        "timeline-sector-overdue",
        "timeline-due-soon",
        "timeline-invalid",
        "organisations",
        "organisation-filtered",
        "organisation-page-2",
        "organisation-due-soon",
    ],
)
def test_discovery_pages_use_a_bounded_number_of_queries(
    client, volume, url_for, django_assert_max_num_queries
):
    editions, organisations = volume
    url = url_for(editions, organisations)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200


def test_back_gets_the_whole_page_from_the_server_with_the_form_as_filtered(client, plan):
    """htmx keeps no copy of pages (historyCacheSize 0): on Back it asks for the page, and the
    answer has the form showing the same filters as the results."""
    page = client.get(reverse("timeline")).content.decode()
    assert '"historyCacheSize": 0' in page
    assert 'id="filter-form" method="get" action="/timeline/" autocomplete="off"' in page
    response = client.get(
        "/timeline/?organisation=charity&year=2027",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    page = response.content.decode()
    assert "<html" in page
    assert '<option value="charity" selected>' in page
    assert '<option value="2027" selected>' in page
    assert shown(response) == keys(plan["own"])
