"""Text as printed: every text of the seed fixtures is found word for word in its source.

The sources are kept in fixtures/seeds/. The only transformations allowed are the ones
fixtures/PLACEMENT_NOTES.md documents ("Text as printed"): a paragraph is a line of the
source, a bullet becomes a Markdown list item, spaces at the ends of a line are dropped, and
a numbered heading is split into its number and its words. Everything else, a non-breaking
space included, must be exactly as printed.
"""

import re
from pathlib import Path

import pytest
import yaml

from seeding.routemaps import FIXTURES_DIR, Reader

SEEDS = FIXTURES_DIR / "seeds"
ROUTE_MAP = "000_1766b190943272c6.txt"
SOURCES = {
    "route-maps/where-children-live.yaml": [ROUTE_MAP],
    "sources/kinship-care-vision.yaml": ["004_6cef4a0fe8f4cfe9.txt"],
    # Phase 2 is quoted from the route map (its `source_note` says so).
    "sources/secure-care-response.yaml": ["002_f13c5f0230a69527.txt", ROUTE_MAP],
}
# Texts made of whole paragraphs; every other string is a heading or a label, found within one.
PARAGRAPH_KEYS = {"text", "statement", "summary", "introduction", "vision", "hint", "what_matters"}
# Not words of the source: look-up keys, and labels that are ours (PLACEMENT_NOTES.md).
NOT_PRINTED = {
    "slug",
    "source_site",
    "reference",
    "kind",
    "publisher",
    "foundation",
    "status",
    "phase",
    "role",
    "outcome",
    "outcomes",
    "organisations",
    "linked_route_maps",
    "source_note",
    "url",
}
OUR_LABELS = {
    ("route-maps/where-children-live.yaml", "outcomes", "title"),
    ("sources/secure-care-response.yaml", "phases", "name"),
}
NUMBERED = re.compile(r"^\d+\.\s")  # "2. Does the National Vision..." (\s: a space or U+00A0)


def source_lines(names: list[str]) -> set[str]:
    lines = set()
    for name in names:
        for line in (SEEDS / name).read_text(encoding="utf-8").splitlines():
            line = line.strip().removeprefix("• ").strip()
            if line:
                lines |= {line, NUMBERED.sub("", line)}
    return lines


def strings(value, path=()):
    """(path, text) for every string in the YAML, skipping keys that are not printed words."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_PRINTED:
                yield from strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, (*path, index))
    elif isinstance(value, str):
        yield path, value


def not_as_printed(fixture: str) -> list[str]:
    path = FIXTURES_DIR / fixture
    reader = Reader(path)
    lines = source_lines(SOURCES[fixture])
    headings = "\n".join(lines)
    problems = []
    for where, value in strings(reader.load()):
        keys = tuple(k for k in where if isinstance(k, str))
        if (fixture, *keys[-2:]) in OUR_LABELS:
            continue
        # The loader's own cleaning: what is stored is what is compared.
        text = reader.text(value, str(where), blank=True)
        if keys[-1] in PARAGRAPH_KEYS:
            for paragraph in text.split("\n"):
                paragraph = paragraph.strip().removeprefix("- ")
                if paragraph and paragraph not in lines:
                    problems.append(f"{where}: {paragraph!r}")
        elif text and text not in headings:
            problems.append(f"{where}: {text!r}")
    return problems


@pytest.mark.parametrize("fixture", sorted(SOURCES))
def test_every_text_of_the_fixture_is_printed_word_for_word_in_its_source(fixture):
    assert not_as_printed(fixture) == []


def test_every_fixture_is_checked():
    found = {
        str(path.relative_to(FIXTURES_DIR))
        for folder in ("route-maps", "sources")
        for path in (FIXTURES_DIR / folder).glob("*.yaml")
    }
    assert found == set(SOURCES)


def test_a_lost_non_breaking_space_is_caught(tmp_path):
    fixture = "sources/kinship-care-vision.yaml"
    text = (FIXTURES_DIR / fixture).read_text(encoding="utf-8")
    assert "experience of\u00a0kinship care" in text
    broken = tmp_path / fixture
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace("experience of\u00a0kinship care", "experience of kinship care"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tests.test_seed_text.FIXTURES_DIR", tmp_path)
        problems = not_as_printed(fixture)
    assert len(problems) == 1
    assert (
        "Children and young people in kinship care, and those who have experience" in (problems[0])
    )


def test_every_date_label_is_printed_in_its_entry():
    data = yaml.safe_load(
        (FIXTURES_DIR / "route-maps" / "where-children-live.yaml").read_text(encoding="utf-8")
    )
    labels = [
        (entry["date_label"], entry["text"])
        for outcome in data["outcomes"]
        for entry in outcome.get("progress") or []
        if entry.get("date_label")
    ]
    assert len(labels) == 42
    assert [label for label, text in labels if label not in " ".join(text.split())] == []


def test_the_sources_are_kept_with_the_fixtures():
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == sorted(
        {name for names in SOURCES.values() for name in names}
    )
    # The copy is the page as published: its non-breaking spaces are part of it.
    assert "\u00a0" in Path(SEEDS / "004_6cef4a0fe8f4cfe9.txt").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_non_breaking_spaces_reach_the_page(seeded, client):
    from sources.models import Commitment

    commitment = Commitment.objects.get(reference="Voice 1")
    assert "experience of\u00a0kinship care" in commitment.text
    page = client.get(commitment.document.get_absolute_url()).content.decode()
    assert "experience of\u00a0kinship care" in page or "experience of&nbsp;kinship care" in page
