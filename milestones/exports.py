"""The timeline as CSV and JSON: the columns, in one place.

`COLUMNS` is the contract for /timeline/export.csv, /timeline/export.json and the /open-data/
page (and for importing a CSV later): add columns at the end, never rename or reorder them.
Rows are streamed from an iterator so a large export never holds every milestone in memory.

An export holds what the timeline shows for the same filters: actions (milestones, then
commitments), or with `show=progress` the progress entries (`kind` progress). A value the
sources do not give is left empty (null in JSON), never filled with a default.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from core.text import clean_text, clean_values
from milestones.models import Milestone
from outcomes.models import ProgressEntry

# Spreadsheets run cells starting with these as formulas (OWASP "CSV injection"); a leading
# quote keeps them text. Every CSV the site writes goes through `csv_cell`.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    value: Callable[[Milestone, HttpRequest], object]


COLUMNS = [
    Column(
        "milestone_id",
        "Stable identifier of the milestone: stays the same across versions of its route map.",
        lambda m, r: str(m.key),
    ),
    Column("route_map", "Route map slug.", lambda m, r: m.outcome.edition.route_map.slug),
    Column("route_map_title", "Route map title.", lambda m, r: m.outcome.edition.route_map.title),
    Column(
        "foundation",
        "Foundation name (Voice, Family, Care, People, Scaffolding); empty where not known.",
        lambda m, r: (
            m.outcome.edition.route_map.foundation.name
            if m.outcome.edition.route_map.foundation
            else ""
        ),
    ),
    Column("outcome", "Outcome slug, unique within its route map.", lambda m, r: m.outcome.slug),
    Column("outcome_title", "Outcome title.", lambda m, r: m.outcome.title),
    Column("year", "Plan year, 2024 to 2030.", lambda m, r: m.year),
    Column(
        "status",
        "no_update (the sources state none), not_started, in_progress, achieved, delayed or "
        "no_longer_planned.",
        lambda m, r: m.status,
    ),
    Column("status_label", "The status in words.", lambda m, r: m.get_status_display()),
    Column(
        "overdue",
        "true when its due date (due_date) has passed and it is neither achieved nor no longer "
        "planned.",
        lambda m, r: m.overdue,
    ),
    Column(
        "subject_to_decisions_after_may_2026",
        "true when it depends on decisions of the Parliament and Ministers elected in May 2026.",
        lambda m, r: m.subject_to_decisions_after_may_2026,
    ),
    Column(
        "organisations",
        "Slugs of the responsible organisations (the milestone's own, or else its outcome's).",
        lambda m, r: [link.organisation.slug for link in m.responsible_links],
    ),
    Column(
        "organisation_names",
        "Names of the responsible organisations, in the same order.",
        lambda m, r: [link.organisation.name for link in m.responsible_links],
    ),
    Column(
        "text", "What must happen, as stored (Markdown paragraphs and lists).", lambda m, r: m.text
    ),
    Column(
        "progress_note",
        "Progress on this milestone, if any (Markdown).",
        lambda m, r: m.progress_note,
    ),
    Column(
        "url",
        "The milestone's year on its outcome's page.",
        lambda m, r: r.build_absolute_uri(m.get_absolute_url()),
    ),
    Column(
        "kind",
        "milestone, or commitment for a commitment of a source document (these follow the "
        "milestones; their milestone_id is document/reference and their year is when the "
        "printed timescale ends, empty when none is printed), or progress for a progress "
        "entry of an outcome (exports with show=progress hold only these; their milestone_id "
        "is the entry's identifier, and year, status, overdue and organisations are empty).",
        lambda m, r: "milestone",
    ),
    Column(
        "status_updated_on",
        "When the status was last set (YYYY-MM-DD); empty for no_update, and for a status "
        "set before dates were recorded.",
        lambda m, r: m.status_updated_data()["status_updated_on"],
    ),
    Column(
        "status_updated_by",
        "Who set the status: the organisation that reported it, or Promise Scotland; empty "
        "for no_update and where not recorded.",
        lambda m, r: m.status_updated_data()["status_updated_by"],
    ),
    Column(
        "due_date",
        "When it is due (YYYY-MM-DD): the last day of the period its text states or an editor "
        "set, else 31 December of its year. Empty for a commitment with no timescale printed.",
        lambda m, r: m.due_date.isoformat(),
    ),
    Column(
        "due_precision",
        "How precisely due_date is known: day, month, season, part (early, mid or late in the "
        "year), financial_year or year (only the year is known).",
        lambda m, r: m.due_precision,
    ),
    Column(
        "due_soon",
        f"true when it is due within {settings.DUE_SOON_DAYS} days and is neither achieved nor "
        "no longer planned.",
        lambda m, r: m.due_soon,
    ),
    Column(
        "date_label",
        'Progress entries: the date as the route map writes it ("Early 2026"); empty when it '
        "gives none, and for milestones and commitments.",
        lambda m, r: "",
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def milestone_record(milestone: Milestone, request: HttpRequest) -> dict:
    """One milestone as JSON-ready values (lists and booleans kept as such)."""
    return {column.name: column.value(milestone, request) for column in COLUMNS}


def csv_cell(value: object) -> str:
    """None as an empty cell, lists joined with "; ", booleans as true/false, formula-like
    text made inert, control characters removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = "; ".join(value)
    text = clean_text(str(value))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class Echo:
    """csv.writer target that hands each written line back instead of storing it, so a
    streaming response can send the lines as they are made."""

    def write(self, value: str) -> str:
        return value


