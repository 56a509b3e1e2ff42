"""Load the source documents in fixtures/sources/ (YAML written word for word from them).

Runs after the route maps are loaded (`seeding.routemaps.load_seed` calls it last), because a
commitment names the outcomes and milestones it supports and those are looked up in the live
edition: outcomes by slug, milestones by a fragment of their text. What is stored is the
route map and the outcome or milestone key.

Like the route map seed: every record is checked first and an error names the file and the
record; a document that is already in the database is left alone (editors may have updated
its statuses), so loading twice changes nothing; the caller's transaction makes it all or
nothing.
"""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction

from milestones.models import Milestone, Status
from organisations.models import Organisation
from outcomes.models import Outcome
from publishing.services import OrganisationRef
from routemap.models import Foundation
from seeding.routemaps import Reader
from sources.models import (
    Commitment,
    CommitmentMilestone,
    CommitmentOrganisation,
    CommitmentOutcome,
    ConsultationQuestion,
    Phase,
    Section,
    SourceDocument,
)
from sources.services import document_version_record
from sources.timescales import TimescaleError, parse_timescale

DOCUMENT_KEYS = {
    "published_on",
    "published_label",
    "closes_on",
    "url",
    "contact_email",
    "summary",
    "introduction",
    "vision_title",
    "vision",
    "questions_title",
    "defaults",
    "phases",
    "sections",
    "questions",
}
COMMITMENT_KEYS = {
    "title",
    "timescale",
    "phase",
    "foundation",
    "status",
    "organisations",
    "outcomes",
    "milestones",
}


def _normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass
class CommitmentData:
    record: str
    reference: str
    text: str
    title: str = ""
    timescale: str = ""
    phase: str = ""
    foundation: Foundation | None = None
    status: str = Status.NO_UPDATE
    organisations: list[OrganisationRef] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class SectionData:
    record: str
    number: str
    title: str
    text: str
    commitments: list[CommitmentData] = field(default_factory=list)


@dataclass
class DocumentData:
    values: dict
    phases: list[tuple[str, dict]] = field(default_factory=list)
    sections: list[SectionData] = field(default_factory=list)
    questions: list[tuple[str, dict]] = field(default_factory=list)


