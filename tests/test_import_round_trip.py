"""A route map's CSV export imported into an empty route map reproduces its public content:
outcomes (titles, statements, bodies, linked route maps), progress entries with their dates
as written, and milestones by year with their text, status, bodies and flags."""

import re

import pytest
from django.urls import reverse

from editing import imports
from editing import services as editing
from milestones.models import Milestone
from outcomes.models import Outcome, ProgressEntry
from publishing.models import ChangeRecord
from routemap.models import Edition, RouteMap
from tests.factories import EditorFactory, PublisherFactory, RouteMapFactory, build_route_map
from tests.helpers import page_text
from tests.test_import import export, rows_of, to_csv, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return EditorFactory(all_route_maps=True)


def outcome_sections(html: str, slug: str) -> list[str]:
    """Each outcome's section as a reader meets it, its links included, without what is not
    the route map's own content (the commitments of source documents behind it) and with the
    route map's address made neutral."""
    sections = re.findall(r'<section class="outcome" .*?</section>', html, re.DOTALL)
    assert sections
    found = []
    for section in sections:
        section = re.split(r'<h3 id="[^"]*-commitments"', section)[0]
        section = re.sub(r'<a\b[^>]*href="([^"]*)"[^>]*>', r" [link \1] ", section)
        found.append(page_text(section).replace(f"/route-maps/{slug}/", "/route-maps/ROUTE-MAP/"))
    return found


def where_by_2030(html: str) -> str:
    """The outcomes listed with their statements under “Where does Scotland need to be by
    2030?”."""
    part = html.split('id="where-by-2030"', 1)[1].split("</ul>", 1)[0]
    return page_text(part.split("<ul>", 1)[1])


def glance(html: str) -> str:
    part = html.split('id="progress"', 1)[1].split("</section>", 1)[0]
    return page_text(part)


