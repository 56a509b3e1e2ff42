"""Stored text with control characters never breaks a feed, a calendar, an export or a page,
and text typed into a form is stored without them."""

import xml.etree.ElementTree as ET

import pytest

from routemap.services import edition_publish
from tests.factories import build_route_map, draft_copy

pytestmark = pytest.mark.django_db

# Python-Markdown leaks its placeholder "\x02klzzwxh:000\x03" for this input.
MARKDOWN_PLACEHOLDER_INPUT = '[]("([][r1]\n[r1]:)'
HOSTILE = f"Escape \x1b and backspace \x08 here. {MARKDOWN_PLACEHOLDER_INPUT}"
CONTROL = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)]]


def without_controls(text: str) -> bool:
    return not any(c in text for c in CONTROL)


def publish_hostile_text():
    """A live route map whose newest publish quotes hostile text in every part of it."""
    live = build_route_map(outcomes=1)
    draft = draft_copy(live)
    outcome = draft.outcomes.first()
    outcome.statement = HOSTILE
    outcome.save()
    entry = outcome.progress_entries.first()
    entry.text = HOSTILE
    entry.save()
    milestone = outcome.milestones.first()
    milestone.text = HOSTILE
    milestone.progress_note = HOSTILE
    milestone.save()
    return edition_publish(edition=draft, note=HOSTILE)


@pytest.mark.parametrize("url", ["/feeds/updates.atom", "/route-maps/{slug}/updates.atom"])
def test_feeds_stay_well_formed_xml_when_stored_text_has_control_characters(client, url):
    edition = publish_hostile_text()
    response = client.get(url.format(slug=edition.route_map.slug))
    assert response.status_code == 200
    ET.fromstring(response.content)
    assert without_controls(response.content.decode())