class SourceReader(Reader):
    """Route map seed's checks plus look-ups of bodies, outcomes and milestones."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.organisations = {o.slug: o for o in Organisation.objects.all()}
        self.foundations = {f.slug: f for f in Foundation.objects.all()}
        self._outcomes: dict[str, Outcome] = {}

    def outcome(self, value, record: str) -> Outcome:
        """ "route-map-slug/outcome-slug" in the live edition."""
        if not isinstance(value, str) or value.count("/") != 1:
            raise self.fail(record, f"expected route-map-slug/outcome-slug, not {value!r}")
        if value not in self._outcomes:
            route_map_slug, outcome_slug = value.split("/")
            outcome = (
                Outcome.objects.published()
                .select_related("edition__route_map")
                .filter(edition__route_map__slug=route_map_slug, slug=outcome_slug)
                .first()
            )
            if outcome is None:
                raise self.fail(
                    record,
                    f"no outcome {outcome_slug!r} in the published route map {route_map_slug!r}",
                )
            self._outcomes[value] = outcome
        return self._outcomes[value]

    def milestone(self, value, record: str) -> Milestone:
        """The one milestone of the outcome whose text contains the fragment (in the year)."""
        value = self.mapping(value, record, {"outcome", "fragment"}, {"year"})
        outcome = self.outcome(value["outcome"], f"{record}.outcome")
        fragment = _normalise(self.text(value["fragment"], f"{record}.fragment"))
        year = value.get("year")
        matches = [
            m
            for m in outcome.milestones.all()
            if fragment in _normalise(m.text) and (year is None or m.year == year)
        ]
        if not matches:
            where = f" in {year}" if year else ""
            raise self.fail(record, f"no milestone of {value['outcome']}{where} has {fragment!r}")
        if len(matches) > 1:
            years = ", ".join(str(m.year) for m in matches)
            raise self.fail(
                record, f"{len(matches)} milestones ({years}) have {fragment!r}: give a year"
            )
        return matches[0]


def read_commitment(reader: SourceReader, item, record: str, defaults: dict) -> CommitmentData:
    item = reader.mapping(item, record, {"reference", "text"}, COMMITMENT_KEYS)
    record = f"{record} ({item['reference']})"
    timescale = reader.text(item.get("timescale"), f"{record}.timescale", blank=True)
    try:
        parse_timescale(timescale)
    except TimescaleError as exc:
        raise reader.fail(f"{record}.timescale", str(exc)) from exc
    foundation = item.get("foundation")
    if foundation is not None and foundation not in reader.foundations:
        raise reader.fail(f"{record}.foundation", f"unknown foundation {foundation!r}")
    status = item.get("status", Status.NO_UPDATE)
    if status not in Status.values:
        raise reader.fail(f"{record}.status", f"unknown status {status!r}")
    outcomes = item.get("outcomes", defaults.get("outcomes"))
    organisations = item.get("organisations", defaults.get("organisations"))
    return CommitmentData(
        record=record,
        reference=reader.text(str(item["reference"]), f"{record}.reference"),
        text=reader.text(item["text"], f"{record}.text"),
        title=reader.text(item.get("title"), f"{record}.title", blank=True),
        timescale=timescale,
        phase=str(item.get("phase") or ""),
        foundation=reader.foundations.get(foundation) if foundation else None,
        status=status,
        organisations=reader.organisation_refs(
            organisations, f"{record}.organisations", reader.organisations
        ),
        outcomes=[
            reader.outcome(value, f"{record}.outcomes[{index}]")
            for index, value in enumerate(reader.items(outcomes, f"{record}.outcomes"))
        ],
        milestones=[
            reader.milestone(value, f"{record}.milestones[{index}]")
            for index, value in enumerate(
                reader.items(item.get("milestones"), f"{record}.milestones")
            )
        ],
    )


def read_source_document(path: Path) -> DocumentData:
    reader = SourceReader(path)
    data = reader.mapping(
        reader.load(), "file", {"slug", "title", "kind", "publisher"}, DOCUMENT_KEYS
    )
    if data["kind"] not in SourceDocument.Kind.values:
        kinds = ", ".join(SourceDocument.Kind.values)
        raise reader.fail("kind", f"unknown kind {data['kind']!r} ({kinds})")
    if data["publisher"] not in reader.organisations:
        raise reader.fail("publisher", f"unknown organisation {data['publisher']!r}")
    document = DocumentData(
        values={
            "slug": data["slug"],
            "title": reader.text(data["title"], "title"),
            "kind": data["kind"],
            "publisher": reader.organisations[data["publisher"]],
            "published_on": reader.date(data.get("published_on"), "published_on"),
            "published_label": str(data.get("published_label") or ""),
            "closes_on": reader.date(data.get("closes_on"), "closes_on"),
            "url": str(data.get("url") or ""),
            "contact_email": str(data.get("contact_email") or ""),
            **{
                key: reader.text(data.get(key), key, blank=True)
                for key in ("summary", "introduction", "vision_title", "vision", "questions_title")
            },
        }
    )
    defaults = reader.mapping(
        data.get("defaults") or {}, "defaults", set(), {"outcomes", "organisations"}
    )
    for index, item in enumerate(reader.items(data.get("phases"), "phases")):
        record = f"phases[{index}]"
        item = reader.mapping(item, record, {"label", "name"}, {"timescale", "text", "source_note"})
        timescale = reader.text(item.get("timescale"), f"{record}.timescale", blank=True)
        try:
            parse_timescale(timescale)
        except TimescaleError as exc:
            raise reader.fail(f"{record}.timescale", str(exc)) from exc
        document.phases.append(
            (
                record,
                {
                    "label": reader.text(item["label"], f"{record}.label"),
                    "name": reader.text(item["name"], f"{record}.name"),
                    "timescale": timescale,
                    "text": reader.text(item.get("text"), f"{record}.text", blank=True),
                    "source_note": str(item.get("source_note") or ""),
                },
            )
        )
    phase_labels = {values["label"] for _, values in document.phases}
    references: set[str] = set()
    for index, item in enumerate(reader.items(data.get("sections"), "sections")):
        record = f"sections[{index}]"
        item = reader.mapping(item, record, {"title"}, {"number", "text", "commitments"})
        section = SectionData(
            record=record,
            number=str(item.get("number") or ""),
            title=reader.text(item["title"], f"{record}.title"),
            text=reader.text(item.get("text"), f"{record}.text", blank=True),
        )
        for c_index, c_item in enumerate(
            reader.items(item.get("commitments"), f"{record}.commitments")
        ):
            commitment = read_commitment(
                reader, c_item, f"{record}.commitments[{c_index}]", defaults
            )
            if commitment.reference in references:
                raise reader.fail(commitment.record, "reference used twice in this document")
            if commitment.phase and commitment.phase not in phase_labels:
                raise reader.fail(f"{commitment.record}.phase", f"no phase {commitment.phase!r}")
            references.add(commitment.reference)
            section.commitments.append(commitment)
        document.sections.append(section)
    for index, item in enumerate(reader.items(data.get("questions"), "questions")):
        record = f"questions[{index}]"
        item = reader.mapping(item, record, {"text"}, {"number", "hint"})
        document.questions.append(
            (
                record,
                {
                    "number": str(item.get("number") or ""),
                    "text": reader.text(item["text"], f"{record}.text"),
                    "hint": reader.text(item.get("hint"), f"{record}.hint", blank=True),
                },
            )
        )
    if document.questions and data["kind"] != SourceDocument.Kind.CONSULTATION:
        raise reader.fail("questions", "only a consultation has questions")
    return document


SEED_NOTE = "Imported from the published document."


def load_source_document(path: Path) -> list[str]:
    data = read_source_document(path)
    slug = data.values["slug"]
    if SourceDocument.objects.filter(slug=slug).exists():
        return []
    reader = Reader(path)
    with transaction.atomic():
        document = reader.save("file", SourceDocument(**data.values))
        phases = {
            values["label"]: reader.save(record, Phase(document=document, order=order, **values))
            for order, (record, values) in enumerate(data.phases, start=1)
        }
        order = 0
        for section_order, section_data in enumerate(data.sections, start=1):
            section = reader.save(
                section_data.record,
                Section(
                    document=document,
                    order=section_order,
                    number=section_data.number,
                    title=section_data.title,
                    text=section_data.text,
                ),
            )
            for item in section_data.commitments:
                order += 1
                commitment = reader.save(
                    item.record,
                    Commitment(
                        document=document,
                        section=section,
                        order=order,
                        reference=item.reference,
                        title=item.title,
                        text=item.text,
                        timescale=item.timescale,
                        phase=phases.get(item.phase),
                        foundation=item.foundation,
                        status=item.status,
                    ),
                )
                for link_order, ref in enumerate(item.organisations, start=1):
                    CommitmentOrganisation.objects.create(
                        commitment=commitment,
                        organisation=ref.organisation,
                        role=ref.role,
                        order=link_order,
                    )
                CommitmentOutcome.objects.bulk_create(
                    CommitmentOutcome(
                        commitment=commitment,
                        route_map=outcome.edition.route_map,
                        outcome_key=outcome.key,
                    )
                    for outcome in item.outcomes
                )
                CommitmentMilestone.objects.bulk_create(
                    CommitmentMilestone(
                        commitment=commitment,
                        route_map_id=milestone.outcome.edition.route_map_id,
                        milestone_key=milestone.key,
                    )
                    for milestone in item.milestones
                )
        for question_order, (record, values) in enumerate(data.questions, start=1):
            reader.save(
                record,
                ConsultationQuestion(document=document, order=question_order, **values),
            )
        document_version_record(
            document=document, note=SEED_NOTE, imported_from=urlsplit(document.url).hostname or ""
        )
    return [f"source document {slug} ({order} commitments)"]


def load_sources(directory: Path) -> list[str]:
    """Every fixtures/sources/*.yaml; returns what changed."""
    changes = []
    for path in sorted(directory.glob("*.yaml")):
        changes += load_source_document(path)
    return changes
