"""Bulk editing a route map as CSV: export its editable edition, preview an edited file, apply it.

The file has the public export's columns (`milestones.exports.COLUMNS`) plus `outcome_id`,
`revision` and `exported_at`, so a spreadsheet downloaded from /timeline/ can be read back too.
Only these columns are read: milestone_id, outcome_id or outcome, year, status (its code or its
label: "in_progress" or "In progress"), text, and, when present, progress_note, organisations
and subject_to_decisions_after_may_2026. The others (titles, status_label, overdue,
organisation_names, url, due_date, due_precision, due_soon) are worked out from the data and
not imported; an edit to one of them is reported in the preview with the column to edit
instead, so a change typed in the wrong column is never silently lost.

The export also carries what filling an empty route map needs: after the milestones, a row
for each outcome (`kind` outcome: its title, outcome_statement, outcome_organisations as
"slug:role; slug:role", outcome_linked_route_maps) and one for each of its progress entries
(`kind` progress: text, date_label, progress_date); each milestone row gives its own bodies
with their roles in own_organisations. An outcome named in the file (by outcome_id, slug or,
case and spacing aside, title) that the route map lacks is created in the draft, with its
milestones and progress entries; a route map with no edition at all gets a new draft (through
edition_ensure_draft, as for any first edit). Older files without these columns still import;
progress entries and outcomes already in the route map are not changed by an import.

`revision` (each milestone's revision when exported) and `exported_at` say what the file was
made from: a row whose milestone has been changed in the draft since then would replace that
change, so it is held back, with the change it would undo, unless the editor ticks it. A file
without them (an older export, the public timeline's) is imported as before, with a note that
it cannot be checked.

Reading a file never writes: `import_preview` says exactly what would change and lists every
problem with its line number. `route_map_import_apply` then makes the changes to the draft, with
the same change records as ordinary edits through editing.services, so they are recorded and
published like any other edit; it writes in bulk, so the largest file accepted applies quickly.
"""

import csv
import datetime
import hashlib
import io
import json
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.text import slugify

from core import clock
from core.text import clean_text, unique_slug
from editing import services
from milestones.exports import COLUMN_NAMES, COLUMNS, FORMULA_PREFIXES, Echo, csv_cell
from milestones.models import DUE_FIELDS, Milestone, MilestoneOrganisation, Status, stamp_status
from organisations.models import Organisation, Role, in_kept_order
from outcomes.dates import period_end
from outcomes.models import Outcome, OutcomeOrganisation, ProgressEntry
from publishing.models import ChangeRecord
from publishing.records import change_record, field_change_records
from routemap.models import Edition, RouteMap

Action = ChangeRecord.Action
MAX_FILE_BYTES = 2 * 1024 * 1024
# A 2 MB file of one-letter rows would hold some 90,000 rows; the plan's largest route map has
# a few hundred. Past this many, a file is refused at preview rather than risk an apply that
# outlasts a request (bench/import_apply.py measures the largest accepted files).
MAX_ROWS = 20_000
# After the public columns: which outcome a new row belongs to, what the file was made from,
# and what an empty route map needs to be filled from the file (the outcome's statement, its
# bodies with their roles and its linked route maps; a milestone's own bodies with roles; a
# progress entry's sorting date). Files without the later ones still import.
EXTRA_COLUMNS = [
    name
    for name in [
        "outcome_id",
        "revision",
        "exported_at",
        "outcome_statement",
        "outcome_organisations",
        "outcome_linked_route_maps",
        "own_organisations",
        "progress_date",
    ]
    if name not in COLUMN_NAMES
]
# The columns people edit on paper, and what the upload page says of each.
COLUMN_HELP = [
    ("milestone_id", "Which milestone the row is. Leave it empty to add a milestone."),
    ("outcome_id", "The outcome of a new row (or give the outcome's slug in outcome)."),
    ("year", "2024 to 2030."),
    ("status", "One of: " + ", ".join(s.label for s in Status) + "."),
    ("text", "What must happen."),
    ("progress_note", "Progress so far (may be empty)."),
    ("organisations", "The responsible organisations' slugs, separated by “; ”."),
    ("subject_to_decisions_after_may_2026", "true or false."),
    (
        "kind",
        "milestone (or empty) for a milestone; progress for a progress entry of the outcome "
        "(its text and date_label); outcome for a row that only describes its outcome.",
    ),
    (
        "outcome_title and outcome_statement",
        "An outcome the route map does not have yet is created from its title (and its "
        "statement, where given); a title matching an outcome's fills that outcome.",
    ),
    (
        "revision and exported_at",
        "What the file was exported from: leave them as they are. They let the import warn "
        "you when a milestone has been changed by someone else since.",
    ),
]
EXPORT_COLUMNS = COLUMN_NAMES + EXTRA_COLUMNS
REQUIRED_COLUMNS = ["milestone_id", "year", "status", "text"]
OPTIONAL_FIELDS = ["progress_note", "subject_to_decisions_after_may_2026", "organisations"]
FIELD_LABELS = {
    "text": "Text",
    "year": "Year",
    "status": "Status",
    "progress_note": "Progress note",
    "subject_to_decisions_after_may_2026": "Subject to decisions after May 2026",
    "organisations": "Organisations",
}
TEXT_FIELDS = {"text", "progress_note"}  # shown as a word-level difference
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0", ""}
YEAR_PATTERN = re.compile(r"^(\d{4})(?:\.0+)?$")  # spreadsheets may write 2026 as 2026.0
REVISION_PATTERN = re.compile(r"^(\d{1,9})(?:\.0+)?$")


class ImportFileError(Exception):
    """The upload cannot be read as a CSV file at all (empty, binary, not UTF-8...)."""


# ---------------------------------------------------------------------------------- export


