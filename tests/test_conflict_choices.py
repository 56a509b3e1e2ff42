"""A save refused as an edit conflict shows exactly what the other editor changed since this
editor opened the form: each field by its label, as the words that changed (choices by their
labels), beside what this editor typed; and the three ways on each do what they say."""

import re

import pytest
from django.urls import reverse

from editing import services
from milestones.models import Milestone, Status
from routemap.models import Edition
from tests.factories import EditorFactory, build_route_map
from tests.test_edit_conflicts import opened, signed_in

pytestmark = pytest.mark.django_db

LONG = (
    "Every local authority publishes a plan for kinship carers that sets out the support "
    "they can expect, how to ask for it and who answers, reviewed each year with carers "
    "and the children they care for, so that no family waits for help it was promised. "
) * 3


@pytest.fixture
def edition():
    return build_route_map(outcomes=1)


@pytest.fixture
def milestone(edition):
    return Milestone.objects.filter(outcome__edition=edition).order_by("pk").first()


def conflict_block(body: str) -> str:
    """The conflict summary alone, not the form below it."""
    start = body.index('id="conflict"')
    return body[start : body.index("Keep my version", start)]


def _draft_milestone(milestone) -> Milestone:
    return Milestone.objects.get(outcome__edition__state="draft", key=milestone.key)


def _save_milestone(milestone, user, **values):
    current = Milestone.objects.filter(key=milestone.key).order_by("-pk").first()
    services.milestone_update(
        route_map=milestone.outcome.edition.route_map,
        key=milestone.key,
        user=user,
        values=values,
        organisations=[],
        expected_revision=current.revision,
    )


@pytest.fixture
def milestone_conflict(edition, milestone):
    """Casey changed the progress note before Sam opened the form; Alex reworded the long
    text and set the status after; Sam typed a progress note and saved."""
    _save_milestone(milestone, EditorFactory(username="casey"), progress_note="Casey's old note")
    _save_milestone(milestone, EditorFactory(username="casey"), text=LONG)
    url = reverse("editing:milestone", args=[edition.route_map.slug, milestone.key])
    sam = signed_in(EditorFactory(all_route_maps=True, username="sam"))
    sams_form = opened(sam, type("Page", (), {"page": url})())
    _save_milestone(
        milestone,
        EditorFactory(username="alex"),
        text=LONG.replace("reviewed each year", "reviewed every six months", 1),
        status=Status.IN_PROGRESS,
    )
    response = sam.post(url, {**sams_form, "progress_note": "Sam's careful note"})
    return sam, url, response


def test_a_conflict_shows_only_what_changed_since_the_form_was_opened_by_label(
    milestone_conflict,
):
    _, _, response = milestone_conflict
    assert response.status_code == 409
    body = response.content.decode()
    block = conflict_block(body)
    fields = re.findall(r'<h3 class="conflict__field"[^>]*>([^<]*)</h3>', block)
    assert fields == ["Milestone", "Status"]  # labels, in the form's order; not the old note
    assert "Casey&#x27;s old note" not in block and "casey" not in block
    assert "alex saved it at" in block
    # The words that changed, marked in place, in a 400-character text
    assert '<del class="word-diff__del"><span class="visually-hidden">[removed: </span>' in block
    removed = re.findall(r"\[removed: </span>([^<]*)<", block)
    added = re.findall(r"\[added: </span>([^<]*)<", block)
    assert "each" in " ".join(removed) and "year" in " ".join(removed)
    assert "every" in " ".join(added) and "months" in " ".join(added)
    assert "Every local authority" in block  # the unchanged words too, as they read
    # A status by its label, never its stored value
    assert "In progress" in block and "in_progress" not in block
    # Beside it what Sam typed: the text Sam left as opened, and the note in the form
    assert "What you typed" in block
    assert "Sam&#x27;s careful note" in body.split("Keep my version", 1)[1]
    assert "<title>Error: " in body


