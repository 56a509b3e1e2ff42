"""Stored text with control characters never breaks a feed, a calendar, an export or a page,
and text typed into a form is stored without them."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django import forms
from django.contrib import admin
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import CleanTextMixin, CleanTextModelForm
from core.templatetags.richtext import plaintext, richtext
from core.text import clean_text
from milestones.models import Milestone
from partners.models import ProgressUpdate
from public.feeds import CleanAtom1Feed
from publishing.services import edition_publish
from routemap.models import Edition, Foundation
from seeding.routemaps import Reader, SeedError
from sources.models import ConsultationResponse
from tests.factories import (
    CommitmentFactory,
    ConsultationAnswerFactory,
    ConsultationFactory,
    ConsultationQuestionFactory,
    EditorFactory,
    ModeratorFactory,
    OrganisationFactory,
    PublisherFactory,
    RouteMapFactory,
    UserFactory,
    build_route_map,
    draft_copy,
    partner_for,
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
    client.force_login(EditorFactory(all_route_maps=True))
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
    client.force_login(ModeratorFactory())
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


# --- Input: every form and the admin store text without control characters -------------------

TYPED = "First line \x1b with escape\r\nsecond \x08 line\rthird line"
STORED = "First line  with escape\nsecond  line\nthird line"


def project_form_classes() -> list[type]:
    import config.urls  # noqa: F401  (imports every view, so every form class)

    found, pending = [], [forms.BaseForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.split(".")[0] in PROJECT_APPS:
                found.append(subclass)
    return found


PROJECT_APPS = {
    "accounts",
    "editing",
    "milestones",
    "organisations",
    "outcomes",
    "partners",
    "routemap",
    "sources",
    "subscriptions",
}


def test_every_form_in_the_project_cleans_its_input():
    classes = project_form_classes()
    assert len(classes) > 10
    assert [c.__name__ for c in classes if not issubclass(c, CleanTextMixin)] == []


def test_every_admin_page_and_inline_cleans_its_input():
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for form in [model_admin.form, *(inline.form for inline in model_admin.inlines)]:
            assert issubclass(form, CleanTextMixin), model
            checked += 1
    assert checked > 10


def test_mixed_into_a_model_form_the_cleaned_text_reaches_the_instance():
    form_class = forms.modelform_factory(Foundation, form=CleanTextModelForm, fields="__all__")
    form = form_class({"name": "Voice\x1b\x08", "slug": "voice", "order": 1})
    assert form.is_valid(), form.errors
    assert form.save().name == "Voice"


def test_a_milestone_saved_through_the_edit_form_is_stored_clean(client):
    live = build_route_map(outcomes=1)
    milestone = live.outcomes.first().milestones.get(year=2027)
    client.force_login(PublisherFactory())
    url = reverse("editing:milestone", args=[live.route_map.slug, milestone.key])
    data = {
        "text": TYPED,
        "year": 2027,
        "status": milestone.status,
        "progress_note": TYPED,
        "revision": milestone.revision,
    }
    assert client.post(url, data).status_code == 302
    draft = Edition.objects.drafts().get(route_map=live.route_map)
    saved = Milestone.objects.get(outcome__edition=draft, key=milestone.key)
    assert saved.text == STORED
    assert saved.progress_note == STORED

    publish_url = reverse("editing:publish", args=[live.route_map.slug])
    assert client.post(publish_url, {"note": TYPED}).status_code == 302
    published = Edition.objects.get(route_map=live.route_map, number=2)
    assert published.change_note == STORED
    feed = client.get(f"/route-maps/{live.route_map.slug}/updates.atom")
    assert feed.status_code == 200
    ET.fromstring(feed.content)


def partner_sends_update(client, *, note):
    """A partner of a milestone's lead body posts a progress update on it saying `note`."""
    organisation = OrganisationFactory()
    live = build_route_map(outcomes=1, organisations=[organisation])
    milestone = live.outcomes.first().milestones.get(year=2027)
    client.force_login(partner_for(organisation))
    return client.post(
        reverse("partners:update", args=[milestone.key]),
        {"proposed_status": "in_progress", "note": note},
    )


def test_a_partners_progress_update_is_stored_clean(client):
    response = partner_sends_update(client, note=TYPED)
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().note == STORED


def test_a_note_of_control_characters_only_is_refused_as_empty(client):
    response = partner_sends_update(client, note="\x1b\x08")
    assert response.status_code == 400
    assert "Enter what has happened on this milestone." in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_consultation_response_is_stored_clean(client):
    consultation = ConsultationFactory(is_published=True)
    question = ConsultationQuestionFactory(document=consultation)
    response = client.post(
        f"/sources/{consultation.slug}/respond/",
        {
            "name": "Morag\x1b",
            "organisation": "",
            "respondent_type": "kinship_carer",
            f"answer_{question.pk}": TYPED,
            "consent_to_publish": "on",
            "website": "",
        },
    )
    assert response.status_code == 302
    stored = ConsultationResponse.objects.get()
    assert stored.name == "Morag"
    assert stored.answers.get().text == STORED


def test_text_entered_in_the_admin_is_stored_clean(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    route_map = RouteMapFactory()
    response = client.post(
        f"/admin/routemap/routemap/{route_map.pk}/change/",
        {
            "title": "Voice \x1b map",
            "slug": route_map.slug,
            "foundation": route_map.foundation_id,
            "order": route_map.order,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    route_map.refresh_from_db()
    assert route_map.title == "Voice  map"


# --- Property: whatever text is stored, the Atom feed is well-formed XML ----------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_any_text_makes_a_well_formed_atom_feed(text):
    feed = CleanAtom1Feed(title=text, link="/", description=text, author_name=text)
    feed.add_item(title=text, link="/item/", description=text, author_name=text, categories=[text])
    root = ET.fromstring(feed.writeString("utf-8"))
    entry = root.find("{http://www.w3.org/2005/Atom}entry")
    assert entry.findtext("{http://www.w3.org/2005/Atom}title") == clean_text(text)


def test_seed_files_are_read_without_control_characters(tmp_path):
    reader = Reader(tmp_path / "route-map.yaml")
    assert reader.text("Escape \x1b here\r\nnext line ", "statement") == "Escape  here\nnext line"
    with pytest.raises(SeedError):
        reader.text("\x1b\x08", "statement")
