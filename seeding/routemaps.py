"""Load the seed content in fixtures/ (YAML written from the source documents).

Loading is idempotent: foundations, route maps and organisations are matched by slug and
only changed where the file differs; a route map that already has content is left alone,
so editors' work is never overwritten. Every record is validated, and a broken file stops
the whole load (nothing is saved) with the file and record named.
"""

import datetime
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from core.text import clean_text
from core.validation import validation_message
from milestones.models import Milestone, Status
from organisations.models import Organisation, Role
from outcomes.dates import period_end
from publishing.services import (
    EditionData,
    MilestoneData,
    OrganisationRef,
    OutcomeData,
    ProgressData,
    edition_create_draft,
    edition_publish,
)
from routemap.models import Foundation, RouteMap

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
SEED_NOTE = "Imported from the published route map."


class SeedError(Exception):
    def __init__(self, path: Path, record: str, message: str):
        self.path, self.record, self.message = path, record, message
        super().__init__(f"{path}: {record}: {message}")


class Reader:
    """Checks the shape of one YAML file and names the record on any error."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, record: str, message: str) -> SeedError:
        return SeedError(self.path, record, message)

    def load(self):
        try:
            with self.path.open(encoding="utf-8") as handle:
                return yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            raise self.fail("file", f"not valid YAML: {exc}") from exc

    def mapping(self, value, record: str, required: set[str], optional: set[str] = frozenset()):
        if not isinstance(value, dict):
            raise self.fail(record, "expected a mapping")
        missing = required - value.keys()
        if missing:
            raise self.fail(record, f"missing {', '.join(sorted(missing))}")
        unknown = value.keys() - required - set(optional)
        if unknown:
            raise self.fail(record, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        return value

    def save(self, record: str, instance):
        """Save `instance` once its model's rules pass; a broken rule names the record."""
        try:
            instance.full_clean()
        except ValidationError as exc:
            raise self.fail(record, validation_message(exc)) from exc
        instance.save()
        return instance

    def items(self, value, record: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(record, "expected a list")
        return value

    def text(self, value, record: str, *, blank: bool = False) -> str:
        """Stripped text without control characters (YAML's "\\e" or "\\x1b" escapes)."""
        if value is None and blank:
            return ""
        if isinstance(value, str):
            value = clean_text(value)
        if not isinstance(value, str) or (not blank and not value.strip()):
            raise self.fail(record, "expected some text")
        return value.strip()

    def date(self, value, record: str) -> datetime.date | None:
        if value is None:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError as exc:
            raise self.fail(record, f"not a date (YYYY-MM-DD): {value!r}") from exc

    def organisation_refs(self, value, record: str, known: dict) -> list[OrganisationRef]:
        """The bodies named for a record, each a slug or {slug, role}; `known` by slug."""
        refs = []
        for index, item in enumerate(self.items(value, record)):
            item_record = f"{record}[{index}]"
            if isinstance(item, str):
                slug, role = item, Role.UNSTATED
            else:
                item = self.mapping(item, item_record, {"slug"}, {"role"})
                slug, role = item["slug"], item.get("role") or Role.UNSTATED
            if slug not in known:
                raise self.fail(item_record, f"unknown organisation {slug!r}")
            if role not in Role.values:
                raise self.fail(item_record, f"unknown role {role!r} (lead or contributor)")
            refs.append(OrganisationRef(known[slug], role))
        return refs


def _save_by_slug(model, reader: Reader, record: str, slug: str, values: dict) -> bool:
    """Create or update by slug; True when something changed."""
    instance = model.objects.filter(slug=slug).first() or model(slug=slug)
    changed = instance.pk is None or any(getattr(instance, k) != v for k, v in values.items())
    if not changed:
        return False
    for key, value in values.items():
        setattr(instance, key, value)
    reader.save(record, instance)
    return True


def load_plan(path: Path) -> list[str]:
    reader = Reader(path)
    data = reader.mapping(reader.load(), "file", {"foundations", "route_maps"})
    changes = []
    for order, item in enumerate(reader.items(data["foundations"], "foundations"), start=1):
        record = f"foundations[{order - 1}]"
        item = reader.mapping(item, record, {"slug", "name"}, {"description"})
        values = {"name": item["name"], "order": order, "description": item.get("description", "")}
        if _save_by_slug(Foundation, reader, record, item["slug"], values):
            changes.append(f"foundation {item['slug']}")
    foundations = {f.slug: f for f in Foundation.objects.all()}
    for order, item in enumerate(reader.items(data["route_maps"], "route_maps"), start=1):
        record = f"route_maps[{order - 1}] ({item.get('slug') if isinstance(item, dict) else ''})"
        item = reader.mapping(item, record, {"slug", "title", "foundation"}, {"source_url"})
        slug = item["foundation"]
        if slug is not None and slug not in foundations:
            raise reader.fail(record, f"unknown foundation {slug!r}")
        values = {
            "title": item["title"],
            "order": order,
            "foundation": foundations.get(slug) if slug else None,
        }
        if "source_url" in item:  # otherwise a link entered by an editor stays as it is
            values["source_url"] = reader.text(
                item["source_url"], f"{record}.source_url", blank=True
            )
        if _save_by_slug(RouteMap, reader, record, item["slug"], values):
            changes.append(f"route map {item['slug']}")
    return changes


def load_organisations(path: Path) -> list[str]:
    reader = Reader(path)
    changes = []
    for index, item in enumerate(reader.items(reader.load(), "file")):
        record = f"[{index}] ({item.get('slug') if isinstance(item, dict) else ''})"
        item = reader.mapping(item, record, {"slug", "name", "sector"}, {"abbreviation"})
        values = {
            "name": item["name"],
            "sector": item["sector"],
            "abbreviation": item.get("abbreviation") or "",
        }
        if _save_by_slug(Organisation, reader, record, item["slug"], values):
            changes.append(f"organisation {item['slug']}")
    return changes


def read_route_map_content(path: Path) -> tuple[RouteMap, EditionData, str]:
    """The route map, its content and the site the copy was taken from ("plan2430.scot")."""
    reader = Reader(path)
    data = reader.mapping(
        reader.load(),
        "file",
        {"slug", "source_site", "outcomes"},
        {"last_updated", "introduction", "summary", "summary_detail", "vision", "what_matters"},
    )
    route_map = RouteMap.objects.filter(slug=data["slug"]).first()
    if route_map is None:
        raise reader.fail("slug", f"no route map {data['slug']!r} in plan.yaml")
    organisations = {o.slug: o for o in Organisation.objects.all()}
    route_maps = {rm.slug: rm for rm in RouteMap.objects.all()}
    edition = EditionData(
        introduction=reader.text(data.get("introduction"), "introduction", blank=True),
        summary=reader.text(data.get("summary"), "summary", blank=True),
        summary_detail=reader.text(data.get("summary_detail"), "summary_detail", blank=True),
        vision=reader.text(data.get("vision"), "vision", blank=True),
        last_updated=reader.date(data.get("last_updated"), "last_updated"),
        what_matters=[
            reader.text(t, f"what_matters[{i}]")
            for i, t in enumerate(reader.items(data.get("what_matters"), "what_matters"))
        ],
    )
    for index, item in enumerate(reader.items(data["outcomes"], "outcomes")):
        record = f"outcomes[{index}]"
        item = reader.mapping(
            item,
            record,
            {"slug", "title", "statement"},
            {"organisations", "linked_route_maps", "progress", "milestones"},
        )
        record = f"outcomes[{index}] ({item['slug']})"
        linked = []
        for slug in reader.items(item.get("linked_route_maps"), f"{record}.linked_route_maps"):
            if slug not in route_maps:
                raise reader.fail(f"{record}.linked_route_maps", f"unknown route map {slug!r}")
            linked.append(route_maps[slug])
        outcome = OutcomeData(
            slug=item["slug"],
            title=reader.text(item["title"], f"{record}.title"),
            statement=reader.text(item["statement"], f"{record}.statement"),
            organisations=reader.organisation_refs(
                item.get("organisations"), f"{record}.organisations", organisations
            ),
            linked_route_maps=linked,
        )
        for p_index, entry in enumerate(reader.items(item.get("progress"), f"{record}.progress")):
            p_record = f"{record}.progress[{p_index}]"
            entry = reader.mapping(entry, p_record, {"text"}, {"date", "date_label"})
            date_label = str(entry.get("date_label") or "")
            date = reader.date(entry.get("date"), f"{p_record}.date")
            # The sort date is the end of the printed period (outcomes.dates); a `date` in the
            # file is only for a printed date without a year, and may not contradict one.
            if date is not None and period_end(date_label) not in (None, date):
                raise reader.fail(
                    f"{p_record}.date",
                    f"{date} is not the end of {date_label!r} ({period_end(date_label)}): "
                    "leave the date out, it is worked out from the date as written",
                )
            outcome.progress.append(
                ProgressData(
                    text=reader.text(entry["text"], p_record),
                    date=period_end(date_label) or date,
                    date_label=date_label,
                )
            )
        years = item.get("milestones") or {}
        if not isinstance(years, dict):
            raise reader.fail(f"{record}.milestones", "expected a mapping of year to milestones")
        for year, milestones in years.items():
            for m_index, milestone in enumerate(reader.items(milestones, f"{record}.{year}")):
                m_record = f"{record}.milestones[{year}][{m_index}]"
                milestone = reader.mapping(
                    milestone,
                    m_record,
                    {"text"},
                    {"organisations", "subject_to_decisions_after_may_2026", "status"},
                )
                if not isinstance(year, int):
                    raise reader.fail(m_record, f"year {year!r} is not a number")
                try:
                    Milestone._meta.get_field("year").run_validators(year)
                except ValidationError as exc:
                    raise reader.fail(m_record, validation_message(exc)) from exc
                outcome.milestones.append(
                    MilestoneData(
                        year=year,
                        text=reader.text(milestone["text"], m_record),
                        status=milestone.get("status", Status.NO_UPDATE),
                        subject_to_decisions_after_may_2026=bool(
                            milestone.get("subject_to_decisions_after_may_2026", False)
                        ),
                        organisations=reader.organisation_refs(
                            milestone.get("organisations"),
                            f"{m_record}.organisations",
                            organisations,
                        ),
                    )
                )
        edition.outcomes.append(outcome)
    return route_map, edition, reader.text(data["source_site"], "source_site")


def load_route_map_content(path: Path) -> list[str]:
    route_map, data, source_site = read_route_map_content(path)
    if route_map.editions.exists():
        return []
    try:
        draft = edition_create_draft(route_map=route_map, data=data)
    except ValidationError as exc:
        raise SeedError(path, "content", validation_message(exc)) from exc
    # Dated by the source ("last updated December 2025"), never by the day of loading.
    edition_publish(
        edition=draft,
        note=SEED_NOTE,
        last_updated=data.last_updated,
        imported_from=source_site,
    )
    return [f"content of route map {route_map.slug}"]


@transaction.atomic
def load_seed(directory: Path = FIXTURES_DIR) -> list[str]:
    """Load everything; returns what changed (empty when the database already matched)."""
    changes = load_plan(directory / "plan.yaml")
    changes += load_organisations(directory / "organisations.yaml")
    for path in sorted((directory / "route-maps").glob("*.yaml")):
        changes += load_route_map_content(path)
    # Source documents link to outcomes and milestones, so they load after the route maps.
    from seeding.sources import load_sources

    changes += load_sources(directory / "sources")
    return changes
