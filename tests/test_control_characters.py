"""Stored text with control characters never breaks a feed, a calendar, an export or a page,
and text typed into a form is stored without them."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import icalendar
import pytest

from routemap.services import edition_publish
from routemap.templatetags.richtext import plaintext, richtext
from tests.factories import (
    CommitmentFactory,
    ConsultationAnswerFactory,
    ConsultationFactory,
    EditorFactory,
    build_route_map,
    draft_copy,
)

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


def test_organisation_calendar_is_valid_icalendar_without_control_characters(client):
    edition = publish_hostile_text()
    milestone = edition.outcomes.first().milestones.first()
    organisation = milestone.organisation_links.first().organisation
    organisation.name = "Body \x1b of \x08 work"  # as stored before the admin cleaned input
    organisation.save()
    response = client.get(f"/organisations/{organisation.slug}/calendar.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT")
    assert calendar["x-wr-calname"].startswith("Body  of  work")
    assert without_controls(response.content.decode())


@pytest.mark.parametrize("url", ["/timeline/export.csv", "/timeline/export.json"])
def test_timeline_exports_leave_control_characters_out(client, url):
    publish_hostile_text()
    response = client.get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    assert without_controls(content)
    if url.endswith(".json"):
        records = json.loads(content)["milestones"]
        assert any(r["text"].startswith("Escape  and backspace  here.") for r in records)
    else:
        rows = list(csv.DictReader(io.StringIO(content.lstrip("\ufeff"))))
        assert any(r["progress_note"].startswith("Escape  and backspace  here.") for r in rows)


def test_editors_csv_export_leaves_control_characters_out(client):
    edition = publish_hostile_text()
    client.force_login(EditorFactory())
    response = client.get(f"/edit/route-maps/{edition.route_map.slug}/export.csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    assert "Escape  and backspace" in content
    assert without_controls(content)


def test_api_answers_leave_control_characters_out(client):
    edition = publish_hostile_text()
    organisation = edition.outcomes.first().milestones.first().organisation_links.first()
    for url in [
        "/api/route-maps/",
        f"/api/route-maps/{edition.route_map.slug}/",
        f"/api/organisations/{organisation.organisation.slug}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert without_controls(json.dumps(response.json(), ensure_ascii=False)), url
    outcome = client.get(f"/api/route-maps/{edition.route_map.slug}/").json()["outcomes"][0]
    assert outcome["statement"].startswith("Escape  and backspace  here.")


def hostile_consultation():
    """A published consultation whose commitment, published answer and respondent hold hostile
    text."""
    consultation = ConsultationFactory(is_published=True, summary=HOSTILE)
    CommitmentFactory(document=consultation, text=HOSTILE, progress_note=HOSTILE)
    ConsultationAnswerFactory(
        response__document=consultation,
        response__state="published",
        response__name=HOSTILE,
        response__organisation=HOSTILE,
        question__document=consultation,
        text=HOSTILE,
    )
    return consultation


def test_source_api_and_responses_csv_leave_control_characters_out(client):
    consultation = hostile_consultation()
    api = client.get(f"/api/sources/{consultation.slug}/")
    assert api.status_code == 200
    data = api.json()
    assert data["responses"][0]["answers"][0]["text"].startswith("Escape  and backspace")
    assert without_controls(json.dumps(data, ensure_ascii=False))
    client.force_login(EditorFactory())
    exported = client.get(f"/edit/sources/{consultation.slug}/responses.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[1][3].startswith("Escape  and backspace")
    assert without_controls(exported.content.decode())


def test_public_pages_render_stored_text_without_control_characters(client):
    edition = publish_hostile_text()
    outcome = edition.outcomes.first()
    organisation = outcome.milestones.first().organisation_links.first().organisation
    consultation = hostile_consultation()
    for url in [
        edition.route_map.get_absolute_url(),
        outcome.get_absolute_url(),
        f"/route-maps/{edition.route_map.slug}/changes/",
        "/timeline/",
        organisation.get_absolute_url(),
        f"/sources/{consultation.slug}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert without_controls(page), (
            url,
            [line for line in page.splitlines() if not without_controls(line)],
        )


def test_rich_text_never_shows_markdowns_placeholder():
    assert without_controls(richtext(MARKDOWN_PLACEHOLDER_INPUT))
    assert without_controls(plaintext(MARKDOWN_PLACEHOLDER_INPUT))
    assert richtext("A\x1b sentence.\r\nNext line.") == "<p>A sentence.\nNext line.</p>"
