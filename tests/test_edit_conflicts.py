"""No silent lost update outside milestones: an outcome, a progress entry and a route map's
details are saved from a form that carries the revision it was opened at, so a save made
after someone else's is refused, showing their words and keeping the editor's, and saving
again is a deliberate choice. Revisions survive the draft copy and the publish."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from editing import services
from outcomes.models import Outcome, ProgressEntry
from routemap.models import Edition
from tests.factories import EditorFactory, PublisherFactory, build_route_map

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@dataclass
class Kind:
    thing: str  # as the conflict summary names it: "Someone else changed this <thing>"
    page: str  # where the form is opened
    url: str  # where it is posted
    field: str  # a text field both editors type into
    key: object = None  # of the outcome or progress entry

    def saved(self, route_map) -> str:
        """The field's value in the draft now."""
        draft = Edition.objects.drafts().get(route_map=route_map)
        if self.thing == "outcome":
            return getattr(draft.outcomes.get(key=self.key), self.field)
        if self.thing == "progress entry":
            entry = ProgressEntry.objects.get(outcome__edition=draft, key=self.key)
            return getattr(entry, self.field)
        return getattr(draft, self.field)


def kind_for(name: str, edition) -> Kind:
    slug = edition.route_map.slug
    outcome = edition.outcomes.order_by("order").first()
    entry = outcome.progress_entries.order_by("order").first()
    return {
        "outcome": Kind(
            "outcome",
            page=reverse("editing:outcome", args=[slug, outcome.key]),
            url=reverse("editing:outcome", args=[slug, outcome.key]),
            field="statement",
            key=outcome.key,
        ),
        "progress": Kind(
            "progress entry",
            page=reverse("editing:progress", args=[slug, entry.key]),
            url=reverse("editing:progress", args=[slug, entry.key]),
            field="text",
            key=entry.key,
        ),
        "details": Kind(
            "route map",  # "...this route map's details"
            page=reverse("editing:route_map", args=[slug]),
            url=reverse("editing:details", args=[slug]),
            field="summary",
        ),
    }[name]


def opened(client, kind: Kind) -> dict:
    """The form as the page gives it to the editor, as it would be posted back."""
    form = client.get(kind.page).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = "" if value is None else str(value)
    return data


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def edition():
    return build_route_map(outcomes=1)


@pytest.fixture(params=["outcome", "progress", "details"])
def kind(request, edition):
    return kind_for(request.param, edition)


# A progress entry's form is a page of its own, sent without htmx.
@pytest.mark.parametrize(
    "name, with_htmx",
    [
        ("outcome", False),
        ("outcome", True),
        ("progress", False),
        ("details", False),
        ("details", True),
    ],
)
def test_a_save_from_a_stale_form_is_refused_showing_their_words_and_keeping_mine(
    edition, name, with_htmx
):
    kind = kind_for(name, edition)
    headers = HTMX if with_htmx else {}
    route_map = edition.route_map
    alex = signed_in(EditorFactory(all_route_maps=True, username="alex"))
    sam = signed_in(EditorFactory(all_route_maps=True, username="sam"))
    sams_form = opened(sam, kind)  # Sam opens the form, then Alex saves the same thing

    assert (
        alex.post(kind.url, {**opened(alex, kind), kind.field: "Words of Alex"}).status_code == 302
    )
    response = sam.post(kind.url, {**sams_form, kind.field: "Words typed by Sam"}, headers=headers)

    body = response.content.decode()
    assert response.status_code == (200 if with_htmx else 409)  # htmx swaps only a 200
    assert f"Someone else changed this {kind.thing}" in body
    assert "alex" in body and "Words of Alex" in body  # what the other person changed
    assert "Words typed by Sam" in body  # kept in the form
    assert kind.saved(route_map) == "Words of Alex"  # nothing of Sam's was saved
    if not with_htmx:
        assert "<title>Error: " in body

    # The form now carries Alex's revision: saving again replaces Alex's words, deliberately.
    again = dict(response.context["form"].data.lists())
    response = sam.post(kind.url, again, headers=headers)
    assert response.status_code == (200 if with_htmx else 302)
    assert kind.saved(route_map) == "Words typed by Sam"


@pytest.mark.parametrize("name", ["outcome", "details"])
def test_a_form_kept_on_the_page_after_an_htmx_save_saves_again(edition, name):
    """The form stays in place after an htmx save, now at the revision just saved: the same
    editor saving it again is not someone else's change."""
    kind = kind_for(name, edition)
    editor = signed_in(EditorFactory(all_route_maps=True))
    first = editor.post(kind.url, {**opened(editor, kind), kind.field: "First"}, headers=HTMX)
    assert "Saved to the draft." in first.content.decode()
    again = {**dict(first.context["form"].data.lists()), kind.field: "Second"}
    second = editor.post(kind.url, again, headers=HTMX)
    assert "Saved to the draft." in second.content.decode()
    assert "Someone else changed" not in second.content.decode()
    assert kind.saved(edition.route_map) == "Second"


def test_a_form_without_its_revision_is_refused_rather_than_trusted(edition, kind):
    editor = signed_in(EditorFactory(all_route_maps=True))
    form = {**opened(editor, kind), kind.field: "Sent from an old page", "revision": ""}
    response = editor.post(kind.url, form)
    assert response.status_code == 409
    assert "Sent from an old page" in response.content.decode()


def test_revisions_survive_the_draft_copy_and_the_publish(edition):
    """Each save counts; a draft copied from the live version keeps its revisions, so a form
    opened on the live version saves into the new draft without a conflict."""
    route_map = edition.route_map
    outcome = edition.outcomes.first()
    entry = outcome.progress_entries.first()
    editor = EditorFactory(all_route_maps=True)
    services.outcome_update(
        route_map=route_map,
        key=outcome.key,
        user=editor,
        values={"statement": "Saved once"},
        organisations=[],
        linked_route_maps=[],
        expected_revision=1,
    )
    services.progress_update(
        route_map=route_map,
        key=entry.key,
        user=editor,
        values={"text": "Saved once"},
        expected_revision=1,
    )
    services.route_map_update(
        route_map=route_map,
        user=editor,
        values={"summary": "Saved once"},
        what_matters=[],
        expected_revision=1,
    )
    services.route_map_publish(route_map=route_map, user=PublisherFactory(), note="Once")

    def revisions(state):
        version = Edition.objects.get(route_map=route_map, state=state)
        return (
            version.revision,
            Outcome.objects.get(edition=version, key=outcome.key).revision,
            ProgressEntry.objects.get(outcome__edition=version, key=entry.key).revision,
        )

    assert revisions(Edition.State.PUBLISHED) == (2, 2, 2)
    assert revisions(Edition.State.SUPERSEDED) == (1, 1, 1)  # history is never written to

    client = signed_in(editor)
    for name in ["outcome", "progress", "details"]:
        kind = kind_for(name, Edition.objects.get(route_map=route_map, state="published"))
        form = opened(client, kind)  # the live version: no draft yet, or the copy of it
        assert form["revision"] == "2"
        assert client.post(kind.url, {**form, kind.field: "Saved twice"}).status_code == 302
    assert revisions(Edition.State.DRAFT) == (3, 3, 3)
