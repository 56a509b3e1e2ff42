"""Windows line endings are never a change: a browser sends every textarea's line breaks as
"\\r\\n" and a spreadsheet saved on Windows writes them into cells, while the stored text has
"\\n". Changing only a status must record, publish and announce only the status."""

import csv
import io

import pytest
from django.urls import reverse

from editing import imports
from editing.forms import MilestoneForm
from milestones.models import Milestone, Status
from publishing.models import ChangeRecord
from routemap.models import Edition, RouteMap
from tests.factories import PublisherFactory

pytestmark = pytest.mark.django_db

SLUG = "where-children-live"
CROSS_BORDER = "There is currently limited national clarity on arrangements"


@pytest.fixture
def publisher(client, seeded):
    user = PublisherFactory()
    client.force_login(user)
    return user


def multi_line_milestone() -> Milestone:
    milestone = Milestone.objects.published().get(text__startswith=CROSS_BORDER)
    assert "\n" in milestone.text and "\r" not in milestone.text
    return milestone


def as_a_browser_posts(initial: dict) -> dict:
    """The form as first shown, submitted as a browser submits it: textareas with CRLF, an
    unticked box left out, lists as repeated fields."""
    data = {}
    for name, value in initial.items():
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, str):
            data[name] = value.replace("\n", "\r\n")
        else:
            data[name] = value
    return data


def wording_of_changes(client) -> str:
    changes = client.get(reverse("routemap:changes", args=[SLUG])).content.decode()
    feed = client.get(reverse("routemap:feed", args=[SLUG])).content.decode()
    return changes + feed


def test_a_status_change_through_the_full_page_form_is_only_a_status_change(client, publisher):
    milestone = multi_line_milestone()
    url = reverse("editing:milestone", args=[SLUG, milestone.key])
    assert client.get(url).status_code == 200
    data = as_a_browser_posts(MilestoneForm.initial_for(milestone))
    assert "\r\n" in data["text"]
    data["status"] = Status.IN_PROGRESS

    response = client.post(url, data)
    assert response.status_code == 302

    records = ChangeRecord.objects.for_object(milestone.key)
    assert [(r.field, r.before, r.after) for r in records] == [
        ("status", Status.NO_UPDATE, Status.IN_PROGRESS)
    ]
    draft = Milestone.objects.get(outcome__edition__in=Edition.objects.drafts(), key=milestone.key)
    assert draft.text == milestone.text

    publish_url = reverse("editing:publish", args=[SLUG])
    preview = client.get(publish_url).content.decode()
    assert "reworded" not in preview
    assert "Status changed from No update yet to In progress" in preview
    client.post(publish_url, {"note": "Cross-border placements: in progress."})

    assert RouteMap.objects.get(slug=SLUG).live_edition.number == 2
    published = wording_of_changes(client)
    assert "Status changed from No update yet to In progress" in published
    assert "reworded" not in published


def test_a_spreadsheet_saved_with_windows_line_endings_changes_only_the_status(client, publisher):
    milestone = multi_line_milestone()
    export = client.get(reverse("editing:export_csv", args=[SLUG]))
    text = b"".join(export.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        for column, value in row.items():
            row[column] = value.replace("\n", "\r\n")
        if row["milestone_id"] == str(milestone.key):
            row["status"] = Status.IN_PROGRESS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)

    preview = imports.import_preview(route_map=RouteMap.objects.get(slug=SLUG), text=out.getvalue())
    assert not preview.errors
    imports.route_map_import_apply(
        route_map=RouteMap.objects.get(slug=SLUG), user=publisher, preview=preview
    )
    records = ChangeRecord.objects.exclude(field="")
    assert [(r.object_key, r.field) for r in records] == [(milestone.key, "status")]