def public_page(client, route_map) -> str:
    response = client.get(route_map.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def import_through_the_pages(client, route_map, text):
    response = upload(client, route_map, text)
    assert response.status_code == 302, response.content.decode()
    page = client.get(reverse("editing:import_preview", args=[route_map.slug]))
    assert page.status_code == 200
    token = page.context["apply_form"].initial["token"]
    response = client.post(reverse("editing:import_apply", args=[route_map.slug]), {"token": token})
    assert response.status_code == 302, response.content.decode()
    return page.content.decode()


def test_where_children_live_exported_and_imported_into_an_empty_route_map_reads_the_same(
    client, editor, seeded
):
    original = RouteMap.objects.get(slug="where-children-live")
    client.force_login(editor)
    text = export(client, original)
    copy = RouteMapFactory(title="A copy", slug="a-copy", foundation=original.foundation)
    assert not copy.editions.exists()  # a new route map: no edition at all

    preview_page = import_through_the_pages(client, copy, text)
    outcomes = list(
        Outcome.objects.published().filter(edition__route_map=original).order_by("order")
    )
    assert f"{len(outcomes)} new outcomes will be created: " in preview_page

    draft = Edition.objects.drafts().get(route_map=copy)
    assert ChangeRecord.objects.filter(
        edition=draft, action=ChangeRecord.Action.ADDED, object_type="outcome"
    ).count() == len(outcomes)
    assert (
        ChangeRecord.objects.filter(
            edition=draft, action=ChangeRecord.Action.ADDED, object_type="progress"
        ).count()
        == ProgressEntry.objects.published().filter(outcome__in=outcomes).count()
    )
    # The draft's history and the publish page tell of the new outcomes like any other edit.
    history = client.get(reverse("editing:history", args=[copy.slug]))
    assert history.status_code == 200
    assert outcomes[0].title in history.content.decode()
    publisher = PublisherFactory(all_route_maps=True)
    client.force_login(publisher)
    publish = client.get(reverse("editing:publish", args=[copy.slug]))
    assert publish.status_code == 200
    assert outcomes[0].title in publish.content.decode()
    editing.route_map_publish(route_map=copy, user=publisher, note="Imported")
    changes = client.get(reverse("routemap:changes", args=[copy.slug]))
    assert changes.status_code == 200

    before, after = public_page(client, original), public_page(client, copy)
    assert len(outcome_sections(before, original.slug)) == len(outcomes)
    assert outcome_sections(after, copy.slug) == outcome_sections(before, original.slug)
    assert where_by_2030(after) == where_by_2030(before)
    assert glance(after) == glance(before)
    copied = Outcome.objects.published().filter(edition__route_map=copy).order_by("order")
    assert [(o.title, o.slug) for o in copied] == [(o.title, o.slug) for o in outcomes]
    assert Milestone.objects.published().filter(outcome__edition__route_map=copy).count() == (
        Milestone.objects.published().filter(outcome__in=outcomes).count()
    )


def test_the_copy_exports_as_the_original_did(client, editor, seeded):
    """Apart from what names the route map and each item, the two files are the same."""
    original = RouteMap.objects.get(slug="where-children-live")
    client.force_login(editor)
    text = export(client, original)
    copy = RouteMapFactory(title="A copy", slug="a-copy", foundation=original.foundation)
    import_through_the_pages(client, copy, text)

    kept = [
        "kind",
        "outcome",
        "outcome_title",
        "year",
        "status",
        "text",
        "progress_note",
        "organisations",
        "own_organisations",
        "subject_to_decisions_after_may_2026",
        "date_label",
        "progress_date",
        "outcome_statement",
        "outcome_organisations",
        "outcome_linked_route_maps",
        "due_date",
    ]

    def content(route_map):
        return [
            [row[c] for c in kept] for row in rows_of(export(client, route_map), every_kind=True)
        ]

    assert content(copy) == content(original)


def test_an_unknown_outcome_in_a_file_is_shown_as_new_and_created_in_the_draft(client, editor):
    edition = build_route_map(outcomes=1)
    route_map = edition.route_map
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    new = {
        **dict.fromkeys(rows[0], ""),
        "outcome_title": "Brothers and sisters stay together",
        "outcome_statement": "Children live with their brothers and sisters.",
        "year": "2027",
        "status": "not_started",
        "text": "Councils will record where siblings live.",
    }
    progress = {
        **dict.fromkeys(rows[0], ""),
        "kind": "progress",
        "outcome_title": "brothers and SISTERS   stay together",  # the same, typed otherwise
        "date_label": "Early 2026",
        "text": "A first count was published.",
    }
    text = to_csv([*rows, new, progress])
    preview = imports.import_preview(route_map=route_map, text=text)
    assert not preview.errors
    assert preview.new_outcomes_sentence() == (
        "1 new outcome will be created: “Brothers and sisters stay together”."
    )
    page = import_through_the_pages(client, route_map, text)
    assert "1 new outcome will be created: “Brothers and sisters stay together”." in page
    assert "Early 2026" in page

    draft = Edition.objects.drafts().get(route_map=route_map)
    outcome = draft.outcomes.get(title="Brothers and sisters stay together")
    assert outcome.slug == "brothers-and-sisters-stay-together"
    assert outcome.statement == "Children live with their brothers and sisters."
    assert list(draft.outcomes.order_by("order", "pk"))[-1] == outcome  # after its own
    assert [m.text for m in outcome.milestones.all()] == [
        "Councils will record where siblings live."
    ]
    [entry] = outcome.progress_entries.all()
    assert (entry.date_label, entry.date.isoformat()) == ("Early 2026", "2026-04-30")
    # Nothing is public until it is published.
    assert "Brothers and sisters" not in public_page(client, route_map)


def test_a_title_matching_an_existing_outcome_fills_that_outcome(client, editor):
    edition = build_route_map(outcomes=1)
    route_map = edition.route_map
    outcome = edition.outcomes.get()
    client.force_login(editor)
    rows = rows_of(export(client, route_map))
    row = {
        **dict.fromkeys(rows[0], ""),
        "outcome_title": f"  {outcome.title.upper()} ",
        "year": "2028",
        "status": "no_update",
        "text": "One more step.",
    }
    preview = imports.import_preview(route_map=route_map, text=to_csv([*rows, row]))
    assert not preview.errors
    assert not preview.new_outcomes
    assert [(a.outcome, a.values["text"]) for a in preview.added] == [(outcome, "One more step.")]


def test_an_older_file_without_statements_still_creates_its_outcomes(client, editor):
    route_map = RouteMapFactory()
    client.force_login(editor)
    text = (
        "milestone_id,outcome,outcome_title,year,status,text\n"
        ",,Safe homes,2026,in_progress,Build more homes.\n"
        ",,Safe homes,2027,no_update,Keep building.\n"
    )
    import_through_the_pages(client, route_map, text)
    draft = Edition.objects.drafts().get(route_map=route_map)
    outcome = draft.outcomes.get()
    assert (outcome.title, outcome.slug, outcome.statement) == ("Safe homes", "safe-homes", "")
    assert [(m.year, m.text) for m in outcome.milestones.order_by("year")] == [
        (2026, "Build more homes."),
        (2027, "Keep building."),
    ]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"outcome_title": ""}, "Unknown outcome"),
        ({"kind": "progress", "text": ""}, "Enter the progress entry's text"),
        ({"kind": "progress", "progress_date": "soon"}, "progress_date “soon” is not a date"),
        ({"outcome_organisations": "nobody:lead"}, "Unknown organisation “nobody”"),
        ({"outcome_organisations": "kibble:boss"}, "Unknown role “boss”"),
        ({"outcome_linked_route_maps": "nowhere"}, "Unknown route map “nowhere”"),
    ],
)
def test_bad_rows_for_new_outcomes_are_reported_and_nothing_is_made(client, editor, cells, message):
    from tests.factories import OrganisationFactory

    OrganisationFactory(slug="kibble")
    route_map = RouteMapFactory()
    row = {
        "milestone_id": "",
        "outcome": "",
        "outcome_title": "Safe homes",
        "outcome_statement": "",
        "outcome_organisations": "",
        "outcome_linked_route_maps": "",
        "kind": "",
        "year": "2026",
        "status": "no_update",
        "text": "Build more homes.",
        "date_label": "",
        "progress_date": "",
        **cells,
    }
    preview = imports.import_preview(route_map=route_map, text=to_csv([row]))
    assert [(e.line, message in e.message) for e in preview.errors] == [(2, True)], preview.errors
    client.force_login(editor)
    response = upload(client, route_map, to_csv([row]))
    page = client.get(response["Location"]).content.decode()
    assert "There is a problem" in page or "There are problems" in page
    assert not Edition.objects.filter(route_map=route_map).exists()


def test_a_progress_entry_removed_since_the_export_is_not_brought_back(client, editor):
    edition = build_route_map(outcomes=1)
    route_map = edition.route_map
    client.force_login(editor)
    rows = rows_of(export(client, route_map), every_kind=True)
    entry = ProgressEntry.objects.filter(outcome__edition=edition).first()
    editing.item_remove(route_map=route_map, kind="progress", key=entry.key, user=editor)
    preview = imports.import_preview(route_map=route_map, text=to_csv(rows))
    assert [e.message for e in preview.errors] == [
        f"Unknown progress entry {entry.key}: there is no such progress entry in this route "
        "map. Leave milestone_id empty to add a new progress entry."
    ]
    for row in rows:
        if row["milestone_id"] == str(entry.key):
            row["milestone_id"] = ""
    preview = imports.import_preview(route_map=route_map, text=to_csv(rows))
    assert not preview.errors
    assert [p.text for p in preview.added_progress] == [entry.text]