def _absolute(request, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


class _Request:
    """Enough of a request for the export columns that build absolute links."""

    def __init__(self, request):
        self.request = request

    def build_absolute_uri(self, path: str) -> str:
        return _absolute(self.request, path)


def edition_milestones(edition: Edition):
    return Milestone.objects.filter(outcome__edition=edition).with_context().in_plan_order()


def export_lines(edition: Edition | None, request=None) -> Iterator[str]:
    """The edition's milestones as CSV lines, with a byte order mark for spreadsheets; then,
    outcome by outcome, a row for the outcome and one for each of its progress entries (after
    the milestones, so a file is read as it always was, line by line)."""
    writer = csv.writer(Echo())
    shim = _Request(request)
    exported_at = timezone.localtime(clock.now()).replace(microsecond=0).isoformat()
    yield "\ufeff"
    yield writer.writerow(EXPORT_COLUMNS)
    if edition is None:
        return
    for milestone in edition_milestones(edition):
        record = {column.name: column.value(milestone, shim) for column in COLUMNS}
        record["outcome_id"] = str(milestone.outcome.key)
        record["revision"] = milestone.revision
        record["exported_at"] = exported_at
        record["own_organisations"] = services.organisations_value(
            milestone.organisation_links.all()
        )
        yield writer.writerow([csv_cell(record.get(name)) for name in EXPORT_COLUMNS])
    outcomes = (
        Outcome.objects.filter(edition=edition)
        .select_related("edition__route_map__foundation")
        .prefetch_related(
            Prefetch("organisation_links", _ordered(OutcomeOrganisation)),
            Prefetch("linked_route_maps", RouteMap.objects.order_by("slug")),
            "progress_entries",
        )
        .order_by("order", "pk")
    )
    for outcome in outcomes:
        route_map = outcome.edition.route_map
        about = {
            "route_map": route_map.slug,
            "route_map_title": route_map.title,
            "foundation": route_map.foundation.name if route_map.foundation else "",
            "outcome": outcome.slug,
            "outcome_title": outcome.title,
            "outcome_id": str(outcome.key),
            "exported_at": exported_at,
        }
        yield writer.writerow(
            [
                csv_cell(value)
                for value in _row(
                    about,
                    kind="outcome",
                    outcome_statement=outcome.statement,
                    outcome_organisations=services.organisations_value(
                        outcome.organisation_links.all()
                    ),
                    outcome_linked_route_maps=[m.slug for m in outcome.linked_route_maps.all()],
                )
            ]
        )
        for entry in outcome.progress_entries.all():
            yield writer.writerow(
                [
                    csv_cell(value)
                    for value in _row(
                        about,
                        kind="progress",
                        milestone_id=str(entry.key),
                        text=entry.text,
                        date_label=entry.date_label,
                        progress_date=entry.date.isoformat() if entry.date else "",
                    )
                ]
            )


def _row(about: dict, **values) -> list:
    record = {**about, **values}
    return [record.get(name, "") for name in EXPORT_COLUMNS]


# ---------------------------------------------------------------------------------- reading


def decode_upload(data: bytes) -> str:
    """The file's text, or ImportFileError with a message an editor can act on."""
    if not data.strip() or data.strip() == b"\xef\xbb\xbf":
        raise ImportFileError("The file is empty. Choose a CSV file with a header row.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "The file is a spreadsheet, not a CSV file. In your spreadsheet program, "
            "use “Save as” and choose “CSV UTF-8”, then upload that file."
        )
    if b"\x00" in data:
        raise ImportFileError("The file is not a CSV file: it contains binary data.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."
        ) from exc


def _clean_cell(value: str) -> str:
    """Undo what the export does to keep spreadsheets safe; drop control characters and
    normalise line endings, as for every input."""
    value = clean_text(value)
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        value = value[1:]
    return value.strip()


def _same_text(a: str, b: str) -> bool:
    return _clean_cell(a) == _clean_cell(b)


def shorten(text: str, length: int = 60) -> str:
    """`text` on one line, cut at a word boundary to at most `length` characters."""
    text = " ".join(str(text).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def milestone_words(text: str, year, outcome_title: str = "") -> str:
    """How an error names a milestone: “its text, shortened…”, year, outcome."""
    parts = [f"“{shorten(text)}”" if text else "no text", str(year) if year else ""]
    return ", ".join(part for part in [*parts, outcome_title] if part)


@dataclass
class RowError:
    line: int
    message: str
    row: int = 0  # the spreadsheet row, when a cell spans several lines of the file
    about: str = ""  # the milestone, in words (see milestone_words)

    @property
    def where(self) -> str:
        if self.row and self.row != self.line:
            return f"Line {self.line} (spreadsheet row {self.row})"
        return f"Line {self.line}"

    def __str__(self) -> str:
        about = f" ({self.about})" if self.about else ""
        return f"{self.where}{about}: {self.message}"


@dataclass
class FieldChange:
    field: str
    before: str
    after: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field.replace("_", " ").capitalize())

    @property
    def is_text(self) -> bool:
        return self.field in TEXT_FIELDS


@dataclass
class TheirChange(FieldChange):
    """A change made in the draft after the file was exported, from its change record."""

    who: str = ""
    when: datetime.datetime | None = None


@dataclass
class ChangedRow:
    line: int
    milestone: Milestone
    changes: list[FieldChange]
    values: dict
    organisations: list[str] | None  # slugs, or None where unchanged
    exported_revision: int | None = None
    since_export: list[TheirChange] = field(default_factory=list)

    @property
    def key(self) -> str:
        return str(self.milestone.key)

    @property
    def about(self) -> str:
        return milestone_words(
            self.milestone.text, self.milestone.year, self.milestone.outcome.title
        )


@dataclass
class IgnoredEdit:
    """A cell of a column that is not imported, edited away from what the export wrote."""

    line: int
    about: str
    column: str
    value: str
    expected: str
    instead: str
    # The organisations column is imported, but not the order it lists bodies already there.
    reordered: bool = False


def title_key(title: str) -> str:
    """Outcome titles compare without regard to case or spacing."""
    return " ".join(title.split()).casefold()


@dataclass
class NewOutcome:
    """An outcome the file names that the route map lacks: created by the import."""

    line: int  # the first line naming it
    title: str
    slug: str
    statement: str = ""
    statement_line: int = 0
    organisations: list[tuple[str, str]] | None = None  # (slug, role), None where not given
    linked_route_maps: list[str] = field(default_factory=list)
    listed_at: int = 0  # the line of its own "outcome" row, which places it among the others

    @property
    def key(self) -> str:
        return title_key(self.title)

    @property
    def organisation_slugs(self) -> list[str]:
        return [slug for slug, _ in self.organisations or []]


@dataclass
class AddedRow:
    line: int
    outcome: Outcome | NewOutcome
    values: dict
    organisations: list[str]
    roles: dict[str, str] = field(default_factory=dict)  # from own_organisations, where given
    # own_organisations was given and empty: the milestone may take its new outcome's bodies.
    may_inherit: bool = False


@dataclass
class AddedProgress:
    line: int
    outcome: Outcome | NewOutcome
    text: str
    date_label: str
    date: datetime.date | None


@dataclass
class ImportPreview:
    route_map: RouteMap
    edition: Edition | None
    remove_missing: bool
    added: list[AddedRow] = field(default_factory=list)
    changed: list[ChangedRow] = field(default_factory=list)
    missing: list[Milestone] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    # Rows whose milestone changed in the draft since the file was exported: held back
    # unless the editor ticks them (route_map_import_apply's `apply_stale`).
    stale: list[ChangedRow] = field(default_factory=list)
    ignored: list[IgnoredEdit] = field(default_factory=list)
    checked: bool = False  # the file says what it was exported from (a revision column)
    exported_at: datetime.datetime | None = None
    new_outcomes: dict[str, NewOutcome] = field(default_factory=dict)  # by title_key
    added_progress: list[AddedProgress] = field(default_factory=list)

    @property
    def outcomes_to_create(self) -> list[NewOutcome]:
        """In the file's order: by their own "outcome" rows where the file has them."""
        return sorted(
            self.new_outcomes.values(),
            key=lambda o: (0, o.listed_at) if o.listed_at else (1, o.line),
        )

    def new_outcomes_sentence(self) -> str:
        outcomes = self.outcomes_to_create
        if not outcomes:
            return ""
        count = len(outcomes)
        return (
            f"{count} new outcome{'s' if count != 1 else ''} will be created: "
            + ", ".join(f"“{o.title}”" for o in outcomes)
            + "."
        )

    @property
    def removed(self) -> list[Milestone]:
        return self.missing if self.remove_missing else []

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added or self.changed or self.removed or self.new_outcomes or self.added_progress
        )

    @property
    def can_apply(self) -> bool:
        return not self.errors and (self.has_changes or bool(self.stale))

    def summary(self) -> str:
        if self.errors:
            count = len(self.errors)
            return (
                f"{count} problem{'s' if count != 1 else ''} to fix: nothing can be imported yet."
            )
        held = ""
        if self.stale:
            count = len(self.stale)
            held = (
                f" {count} more milestone{'s were' if count != 1 else ' was'} changed in the "
                "draft since this file was exported: not imported unless you tick "
                f"{'them' if count != 1 else 'it'}."
            )
        if not self.has_changes:
            if held:
                return "No other changes." + held
            return "No changes: the file matches the route map."
        created = ""
        if self.new_outcomes or self.added_progress:
            count = len(self.added_progress)
            created = (
                f" {self.new_outcomes_sentence()}" if self.new_outcomes else ""
            ) + f" {count} progress entr{'ies' if count != 1 else 'y'} to add."
        return (
            f"{len(self.added)} to add, {len(self.changed)} to change, "
            f"{len(self.removed)} to remove." + created + held
        )

    def fingerprint(self) -> str:
        """Identifies exactly what would be applied, to notice if the route map changes
        between the preview and "Apply"."""
        plan = {
            "added": [
                [a.line, str(a.outcome.key), _jsonable(a.values), a.organisations, a.roles]
                for a in self.added
            ],
            "new_outcomes": [
                [o.title, o.slug, o.statement, o.organisations, o.linked_route_maps]
                for o in self.outcomes_to_create
            ],
            "progress": [
                [p.line, str(p.outcome.key), p.text, p.date_label, str(p.date)]
                for p in self.added_progress
            ],
            "changed": [
                [str(c.milestone.key), c.milestone.revision, _jsonable(c.values), c.organisations]
                for c in self.changed
            ],
            "stale": [
                [str(c.milestone.key), c.milestone.revision, _jsonable(c.values), c.organisations]
                for c in self.stale
            ],
            "removed": sorted(str(m.key) for m in self.removed),
            "errors": [str(e) for e in self.errors],
        }
        return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()


