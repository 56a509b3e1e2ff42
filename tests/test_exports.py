"""CSV and JSON exports of the timeline: columns, filters shared with the page, safety."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from milestones.exports import COLUMN_NAMES, csv_cell
from milestones.models import Status
from tests import discovery
from tests.discovery import shown
from tests.factories import (
    DraftEditionFactory,
    MilestoneFactory,
    MilestoneOrganisationFactory,
    OrganisationFactory,
    OutcomeFactory,
    build_route_map,
)

pytestmark = pytest.mark.django_db

# Fixtures shared with the other discovery tests.
plan = discovery.plan


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    text = body(response)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def json_rows(response) -> list[dict]:
    return json.loads(body(response))["milestones"]


def test_csv_has_the_documented_columns_and_is_an_attachment(client, plan):
    response = client.get(reverse("timeline-csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="plan-24-30-milestones-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    text = body(response)
    assert text.removeprefix("\ufeff").splitlines()[0] == ",".join(COLUMN_NAMES)


def test_csv_row_values(client, plan):
    rows = {row["milestone_id"]: row for row in csv_rows(client.get(reverse("timeline-csv")))}
    inherited = rows[str(plan["inherited"].key)]
    assert inherited["route_map"] == "listening"
    assert inherited["foundation"] == "Voice"
    assert inherited["outcome"] == "shared"
    assert inherited["outcome_title"] == "Shared in listening"
    assert inherited["year"] == "2024"
    assert inherited["status"] == "not_started"
    assert inherited["status_label"] == "Not started"
    # Stated without a date or organisation (legacy data): both cells stay empty.
    assert (inherited["status_updated_on"], inherited["status_updated_by"]) == ("", "")
    assert inherited["overdue"] == "true"
    assert inherited["subject_to_decisions_after_may_2026"] == "false"
    assert inherited["organisations"] == "council"  # inherited from its outcome
    assert inherited["url"] == "http://testserver" + plan["inherited"].get_absolute_url()
    assert rows[str(plan["own"].key)]["organisations"] == "charity"


def test_organisations_are_joined_with_semicolons(client):
    edition = build_route_map(outcomes=1)
    milestone = edition.outcomes.first().milestones.first()
    milestone.organisation_links.all().delete()
    first = OrganisationFactory(slug="first-body", name="First body")
    second = OrganisationFactory(slug="second-body", name="Second body")
    MilestoneOrganisationFactory(milestone=milestone, organisation=first, order=1)
    MilestoneOrganisationFactory(milestone=milestone, organisation=second, order=2)
    rows = csv_rows(client.get(reverse("timeline-csv")))
    row = next(r for r in rows if r["milestone_id"] == str(milestone.key))
    assert row["organisations"] == "first-body; second-body"
    assert row["organisation_names"] == "First body; Second body"
    record = next(
        r
        for r in json_rows(client.get(reverse("timeline-json")))
        if r["milestone_id"] == str(milestone.key)
    )
    assert record["organisations"] == ["first-body", "second-body"]


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1+2", "-3", "@SUM(A1)", "\tTab"])
def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, text):
    edition = build_route_map(outcomes=1)
    MilestoneFactory(outcome=edition.outcomes.first(), text=text, progress_note=text)
    row = next(r for r in csv_rows(client.get(reverse("timeline-csv"))) if "'" in r["text"])
    assert row["text"] == "'" + text
    assert row["progress_note"] == "'" + text
    json_texts = [r["text"] for r in json_rows(client.get(reverse("timeline-json")))]
    assert text in json_texts  # JSON keeps the text as written


def test_csv_cell_formats():
    assert csv_cell(True) == "true"
    assert csv_cell(["a", "b"]) == "a; b"
    assert csv_cell(2027) == "2027"
    assert csv_cell("Plain") == "Plain"
    assert csv_cell("=1") == "'=1"
    # One list for every CSV the site writes: a leading line break is defused too.
    assert csv_cell("\n=1") == "'\n=1"


def test_json_keeps_types_and_lists_the_columns(client, plan):
    response = client.get(reverse("timeline-json"), {"route_map": "listening"})
    data = json.loads(body(response))
    assert response["Content-Type"] == "application/json"
    assert data["columns"] == COLUMN_NAMES
    assert data["filters"] == {"route_map": "listening"}
    record = next(r for r in data["milestones"] if r["milestone_id"] == str(plan["inherited"].key))
    assert list(record) == COLUMN_NAMES
    assert record["year"] == 2024
    assert record["overdue"] is True
    assert record["organisations"] == ["council"]
    # Factory text names no date: due by the end of its year, which has passed.
    assert (record["due_date"], record["due_precision"], record["due_soon"]) == (
        "2024-12-31",
        "year",
        False,
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"organisation": "charity"},
        {"sector": "local-government"},
        {"foundation": "care"},
        {"route_map": "listening", "outcome": "shared"},
        {"outcome": "shared"},
        {"year": "2027"},
        {"year_from": "2026", "year_to": "2030"},
        {"status": "delayed"},
        {"overdue": "1"},
        {"due_soon": "1"},
        {"organisation": "charity", "year_from": "2027", "status": "achieved"},
    ],
)
def test_exports_match_the_timeline_for_the_same_filters(client, plan, params):
    on_page = shown(client.get(reverse("timeline"), params))
    in_csv = {r["milestone_id"] for r in csv_rows(client.get(reverse("timeline-csv"), params))}
    in_json = {r["milestone_id"] for r in json_rows(client.get(reverse("timeline-json"), params))}
    assert in_csv == in_json == on_page


def test_exports_are_in_timeline_order(client, plan):
    years = [int(r["year"]) for r in csv_rows(client.get(reverse("timeline-csv")))]
    assert years == sorted(years)


def test_drafts_are_never_exported(client):
    edition = build_route_map(outcomes=1)
    draft = DraftEditionFactory(route_map=edition.route_map)
    MilestoneFactory(outcome=OutcomeFactory(edition=draft), text="Unpublished draft milestone")
    assert "Unpublished draft milestone" not in body(client.get(reverse("timeline-csv")))
    assert "Unpublished draft milestone" not in body(client.get(reverse("timeline-json")))


def test_invalid_filters_answer_400_with_a_message(client, plan):
    response = client.get(reverse("timeline-csv"), {"status": "finished", "year": "3000"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "status: There is no status “finished”." in text
    assert "year: Choose a year from 2024 to 2030." in text
    response = client.get(reverse("timeline-json"), {"organisation": "nobody"})
    assert response.status_code == 400
    assert response.json()["fields"]["organisation"] == [
        "There is no organisation “nobody”. Choose one from the list."
    ]


def test_statuses_in_exports_are_the_documented_values(client, plan):
    statuses = {r["status"] for r in csv_rows(client.get(reverse("timeline-csv")))}
    assert statuses <= set(Status.values)


@pytest.mark.parametrize("name", ["timeline-csv", "timeline-json"])
def test_exports_use_a_bounded_number_of_queries(
    client, volume, name, django_assert_max_num_queries
):
    editions, organisations = volume
    with django_assert_max_num_queries(10):
        response = client.get(reverse(name), {"organisation": organisations[0].slug})
        content = body(response)
    assert response.status_code == 200
    assert editions[0].route_map.slug in content


def test_exports_follow_the_show_choice(client, plan):
    page = client.get(reverse("timeline"), {"show": "progress", "route_map": "homes"})
    assert 'href="/timeline/export.csv?show=progress&amp;route_map=homes"' in page.content.decode()
    response = client.get(reverse("timeline-csv"), {"show": "progress", "route_map": "homes"})
    assert re.fullmatch(
        r'attachment; filename="plan-24-30-progress-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    [row] = csv_rows(response)
    assert row["kind"] == "progress"
    assert row["text"] == "Homes progress entry"
    assert row["route_map"] == "homes" and row["outcome"] == "other"
    # A progress entry has no year, status or bodies of its own: left empty, not defaulted.
    assert row["year"] == row["status"] == row["overdue"] == row["organisations"] == ""
    assert row["url"].endswith("#outcome-other-progress")
    records = json_rows(client.get(reverse("timeline-json"), {"show": "progress"}))
    assert {r["kind"] for r in records} == {"progress"} and len(records) == 2
    assert all(r["year"] is None and r["overdue"] is None for r in records)


def test_actions_export_holds_no_progress(client, plan):
    kinds = {r["kind"] for r in csv_rows(client.get(reverse("timeline-csv")))}
    assert kinds == {"milestone"}