def progress_record(entry: ProgressEntry, request: HttpRequest) -> dict:
    """A progress entry in the same columns: it belongs to an outcome, so it has no year,
    status or responsible bodies of its own, and those stay empty."""
    outcome = entry.outcome
    route_map = outcome.edition.route_map
    path = f"{outcome.get_absolute_url()}#{outcome.anchor}-progress"
    return {
        **dict.fromkeys(COLUMN_NAMES),
        "milestone_id": str(entry.key),
        "route_map": route_map.slug,
        "route_map_title": route_map.title,
        "foundation": route_map.foundation.name if route_map.foundation else "",
        "outcome": outcome.slug,
        "outcome_title": outcome.title,
        "text": entry.text,
        "progress_note": "",
        "url": request.build_absolute_uri(path),
        "kind": "progress",
        "date_label": entry.date_label,
    }


def action_records(milestones, commitments, request: HttpRequest) -> Iterator[dict]:
    """Milestones, then commitments (see the `kind` column), as records."""
    for milestone in milestones.iterator(chunk_size=CHUNK_SIZE):
        yield milestone_record(milestone, request)
    for row in commitments.timeline_rows(request):
        yield {name: row.get(name, "") for name in COLUMN_NAMES}


def progress_records(entries, request: HttpRequest) -> Iterator[dict]:
    for entry in entries.iterator(chunk_size=CHUNK_SIZE):
        yield progress_record(entry, request)


def csv_lines(records: Iterable[dict]) -> Iterable[str]:
    writer = csv.writer(Echo())
    yield "\ufeff"  # byte order mark: spreadsheet programs then read the file as UTF-8
    yield writer.writerow(COLUMN_NAMES)
    for record in records:
        yield writer.writerow([csv_cell(record[name]) for name in COLUMN_NAMES])


def json_chunks(records: Iterable[dict], filters: dict) -> Iterable[str]:
    """{"columns": [...], "filters": {...}, "milestones": [...]} written piece by piece."""
    yield '{"columns": ' + json.dumps(COLUMN_NAMES)
    yield ', "filters": ' + json.dumps(filters)
    yield ', "milestones": ['
    for index, record in enumerate(records):
        record = clean_values(record)
        yield ("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"