def _jsonable(values: dict) -> dict:
    return {k: v if isinstance(v, bool | int) else str(v) for k, v in values.items()}


class _Content:
    """The editable edition, loaded once: outcomes, milestones and organisations by key."""

    def __init__(self, edition: Edition | None):
        outcomes = list(Outcome.objects.filter(edition=edition)) if edition else []
        self.outcomes_by_key = {o.key: o for o in outcomes}
        self.outcomes_by_slug = {o.slug: o for o in outcomes}
        self.outcomes_by_title = {title_key(o.title): o for o in reversed(outcomes)}
        self.progress_by_key = (
            {p.key: p for p in ProgressEntry.objects.filter(outcome__edition=edition)}
            if edition
            else {}
        )
        self.route_maps = {m.slug: m for m in RouteMap.objects.all()}
        milestones = (
            Milestone.objects.filter(outcome__edition=edition).select_related(
                "outcome", "status_updated_by"
            )
            if edition
            else Milestone.objects.none()
        )
        self.milestones = list(milestones.in_plan_order())
        self.bodies = _Bodies(edition)
        self.milestones_by_key = {m.key: m for m in self.milestones}
        self.organisations = {o.slug: o for o in Organisation.objects.all()}


class _Bodies:
    """Each milestone's own responsible bodies and each outcome's, in order, in two queries:
    for thousands of milestones a prefetch costs several times the queries themselves."""

    def __init__(self, edition: Edition | None):
        self.own: dict[int, list] = defaultdict(list)
        self.outcomes: dict[int, list] = defaultdict(list)
        if edition is None:
            return
        for link in _ordered(MilestoneOrganisation).filter(milestone__outcome__edition=edition):
            self.own[link.milestone_id].append(link)
        for link in _ordered(OutcomeOrganisation).filter(outcome__edition=edition):
            self.outcomes[link.outcome_id].append(link)

    def own_links(self, milestone: Milestone) -> list:
        return self.own.get(milestone.pk, [])

    def responsible_links(self, milestone: Milestone) -> list:
        """As Milestone.responsible_links: its own bodies, or its outcome's if none."""
        return self.own.get(milestone.pk) or self.outcomes.get(milestone.outcome_id, [])


def _ordered(model):
    return model.objects.select_related("organisation").order_by("order", "pk")


STATUS_WORDS = ", ".join(status.label for status in Status)


def _status(value: str) -> Status | None:
    wanted = value.strip().lower().replace(" ", "_")
    for status in Status:
        if wanted in (status.value, status.label.lower().replace(" ", "_")):
            return status
    return None


class _RowReader:
    """Reads one data row into values, collecting every problem with its line number."""

    def __init__(self, preview: ImportPreview, content: _Content, columns: dict[str, int]):
        self.preview = preview
        self.content = content
        self.columns = columns

    def cell(self, cells: list[str], name: str) -> str | None:
        index = self.columns.get(name)
        if index is None:
            return None
        return _clean_cell(cells[index]) if index < len(cells) else ""

    def read(self, cells: list[str]) -> tuple[dict, list[str] | None, list]:
        errors: list[str] = []
        values: dict = {}
        errors += _other_map(self.preview, self, cells)
        text = self.cell(cells, "text") or ""
        if not text:
            errors.append("Enter the milestone text (the “text” column is empty).")
        values["text"] = text
        year_cell = self.cell(cells, "year") or ""
        match = YEAR_PATTERN.match(year_cell)
        first, last = settings.PLAN_FIRST_YEAR, settings.PLAN_LAST_YEAR
        if not match:
            errors.append(f"Year “{year_cell}” is not a year: enter a year from {first} to {last}.")
        elif not first <= int(match.group(1)) <= last:
            errors.append(
                f"Year {match.group(1)} is out of range: enter a year from {first} to {last}."
            )
        else:
            values["year"] = int(match.group(1))
        status_cell = self.cell(cells, "status") or ""
        status = _status(status_cell)
        if status is None and not status_cell:
            label = self.cell(cells, "status_label")
            errors.append(
                "The status is empty: type one of "
                + STATUS_WORDS
                + (
                    f" in the status column (status_label says “{label}”, but that column is "
                    "not imported)."
                    if label
                    else "."
                )
            )
        elif status is None:
            errors.append(
                f"Unknown status “{status_cell}”: type one of {STATUS_WORDS} "
                f"(or the codes {', '.join(s.value for s in Status)})."
            )
        else:
            values["status"] = status
        note = self.cell(cells, "progress_note")
        if note is not None:
            values["progress_note"] = note
        flag = self.cell(cells, "subject_to_decisions_after_may_2026")
        if flag is not None:
            if flag.lower() in TRUE_WORDS:
                values["subject_to_decisions_after_may_2026"] = True
            elif flag.lower() in FALSE_WORDS:
                values["subject_to_decisions_after_may_2026"] = False
            else:
                errors.append(
                    f"subject_to_decisions_after_may_2026 is “{flag}”: enter true or false."
                )
        organisations = None
        listed = self.cell(cells, "organisations")
        if listed is not None:
            organisations = []
            for slug in (s.strip() for s in listed.split(";")):
                if not slug or slug in organisations:
                    continue
                if slug not in self.content.organisations:
                    errors.append(
                        f"Unknown organisation “{slug}”: use the organisation's slug as in "
                        "the export (its address on /organisations/)."
                    )
                organisations.append(slug)
        return values, organisations, errors

    def outcome(
        self, cells: list[str], line: int = 0, *, may_create: bool = False
    ) -> tuple[Outcome | NewOutcome | None, list[str]]:
        """The row's outcome: by outcome_id, else by its slug. A row that is not an existing
        milestone (`may_create`) may also name an outcome by its title (case and spacing
        aside), or name by outcome_title one the route map lacks, to be created."""
        outcome, problem = self._existing_outcome(cells)
        if problem is None or not may_create:
            return outcome, [problem] if problem else []
        title = " ".join((self.cell(cells, "outcome_title") or "").split())
        if not title:
            return None, [problem]
        found = self.content.outcomes_by_title.get(title_key(title))
        if found is None and not (self.cell(cells, "outcome_id") or ""):
            found = self.content.outcomes_by_slug.get(self.cell(cells, "outcome") or "")
        if found is not None:
            return found, []
        return self._new_outcome(cells, line, title)

    def _existing_outcome(self, cells: list[str]) -> tuple[Outcome | None, str | None]:
        outcome_id = self.cell(cells, "outcome_id") or ""
        slug = self.cell(cells, "outcome") or ""
        if outcome_id:
            try:
                outcome = self.content.outcomes_by_key.get(uuid.UUID(outcome_id))
            except ValueError:
                outcome = None
            if outcome is None:
                return None, f"Unknown outcome: outcome_id “{outcome_id}” is not in this route map."
            if slug and slug != outcome.slug:
                return None, (
                    f"outcome “{slug}” and outcome_id “{outcome_id}” name different outcomes: "
                    "correct one of them."
                )
            return outcome, None
        if not slug:
            return None, "Unknown outcome: enter the outcome (its outcome_id or its slug)."
        outcome = self.content.outcomes_by_slug.get(slug)
        if outcome is None:
            return None, f"Unknown outcome “{slug}”: it is not an outcome of this route map."
        return outcome, None

    def _new_outcome(
        self, cells: list[str], line: int, title: str
    ) -> tuple[NewOutcome | None, list[str]]:
        new_outcomes = self.preview.new_outcomes
        problems: list[str] = []
        if len(title) > Outcome._meta.get_field("title").max_length:
            return None, [
                f"The outcome title “{shorten(title)}” is too long: at most "
                f"{Outcome._meta.get_field('title').max_length} characters."
            ]
        outcome = new_outcomes.get(title_key(title))
        if outcome is None:
            outcome = NewOutcome(line, title, self._free_slug(cells, title))
            new_outcomes[outcome.key] = outcome
        statement = self.cell(cells, "outcome_statement") or ""
        if statement and not outcome.statement:
            outcome.statement, outcome.statement_line = statement, line
        elif statement and not _same_text(statement, outcome.statement):
            problems.append(
                f"The new outcome “{shorten(title)}” is given another statement on line "
                f"{outcome.statement_line}: give it one statement (or leave the others empty)."
            )
        bodies, body_problems = self.pairs(cells, "outcome_organisations")
        problems += body_problems
        if bodies and outcome.organisations is None:
            outcome.organisations = bodies
        elif bodies and bodies != outcome.organisations:
            problems.append(
                f"The new outcome “{shorten(title)}” is given other organisations on another "
                "line: list its organisations once (or the same on every line)."
            )
        for slug in (
            s.strip() for s in (self.cell(cells, "outcome_linked_route_maps") or "").split(";")
        ):
            if not slug or slug in outcome.linked_route_maps:
                continue
            if slug not in self.content.route_maps:
                problems.append(
                    f"Unknown route map “{slug}” in outcome_linked_route_maps: use the route "
                    "map's slug (its address on this site)."
                )
            else:
                outcome.linked_route_maps.append(slug)
        return outcome, problems

    def _free_slug(self, cells: list[str], title: str) -> str:
        """The file's slug for the new outcome where it is one and unused, else one from its
        title."""
        taken = set(self.content.outcomes_by_slug) | {
            o.slug for o in self.preview.new_outcomes.values()
        }
        max_length = Outcome._meta.get_field("slug").max_length
        given = self.cell(cells, "outcome") or ""
        if given and given == slugify(given) and len(given) <= max_length and given not in taken:
            return given
        return unique_slug(title, taken.__contains__, max_length=max_length, fallback="outcome")

    def pairs(self, cells: list[str], name: str) -> tuple[list[tuple[str, str]] | None, list[str]]:
        """“slug:role; slug:role” (the role may be left out), or None where the column is
        absent."""
        value = self.cell(cells, name)
        if value is None:
            return None, []
        pairs: list[tuple[str, str]] = []
        problems: list[str] = []
        for item in (i.strip() for i in value.split(";")):
            slug, _, role = (part.strip() for part in item.partition(":"))
            if not slug or slug in [s for s, _ in pairs]:
                continue
            if slug not in self.content.organisations:
                problems.append(
                    f"Unknown organisation “{slug}” in {name}: use the organisation's slug as "
                    "in the export (its address on /organisations/)."
                )
            if role not in Role.values:
                problems.append(
                    f"Unknown role “{role}” for “{slug}” in {name}: use "
                    + ", ".join(r for r in Role.values if r)
                    + " or leave it out."
                )
            pairs.append((slug, role))
        return pairs, problems