def test_keep_my_version_saves_what_was_typed_over_theirs(milestone_conflict, milestone):
    sam, url, response = milestone_conflict
    again = {**dict(response.context["form"].data.lists()), "conflict_choice": "mine"}
    assert sam.post(url, again).status_code == 302
    saved = _draft_milestone(milestone)
    assert saved.progress_note == "Sam's careful note"
    # Sam's form held the text as Sam opened it: keeping Sam's version puts it back
    assert "reviewed each year" in saved.text
    assert saved.status == Status.NO_UPDATE  # Sam's whole form, as Sam left it


def test_use_their_version_opens_the_form_with_the_saved_values(milestone_conflict, milestone):
    sam, _, response = milestone_conflict
    their_url = re.search(r'href="([^"]*)"[^>]*>Use their version<', response.content.decode())
    form = sam.get(their_url.group(1)).context["form"]
    assert form.initial["text"] == _draft_milestone(milestone).text
    assert "every six months" in form.initial["text"]
    assert form.initial["progress_note"] == "Casey's old note"  # Sam's typing is dropped
    assert form.initial["revision"] == _draft_milestone(milestone).revision
    assert _draft_milestone(milestone).progress_note == "Casey's old note"  # nothing saved


def test_merge_by_hand_keeps_both_in_view_at_the_first_changed_field(milestone_conflict):
    _, _, response = milestone_conflict
    body = response.content.decode()
    assert re.search(r'href="#id_text"[^>]*>Merge by hand<', body)
    form = body.split("Keep my version", 1)[1]
    assert "Sam&#x27;s careful note</textarea>" in form
    assert "Their version in full" in conflict_block(body)
    assert "every six months" in conflict_block(body)


def test_an_htmx_conflict_in_place_offers_their_version_in_place(milestone_conflict, milestone):
    sam, url, response = milestone_conflict
    again = dict(response.context["form"].data.lists())
    sam_typed = {**again, "progress_note": "Later typing"}
    _save_milestone(milestone, EditorFactory(username="morag"), progress_note="Morag's note")
    htmx = sam.post(url, sam_typed, headers={"HX-Request": "true"})
    body = htmx.content.decode()
    assert htmx.status_code == 200
    assert f'data-hx-target="#edit-milestone-{milestone.key}"' in body
    block = conflict_block(body)
    # Only Morag's change since the form came back to Sam: not Alex's again
    assert re.findall(r'<h3 class="conflict__field"[^>]*>([^<]*)</h3>', block) == ["Progress note"]
    assert "morag saved it" in block and "alex" not in block
    assert 'tabindex="-1"' in body and "data-focus-here" in body


def test_route_map_details_are_named_by_their_labels(edition):
    slug = edition.route_map.slug
    page = type("Page", (), {"page": reverse("editing:route_map", args=[slug])})()
    sam = signed_in(EditorFactory(all_route_maps=True, username="sam"))
    sams_form = opened(sam, page)
    alex = signed_in(EditorFactory(all_route_maps=True, username="alex"))
    alex.post(
        reverse("editing:details", args=[slug]),
        {**opened(alex, page), "summary_detail": "More detail from Alex", "introduction": "Hi"},
    )
    response = sam.post(
        reverse("editing:details", args=[slug]), {**sams_form, "summary": "Sam's summary"}
    )
    block = conflict_block(response.content.decode())
    fields = re.findall(r'<h3 class="conflict__field"[^>]*>([^<]*)</h3>', block)
    assert fields == ["Introduction", "Where is Scotland now? (more detail)"]
    text = re.sub(r"<[^>]+>", "", block)
    assert "summarydetail" not in text and "summary_detail" not in text
    # Sam's version of the details Sam did not touch: what Sam opened
    draft = Edition.objects.drafts().get(route_map=edition.route_map)
    assert draft.summary_detail == "More detail from Alex"
    again = {**dict(response.context["form"].data.lists()), "conflict_choice": "mine"}
    assert sam.post(reverse("editing:details", args=[slug]), again).status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "Sam's summary"