def _cell(columns: dict[str, int], cells: list[str], name: str) -> str:
    index = columns.get(name)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _header(reader) -> dict[str, int]:
    try:
        names = next(reader)
    except StopIteration:
        return {}
    return {
        clean_text(name).strip().lstrip("\ufeff").lower(): index
        for index, name in reversed(list(enumerate(names)))
        if name.strip()
    }


def import_preview(
    *, route_map: RouteMap, text: str, remove_missing: bool = False
) -> ImportPreview:
    """What importing `text` into the route map's editable edition would change. Never writes."""
    edition = services.editable_edition(route_map)
    preview = ImportPreview(route_map=route_map, edition=edition, remove_missing=remove_missing)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = _header(reader)
    except csv.Error as exc:
        preview.errors.append(RowError(1, f"The header row cannot be read as CSV: {exc}."))
        return preview
    missing_columns = [name for name in REQUIRED_COLUMNS if name not in columns]
    if "outcome_id" not in columns and "outcome" not in columns:
        missing_columns.append("outcome_id (or outcome)")
    for name in missing_columns:
        preview.errors.append(RowError(1, f"Missing required column “{name}”.", 1))
    if missing_columns:
        return preview

    preview.checked = "revision" in columns
    content = _Content(edition)
    rows = _RowReader(preview, content, columns)
    seen: dict[uuid.UUID, int] = {}
    line_before = reader.line_num
    row_number = 1
    read = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            preview.errors.append(RowError(line_before + 1, f"This line cannot be read: {exc}."))
            break
        line, line_before = line_before + 1, reader.line_num
        row_number += 1
        if not any(cell.strip() for cell in cells):
            continue
        if read == MAX_ROWS:
            preview.errors.append(
                RowError(
                    line,
                    f"The file has more than {MAX_ROWS:,} milestones, more than can be imported "
                    f"at once: split it into files of at most {MAX_ROWS:,} rows.",
                    row_number,
                )
            )
            break
        read += 1
        if (_cell(columns, cells, "kind") or "").lower() not in ("outcome", "progress"):
            preview.rows += 1  # the milestones
        _read_row(preview, content, rows, seen, cells, line, row_number)

    if read == 0 and not preview.errors:
        preview.errors.append(RowError(2, "The file has a header row but no milestones.", 2))
    preview.missing = [m for m in content.milestones if m.key not in seen]
    _inherit_new_outcomes_bodies(preview)
    _their_changes(preview)
    return preview


def _key(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _read_row(preview, content, rows: _RowReader, seen, cells, line: int, row: int) -> None:
    kind = (rows.cell(cells, "kind") or "").lower()
    if kind == "outcome":
        _read_outcome_row(preview, rows, cells, line, row)
        return
    if kind == "progress":
        _read_progress_row(preview, content, rows, seen, cells, line, row)
        return
    milestone_id = rows.cell(cells, "milestone_id") or ""
    existing = content.milestones_by_key.get(_key(milestone_id)) if milestone_id else None
    values, organisations, problems = rows.read(cells)
    outcome, outcome_problems = rows.outcome(cells, line, may_create=existing is None)
    problems += outcome_problems
    about = milestone_words(
        rows.cell(cells, "text") or "",
        values.get("year") or rows.cell(cells, "year"),
        outcome.title if outcome else "",
    )

    def error(message: str) -> None:
        preview.errors.append(RowError(line, message, row, about))

    if preview.exported_at is None:
        preview.exported_at = _when(rows.cell(cells, "exported_at") or "")

    if not milestone_id or (existing is None and isinstance(outcome, NewOutcome)):
        # A row of a new outcome keeps nothing of the milestone it was exported from (that
        # one belongs to another route map): it is added, with a key of its own.
        if milestone_id and _key(milestone_id) is not None:
            if _key(milestone_id) in seen:
                problems.append(
                    f"Duplicated milestone_id {milestone_id}: it is also on line "
                    f"{seen[_key(milestone_id)]}."
                )
            seen[_key(milestone_id)] = line
        own, own_problems = rows.pairs(cells, "own_organisations")
        problems += own_problems
        for problem in problems:
            error(problem)
        if not problems:
            preview.added.append(_added_row(line, outcome, values, organisations or [], own))
        return

    try:
        key = uuid.UUID(milestone_id)
    except ValueError:
        error(
            f"Unknown milestone_id “{milestone_id}”: leave milestone_id empty to add "
            "a new milestone."
        )
        return
    if key in seen:
        error(f"Duplicated milestone_id {key}: it is also on line {seen[key]}.")
        return
    seen[key] = line
    milestone = content.milestones_by_key.get(key)
    if milestone is None:
        error(
            f"Unknown milestone_id {key}: there is no such milestone in this route map. "
            "Leave milestone_id empty to add a new milestone."
        )
        return
    about = milestone_words(milestone.text, milestone.year, milestone.outcome.title)
    if outcome is not None and outcome.pk != milestone.outcome_id:
        problems.append(
            f"This milestone belongs to the outcome “{milestone.outcome.slug}”; it cannot be "
            "moved to another outcome by import. Remove it and add it to the other outcome."
        )
    revision_cell = rows.cell(cells, "revision") or ""
    exported_revision = None
    if revision_cell:
        match = REVISION_PATTERN.match(revision_cell)
        if match:
            exported_revision = int(match.group(1))
        else:
            problems.append(
                f"revision “{revision_cell}” is not a number: leave the revision column as it "
                "was exported (it says which version of the milestone the row was made from)."
            )
    for problem in problems:
        error(problem)
    if problems:
        return
    if organisations is not None:
        organisations = _kept_order(
            preview, content, rows, cells, line, milestone, about, organisations
        )
    _ignored_edits(preview, content, rows, cells, line, milestone, values, organisations, about)
    changed = _changes(milestone, values, organisations, content.bodies)
    if changed is None:
        return
    changed_row = ChangedRow(line, milestone, *changed, exported_revision=exported_revision)
    if exported_revision is not None and exported_revision != milestone.revision:
        preview.stale.append(changed_row)
    else:
        preview.changed.append(changed_row)


def _added_row(line, outcome, values, slugs: list[str], own) -> AddedRow:
    """A milestone to add. Its bodies' roles come from own_organisations when that lists the
    same bodies; an empty own_organisations in a new outcome means it takes the outcome's
    bodies, if organisations names just those (settled once the whole file is read)."""
    row = AddedRow(line, outcome, values, slugs)
    if own is not None:
        if own and [slug for slug, _ in own] == slugs:
            row.roles = dict(own)
        elif not own and isinstance(outcome, NewOutcome):
            row.may_inherit = True
    return row


def _inherit_new_outcomes_bodies(preview: ImportPreview) -> None:
    for row in preview.added:
        if row.may_inherit and row.organisations == row.outcome.organisation_slugs:
            row.organisations = []


def _other_map(preview, rows, cells) -> list[str]:
    """A row of another route map is refused, unless this one has no outcomes yet: then the
    file is copying that route map's content into it."""
    other_map = rows.cell(cells, "route_map")
    if other_map and other_map != preview.route_map.slug and rows.content.outcomes_by_key:
        return [
            f"This row is from the route map “{other_map}”, not "
            f"“{preview.route_map.slug}”: import it into that route map instead."
        ]
    return []


def _read_outcome_row(preview, rows: _RowReader, cells, line: int, row: int) -> None:
    """A row describing an outcome (kind "outcome"): it creates the outcome if the route map
    lacks it, and places it among the new outcomes; an existing outcome is edited on its
    page, not by an import."""
    outcome, problems = rows.outcome(cells, line, may_create=True)
    problems = _other_map(preview, rows, cells) + problems
    about = f"outcome “{shorten(rows.cell(cells, 'outcome_title') or '')}”"
    for problem in problems:
        preview.errors.append(RowError(line, problem, row, about))
    if problems or outcome is None:
        return
    if isinstance(outcome, NewOutcome):
        outcome.listed_at = outcome.listed_at or line
        return
    statement = rows.cell(cells, "outcome_statement")
    if statement and not _same_text(statement, outcome.statement):
        preview.ignored.append(
            IgnoredEdit(
                line, about, "outcome_statement", statement, outcome.statement, NOT_HERE_INSTEAD
            )
        )


PROGRESS_LABEL_LENGTH = ProgressEntry._meta.get_field("date_label").max_length


def _read_progress_row(preview, content, rows: _RowReader, seen, cells, line: int, row) -> None:
    """A progress entry (kind "progress"): added to its outcome unless the route map has it
    already (an entry is edited on its outcome's page, not by an import)."""
    outcome, problems = rows.outcome(cells, line, may_create=True)
    problems = _other_map(preview, rows, cells) + problems
    text = rows.cell(cells, "text") or ""
    label = rows.cell(cells, "date_label") or ""
    about = f"progress entry “{shorten(text)}”" if text else "progress entry"

    def error(message: str) -> None:
        preview.errors.append(RowError(line, message, row, about))

    if not text:
        problems.append("Enter the progress entry's text (the “text” column is empty).")
    if len(label) > PROGRESS_LABEL_LENGTH:
        problems.append(f"date_label is too long: at most {PROGRESS_LABEL_LENGTH} characters.")
    date = period_end(label) if label else None
    date_cell = rows.cell(cells, "progress_date") or ""
    if date is None and date_cell:
        try:
            date = datetime.date.fromisoformat(date_cell)
        except ValueError:
            problems.append(f"progress_date “{date_cell}” is not a date: write it as YYYY-MM-DD.")
    key = _key(rows.cell(cells, "milestone_id") or "")
    if key is not None and key in seen:
        problems.append(f"Duplicated milestone_id {key}: it is also on line {seen[key]}.")
    for problem in problems:
        error(problem)
    if problems:
        return
    if key is not None:
        seen[key] = line
    entry = content.progress_by_key.get(key) if key is not None else None
    if entry is None and key is not None and isinstance(outcome, Outcome):
        # As for a milestone: an entry exported from this route map and since removed is
        # not brought back unasked.
        error(
            f"Unknown progress entry {key}: there is no such progress entry in this route "
            "map. Leave milestone_id empty to add a new progress entry."
        )
        return
    if entry is not None:
        for column, value, expected in [
            ("text", text, entry.text),
            ("date_label", label, entry.date_label),
        ]:
            if not _same_text(value, expected):
                preview.ignored.append(
                    IgnoredEdit(line, about, column, value, expected, PROGRESS_INSTEAD)
                )
        return
    preview.added_progress.append(AddedProgress(line, outcome, text, label, date))


def _when(value: str) -> datetime.datetime | None:
    """The export's time, as written (ISO 8601), or None where a spreadsheet mangled it."""
    try:
        when = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if timezone.is_aware(when) else timezone.make_aware(when)


def _their_changes(preview: ImportPreview) -> None:
    """What was changed in the draft after the file was exported, for the rows held back:
    from the change records since `exported_at` (one query)."""
    if not preview.stale or preview.exported_at is None:
        return
    by_key = {row.milestone.key: row for row in preview.stale}
    records = (
        ChangeRecord.objects.filter(
            route_map=preview.route_map,
            object_type="milestone",
            object_key__in=list(by_key),
            created_at__gte=preview.exported_at,
        )
        .exclude(action__in=[Action.ADDED, Action.REMOVED, Action.PUBLISHED, Action.DISCARDED])
        .select_related("user")
        .order_by("created_at", "pk")
    )
    for record in records:
        by_key[record.object_key].since_export.append(
            TheirChange(
                record.field,
                _recorded(record.field, record.before),
                _recorded(record.field, record.after),
                who=record.who,
                when=record.created_at,
            )
        )


def _recorded(field_name: str, value: str) -> str:
    """A change record's value in the words the preview uses."""
    if field_name == "status" and value in Status.values:
        return Status(value).label
    if field_name == "subject_to_decisions_after_may_2026":
        return {"True": "Yes", "False": "No"}.get(value, value)
    if field_name == "organisations":
        slugs = [part.split(":")[0].strip() for part in value.split(";") if part.strip()]
        return ", ".join(slugs) if slugs else "(none: the outcome's)"
    return value


# ---------------------------------------------------------------------- columns not imported

DUE_INSTEAD = (
    "the due date is read from the text: write the date in the text (for example “By March "
    "2027: …”) or set it on the milestone's edit page"
)
WORKED_OUT_INSTEAD = "it is worked out from the due date and the status: change those instead"
STATUS_DATE_INSTEAD = "it is recorded when the status changes: edit the status column instead"
NOT_HERE_INSTEAD = "it is not changed by an import: edit it on the route map's pages instead"
PROGRESS_INSTEAD = (
    "a progress entry already in the route map is not changed by an import: edit it on its "
    "outcome's page instead"
)


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _same_list(a: str, b: str) -> bool:
    def items(value: str) -> list[str]:
        return [" ".join(v.split()).casefold() for v in value.split(";") if v.strip()]

    return items(a) == items(b)


def _same_date(a: str, b: str) -> bool:
    if _same_words(a, b):
        return True
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"):
        try:
            if datetime.datetime.strptime(a.strip(), pattern).date().isoformat() == b:
                return True
        except ValueError:
            continue
    return False


def _same_flag(a: str, b: str) -> bool:
    a = a.strip().lower()
    return (a in TRUE_WORDS - {""}) == (b == "true") and (a in TRUE_WORDS | FALSE_WORDS)


REORDER_INSTEAD = "bodies keep the order the sources name them in, and bodies you add go after them"


def _kept_order(
    preview, content, rows, cells, line, milestone, about, slugs: list[str]
) -> list[str]:
    """The bodies a row names, those already responsible first in their existing order, then
    new ones in the file's order: the rule every editor's save follows (editing.services), so
    a cell that only reorders is no change, and the preview says so."""
    current = [link.organisation.slug for link in content.bodies.responsible_links(milestone)]
    kept = in_kept_order(slugs, current, key=lambda slug: slug)
    if kept != slugs:
        value = rows.cell(cells, "organisations") or ""
        preview.ignored.append(
            IgnoredEdit(line, about, "organisations", value, "; ".join(kept), REORDER_INSTEAD, True)
        )
    return kept


def _ignored_edits(preview, content, rows, cells, line, milestone, values, organisations, about):
    """Warn of each cell in a column that is not imported whose value differs from what the
    export wrote, where the column it is worked out from was left alone (so the person most
    likely meant the change)."""
    status_kept = values.get("status") == milestone.status
    text_kept = _same_text(milestone.text, values.get("text", ""))
    current_slugs = [link.organisation.slug for link in content.bodies.responsible_links(milestone)]
    route_map = preview.route_map
    today = clock.today()
    exported_today = preview.exported_at is not None and (
        timezone.localdate(preview.exported_at) == today
    )
    checks = [
        # column, applies, what the export wrote, how to compare, what to edit instead
        (
            "status_label",
            status_kept,
            milestone.get_status_display(),
            lambda a, b: _same_words(a, b) or _status(a) == milestone.status,
            "edit the status column instead (you can type “{value}” there)",
        ),
        (
            "organisation_names",
            organisations is None or organisations == current_slugs,
            "; ".join(
                link.organisation.name for link in content.bodies.responsible_links(milestone)
            ),
            _same_list,
            "edit the organisations column instead (the organisations' slugs, separated by “; ”)",
        ),
        ("outcome_title", True, milestone.outcome.title, _same_words, NOT_HERE_INSTEAD),
        ("route_map_title", True, route_map.title, _same_words, NOT_HERE_INSTEAD),
        (
            "foundation",
            True,
            route_map.foundation.name if route_map.foundation else "",
            _same_words,
            NOT_HERE_INSTEAD,
        ),
        ("due_date", text_kept, milestone.due_date.isoformat(), _same_date, DUE_INSTEAD),
        ("due_precision", text_kept, milestone.due_precision, _same_words, DUE_INSTEAD),
        (
            "overdue",
            exported_today and status_kept and text_kept,
            "true" if milestone.overdue else "false",
            _same_flag,
            WORKED_OUT_INSTEAD,
        ),
        (
            "due_soon",
            exported_today and status_kept and text_kept,
            "true" if milestone.due_soon else "false",
            _same_flag,
            WORKED_OUT_INSTEAD,
        ),
        (
            "status_updated_on",
            status_kept,
            milestone.status_updated_data()["status_updated_on"] or "",
            _same_date,
            STATUS_DATE_INSTEAD,
        ),
        (
            "status_updated_by",
            status_kept,
            milestone.status_updated_by_name,
            _same_words,
            STATUS_DATE_INSTEAD,
        ),
    ]
    for column, applies, expected, same, instead in checks:
        value = rows.cell(cells, column)
        if value is None or not applies or same(value, expected):
            continue
        preview.ignored.append(
            IgnoredEdit(line, about, column, value, expected, instead.format(value=value))
        )


def _display(field_name: str, value) -> str:
    if field_name == "status":
        return Status(value).label
    if field_name == "subject_to_decisions_after_may_2026":
        return "Yes" if value else "No"
    if field_name == "organisations":
        return ", ".join(value) if value else "(none: the outcome's)"
    return str(value)


def _changes(milestone: Milestone, values: dict, organisations: list[str] | None, bodies):
    """(field changes, values to save, organisations to save or None), or None if unchanged."""
    changes: list[FieldChange] = []
    to_save: dict = {}
    for name, new in values.items():
        old = getattr(milestone, name)
        same = _same_text(old, new) if isinstance(new, str) else old == new
        if not same:
            changes.append(FieldChange(name, _display(name, old), _display(name, new)))
            to_save[name] = new
    new_organisations = None
    if organisations is not None:
        current = [link.organisation.slug for link in bodies.responsible_links(milestone)]
        if organisations != current:
            changes.append(
                FieldChange(
                    "organisations",
                    _display("organisations", current),
                    _display("organisations", organisations),
                )
            )
            new_organisations = organisations
    if not changes:
        return None
    return changes, to_save, new_organisations


# ---------------------------------------------------------------------------------- applying


class ImportNotAllowed(Exception):
    """The preview has problems, or no longer matches the draft, so nothing may be applied."""


# Rows per INSERT or DELETE: a 2 MB file needs few queries, each of a sensible size (SQLite
# batches inserts smaller still, by its limit on parameters).
APPLY_BATCH_SIZE = 500
UPDATED_FIELDS = [
    *services.MILESTONE_FIELDS,
    *DUE_FIELDS,
    "status_updated_on",
    "status_updated_by",
    "order",
    "revision",
    "updated_at",
]
MILESTONE_MODEL_FIELDS = Milestone._meta.fields


def _choices(slugs: list[str], keep_roles_from: list, organisations: dict) -> list:
    """Organisations in the file's order, keeping each body's known role."""
    roles = {link.organisation.slug: link.role for link in keep_roles_from}
    return [
        services.OrganisationChoice(organisations[slug], roles.get(slug, Role.UNSTATED))
        for slug in slugs
    ]


class _Orders:
    """Where a milestone goes when it arrives in a year: after the last one of its outcome in
    that year, as milestone_update and milestone_add place it, kept in memory."""

    def __init__(self, milestones: Iterable[Milestone]):
        self.slots: dict[tuple, Counter] = defaultdict(Counter)
        self.last: dict[tuple, int] = defaultdict(int)
        for milestone in milestones:
            slot = (milestone.outcome_id, milestone.year)
            self.slots[slot][milestone.order] += 1
            self.last[slot] = max(self.last[slot], milestone.order)

    def leave(self, outcome_id: int, year: int, order: int) -> None:
        slot = self.slots[(outcome_id, year)]
        slot[order] -= 1
        if slot[order] <= 0:
            del slot[order]
            if order == self.last[(outcome_id, year)]:
                self.last[(outcome_id, year)] = max(slot, default=0)

    def arrive(self, outcome_id: int, year: int) -> int:
        order = self.last[(outcome_id, year)] + 1
        self.slots[(outcome_id, year)][order] += 1
        self.last[(outcome_id, year)] = order
        return order


def _valid(milestone: Milestone, line: int, fields: Iterable[str]) -> Milestone:
    """The model's own checks of the fields the file set, without a query per row (the
    outcome is the draft's and the key is kept or new, so the foreign key and unique checks
    cannot fail, and the other fields are as they were)."""
    checked = {*fields, "order"}
    try:
        milestone.clean_fields(
            exclude=[f.name for f in MILESTONE_MODEL_FIELDS if f.name not in checked]
        )
    except ValidationError as exc:
        messages = "; ".join(m for ms in exc.message_dict.values() for m in ms)
        raise ImportNotAllowed(f"Line {line}: {messages}") from exc
    return milestone


def _in_chunks(items: list) -> Iterator[list]:
    for start in range(0, len(items), APPLY_BATCH_SIZE):
        yield items[start : start + APPLY_BATCH_SIZE]


@transaction.atomic
def route_map_import_apply(
    *, route_map: RouteMap, user, preview: ImportPreview, apply_stale: Iterable[str] = ()
) -> dict[str, int]:
    """Apply a previewed import to the draft: all of it or nothing.

    Rows whose milestone changed in the draft since the file was exported (`preview.stale`)
    are applied only when their milestone's key is in `apply_stale`: the editor ticked them,
    having seen the change they replace.

    The draft and its change records come out exactly as if each row had been saved through
    milestone_update, milestone_add and item_remove in turn (changes, then additions,
    then removals, in file order), but in a number of queries that grows with the file's
    size only by one per batch of rows, so the largest file accepted applies in seconds."""
    if preview.errors:
        raise ImportNotAllowed("Fix the problems in the file before importing it.")
    ticked = {str(key) for key in apply_stale}
    changed_rows = preview.changed + [row for row in preview.stale if row.key in ticked]
    counts = {
        "added": len(preview.added),
        "changed": len(changed_rows),
        "removed": len(preview.removed),
        "outcomes": len(preview.new_outcomes),
        "progress": len(preview.added_progress),
    }
    if not any(counts.values()):
        return counts
    # A route map with no edition yet gets an empty draft, as for any first edit.
    draft = services.edition_ensure_draft(route_map=route_map)  # locks the route map
    organisations = {o.slug: o for o in Organisation.objects.all()}
    outcomes = {o.key: o for o in Outcome.objects.filter(edition=draft)}
    records: list[ChangeRecord] = []
    outcomes.update(
        _create_outcomes(
            route_map=route_map,
            draft=draft,
            user=user,
            new_outcomes=preview.outcomes_to_create,
            organisations=organisations,
            records=records,
        )
    )
    current = {m.key: m for m in Milestone.objects.filter(outcome__edition=draft)}
    bodies = _Bodies(draft)
    orders = _Orders(current.values())
    now = clock.now()
    today = clock.today()
    links: list[MilestoneOrganisation] = []

    def record(milestone: Milestone, **change) -> ChangeRecord:
        return change_record(
            **services.about_item(route_map, draft, user, "milestone", milestone), **change
        )

    def draft_milestone(previewed: Milestone, where: str) -> Milestone:
        milestone = current.get(previewed.key)
        if milestone is None or milestone.revision != previewed.revision:
            raise ImportNotAllowed(
                f"{where}: that milestone was changed or removed in the draft after the file "
                "was checked, so nothing was imported. Check the file again."
            )
        return milestone

    changed = []
    for row in changed_rows:
        milestone = draft_milestone(row.milestone, f"Line {row.line}")
        own = bodies.own_links(milestone)
        if row.organisations is None:
            choices = [services.OrganisationChoice(link.organisation, link.role) for link in own]
        else:
            choices = _choices(
                row.organisations, bodies.responsible_links(milestone), organisations
            )
        before = services.milestone_snapshot(milestone, own)
        old_year, old_status = milestone.year, milestone.status
        for name, value in row.values.items():
            setattr(milestone, name, value)
        stamp_status(milestone, old_status, on=today)
        if milestone.year != old_year:
            orders.leave(milestone.outcome_id, old_year, milestone.order)
            milestone.order = orders.arrive(milestone.outcome_id, milestone.year)
        _valid(milestone, row.line, row.values)
        milestone.refresh_due()
        milestone.revision += 1
        milestone.updated_at = now
        new_links = _new_links(milestone, choices)
        after = services.milestone_snapshot(milestone, new_links)
        records += field_change_records(
            **services.about_item(route_map, draft, user, "milestone", milestone),
            before=before,
            after=after,
        )
        changed.append(milestone)
        links += new_links

    added = []
    for row in preview.added:
        outcome = _draft_outcome(outcomes, row)
        milestone = Milestone(outcome=outcome, **row.values)
        stamp_status(milestone, None, on=today)
        milestone.order = orders.arrive(outcome.pk, milestone.year)
        added.append(_valid(milestone, row.line, row.values))
        links += _new_links(
            milestone,
            [
                services.OrganisationChoice(organisations[slug], row.roles.get(slug, Role.UNSTATED))
                for slug in row.organisations
            ],
        )
        records.append(record(milestone, action=Action.ADDED, field="text", after=milestone.text))

    removed = []
    for previewed in preview.removed:
        milestone = draft_milestone(previewed, f"“{_short(previewed.text, 60)}”")
        records.append(
            record(milestone, action=Action.REMOVED, field="text", before=milestone.text)
        )
        removed.append(milestone.pk)

    _update(changed, UPDATED_FIELDS)
    for chunk in _in_chunks([m.pk for m in changed] + removed):
        MilestoneOrganisation.objects.filter(milestone_id__in=chunk).delete()
    Milestone.objects.bulk_create(added, batch_size=APPLY_BATCH_SIZE)
    MilestoneOrganisation.objects.bulk_create(links, batch_size=APPLY_BATCH_SIZE)
    for chunk in _in_chunks(removed):
        Milestone.objects.filter(pk__in=chunk).delete()
    records += _add_progress(
        route_map=route_map, draft=draft, user=user, rows=preview.added_progress, outcomes=outcomes
    )
    ChangeRecord.objects.bulk_create(records, batch_size=APPLY_BATCH_SIZE)
    return counts


def created_words(counts: dict[str, int]) -> str:
    """ "2 outcomes and 5 progress entries created; " where the import created any."""
    parts = []
    if counts.get("outcomes"):
        parts.append(f"{counts['outcomes']} outcome{'s' if counts['outcomes'] != 1 else ''}")
    if counts.get("progress"):
        parts.append(
            f"{counts['progress']} progress entr{'ies' if counts['progress'] != 1 else 'y'}"
        )
    return f"{' and '.join(parts)} created; " if parts else ""


def _draft_outcome(outcomes: dict, row) -> Outcome:
    outcome = outcomes.get(row.outcome.key)
    if outcome is None:
        raise ImportNotAllowed(f"Line {row.line}: that outcome is no longer in the draft.")
    return outcome


def _create_outcomes(
    *, route_map, draft, user, new_outcomes: list[NewOutcome], organisations, records
) -> dict:
    """The file's new outcomes in the draft, after its outcomes, each recorded as added (the
    few there are saved one by one, checked as an editor's save is)."""
    created = {}
    order = Outcome.objects.filter(edition=draft).aggregate(n=Max("order"))["n"] or 0
    route_maps = {m.slug: m for m in RouteMap.objects.filter(slug__in=_linked(new_outcomes))}
    for new in new_outcomes:
        order += 1
        outcome = Outcome(
            edition=draft, order=order, slug=new.slug, title=new.title, statement=new.statement
        )
        try:
            # An older file gives no statement: the outcome has none until an editor writes it.
            outcome.full_clean(exclude=[] if new.statement else ["statement"])
        except ValidationError as exc:
            messages = "; ".join(m for ms in exc.message_dict.values() for m in ms)
            raise ImportNotAllowed(f"Line {new.line} (outcome “{new.title}”): {messages}") from exc
        outcome.save()
        OutcomeOrganisation.objects.bulk_create(
            OutcomeOrganisation(
                outcome=outcome, organisation=organisations[slug], role=role, order=position
            )
            for position, (slug, role) in enumerate(new.organisations or [], start=1)
        )
        outcome.linked_route_maps.set([route_maps[slug] for slug in new.linked_route_maps])
        records.append(
            change_record(
                route_map=route_map,
                edition=draft,
                user=user,
                action=Action.ADDED,
                object_type="outcome",
                object_key=outcome.key,
                object_label=outcome.title,
                field="title",
                after=outcome.title,
            )
        )
        created[new.key] = outcome
    return created


def _linked(new_outcomes: list[NewOutcome]) -> set[str]:
    return {slug for new in new_outcomes for slug in new.linked_route_maps}


def _add_progress(*, route_map, draft, user, rows: list[AddedProgress], outcomes) -> list:
    """The file's new progress entries, after each outcome's own, in the file's order."""
    if not rows:
        return []
    last = defaultdict(
        int,
        ProgressEntry.objects.filter(outcome__edition=draft)
        .values("outcome")
        .annotate(n=Max("order"))
        .values_list("outcome", "n"),
    )
    entries = []
    for row in rows:
        outcome = _draft_outcome(outcomes, row)
        last[outcome.pk] += 1
        entry = ProgressEntry(
            outcome=outcome,
            order=last[outcome.pk],
            date_label=row.date_label,
            date=row.date,
            text=row.text,
        )
        try:
            entry.clean_fields(exclude=["outcome"])
        except ValidationError as exc:
            messages = "; ".join(m for ms in exc.message_dict.values() for m in ms)
            raise ImportNotAllowed(f"Line {row.line}: {messages}") from exc
        entries.append(entry)
    # bulk_create skips ProgressEntry.save, so the date is worked out here, as save would.
    for entry in entries:
        entry.date = period_end(entry.date_label) or entry.date
    ProgressEntry.objects.bulk_create(entries, batch_size=APPLY_BATCH_SIZE)
    return [
        change_record(
            **services.about_item(route_map, draft, user, "progress", entry),
            action=Action.ADDED,
            field="text",
            after=entry.text,
        )
        for entry in entries
    ]


def _update(milestones: list[Milestone], fields: list[str]) -> None:
    """Save `fields` of every milestone in one statement: on PostgreSQL an UPDATE from arrays
    (as Django's bulk_create inserts), elsewhere one UPDATE run for each row (executemany).
    Django's bulk_update builds a CASE expression per row and field, which at this size
    takes far longer than the writes themselves."""
    if not milestones:
        return
    meta, ops = Milestone._meta, connection.ops
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    rows = [[_db_value(column, milestone) for column in columns] for milestone in milestones]
    table, pk = ops.quote_name(meta.db_table), ops.quote_name(meta.pk.column)
    names = [ops.quote_name(column.column) for column in columns]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
            cursor.execute(
                f"UPDATE {table} SET "  # noqa: S608 (names from the model, values as parameters)
                + ", ".join(f"{name} = new.{name}" for name in names[1:])
                + f" FROM unnest({arrays}) AS new({', '.join(names)})"
                + f" WHERE {table}.{pk} = new.{pk}",
                [list(values) for values in zip(*rows, strict=True)],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET "  # noqa: S608 (names from the model, values as parameters)
                + ", ".join(f"{name} = %s" for name in names[1:])
                + f" WHERE {pk} = %s",
                [[*row[1:], row[0]] for row in rows],
            )


def _db_value(column, milestone: Milestone):
    value = column.get_db_prep_save(getattr(milestone, column.attname), connection)
    return str(value) if isinstance(value, str) else value  # a Status is a str subclass


def _new_links(milestone: Milestone, choices: list) -> list[MilestoneOrganisation]:
    return [
        MilestoneOrganisation(
            milestone=milestone, organisation=choice.organisation, role=choice.role, order=order
        )
        for order, choice in enumerate(choices, start=1)
    ]


def preview_lines(preview: ImportPreview) -> Iterable[str]:
    """The preview as plain text, for the management command."""
    yield f"{preview.route_map.title}: {preview.summary()}"
    if preview.added_progress:
        yield f"Progress entries added ({len(preview.added_progress)}):"
        for entry in preview.added_progress:
            yield f"  line {entry.line}: {entry.outcome.slug}: " + _short(entry.text)
    if preview.added:
        yield f"Added ({len(preview.added)}):"
        for row in preview.added:
            yield f"  line {row.line}: {row.outcome.slug}, {row.values.get('year')}: " + _short(
                row.values["text"]
            )
    if preview.changed:
        yield f"Changed ({len(preview.changed)}):"
        for row in preview.changed:
            yield f"  line {row.line}: {_short(row.milestone.text)}"
            for change in row.changes:
                yield f"    {change.label}: {_short(change.before)} -> {_short(change.after)}"
    if preview.stale:
        yield (
            f"Changed in the draft since this file was exported, not imported unless asked "
            f"({len(preview.stale)}; use --replace-changes-since-export to import them):"
        )
        for row in preview.stale:
            yield f"  line {row.line}: {_short(row.milestone.text)}"
            for change in row.since_export:
                yield (
                    f"    changed by {change.who}: {change.label}: {_short(change.before)} -> "
                    f"{_short(change.after)}"
                )
            for change in row.changes:
                yield f"    the file: {change.label}: {_short(change.before)} -> " + _short(
                    change.after
                )
    if not preview.checked:
        yield (
            "The file has no revision column, so it cannot be checked for changes made in the "
            "draft since it was exported."
        )
    for edit in preview.ignored:
        if edit.reordered:
            yield (
                f"  line {edit.line}: organisations are imported as “{edit.expected}”, not in "
                f"the file's order: {edit.instead}."
            )
            continue
        yield (
            f"  line {edit.line}: {edit.column} is “{_short(edit.value)}” but is not imported: "
            f"{edit.instead}."
        )
    if preview.missing:
        if preview.remove_missing:
            yield f"Removed (not in the file) ({len(preview.missing)}):"
        else:
            yield (
                f"Not in the file, kept ({len(preview.missing)}; "
                "use --remove-missing to remove them):"
            )
        for milestone in preview.missing:
            yield f"  {milestone.outcome.slug}, {milestone.year}: {_short(milestone.text)}"


def _short(text: str, length: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"
