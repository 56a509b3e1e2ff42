"""The history an editor reads: one entry per save, headed with where its item is, each field
by its label with the difference marked; and a whole save restored in one step."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.text import cut_at_word
from editing import services
from milestones.models import Milestone, Status
from publishing.models import ChangeRecord
from tests.factories import (
    EditorFactory,
    MilestoneFactory,
    OrganisationFactory,
    OutcomeFactory,
    PublisherFactory,
    RouteMapFactory,
    build_route_map,
    build_source_document,
    edit_commitment_in_draft,
    edit_in_draft,
)
from tests.test_editing import milestone_post

pytestmark = pytest.mark.django_db

SHARED = "Publish guidance on kinship care assessments for every local authority in Scotland"


@pytest.fixture
def edition():
    return build_route_map(outcomes=2)


@pytest.fixture
def editor(client):
    user = EditorFactory(all_route_maps=True, first_name="Morag", last_name="Reid")
    client.force_login(user)
    return user


def history_url(route_map) -> str:
    return reverse("editing:history", args=[route_map.slug])


def milestone_history_url(route_map, milestone) -> str:
    return reverse("editing:milestone_history", args=[route_map.slug, milestone.key])


def entries(page: str) -> list[str]:
    """Each save's entry on a history page, newest first."""
    return page.split('<li class="history-list__item"')[1:]


def draft_milestone(milestone) -> Milestone:
    return Milestone.objects.get(outcome__edition__state="draft", key=milestone.key)


def save_text_and_status(client, route_map, milestone):
    """One save changing two fields: a word of the text, and the status."""
    client.post(
        reverse("editing:milestone", args=[route_map.slug, milestone.key]),
        milestone_post(
            milestone,
            text=milestone.text.replace(milestone.text.split()[0], "Rewritten", 1),
            status=Status.IN_PROGRESS,
        ),
    )
    return ChangeRecord.objects.filter(object_key=milestone.key).order_by("pk")


def restore(client, route_map, record, **data):
    return client.post(reverse("editing:restore", args=[route_map.slug, record.pk]), data)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# ------------------------------------------------------------------------------ grouping


def test_one_save_of_two_fields_is_one_entry(client, editor, route_map, milestone):
    records = save_text_and_status(client, route_map, milestone)
    assert [r.field for r in records] == ["text", "status"]
    assert len({r.save_key for r in records}) == 1
    page = client.get(history_url(route_map)).content.decode()
    (entry,) = entries(page)
    assert entry.count('<dt class="ds_summary-list__key">') == 2
    assert entry.count("Restore this save") == 1
    assert "Saved by Morag Reid on" in entry


def test_two_saves_are_two_entries(client, editor, route_map, milestone):
    edit_in_draft(milestone, {"progress_note": "First note"}, user=editor)
    edit_in_draft(draft_milestone(milestone), {"progress_note": "Second note"}, user=editor)
    page = client.get(milestone_history_url(route_map, milestone)).content.decode()
    assert len(entries(page)) == 2


def test_each_field_reads_by_its_label_and_status_by_its_name(client, editor, route_map, milestone):
    save_text_and_status(client, route_map, milestone)
    (entry,) = entries(client.get(history_url(route_map)).content.decode())
    assert '<dt class="ds_summary-list__key">Text</dt>' in entry
    assert '<dt class="ds_summary-list__key">Status</dt>' in entry
    assert "No update yet" in entry and "In progress" in entry
    assert "no_update" not in entry and "in_progress" not in entry


def test_reworded_text_marks_the_words_that_changed(client, editor, route_map, milestone):
    first = milestone.text.split()[0]
    save_text_and_status(client, route_map, milestone)
    (entry,) = entries(client.get(history_url(route_map)).content.decode())
    assert "Words changed" in entry
    assert re.search(rf'<del class="word-diff__del">.*?{re.escape(first)}', entry)
    assert re.search(r'<ins class="word-diff__ins">.*?Rewritten', entry)
    # The whole text stays at hand, folded away.
    assert "Before and after in full" in entry


def test_bodies_read_as_names_with_their_roles(client, editor, route_map, milestone):
    body = OrganisationFactory(name="Social Work Scotland")
    post = milestone_post(milestone)
    post["lead_organisations"] = [body.pk]
    post.pop("contributing_organisations", None)
    post.pop("other_organisations", None)
    client.post(reverse("editing:milestone", args=[route_map.slug, milestone.key]), post)
    (entry,) = entries(client.get(history_url(route_map)).content.decode())
    assert '<dt class="ds_summary-list__key">Responsible bodies</dt>' in entry
    assert "Social Work Scotland (lead)" in entry
    assert body.slug not in entry


# ------------------------------------------------------------------------------ context


def test_the_same_words_in_three_outcomes_are_told_apart_by_outcome_and_year(client, editor):
    edition = build_route_map(outcomes=0)
    route_map = edition.route_map
    milestones = [
        MilestoneFactory(
            outcome=OutcomeFactory(edition=edition, title=title), year=year, text=SHARED
        )
        for title, year in [("Early years", 2026), ("Kinship care", 2027), ("Secure care", 2028)]
    ]
    for milestone in milestones:
        edit_in_draft(milestone, {"progress_note": "A note"}, user=editor)
    page = client.get(history_url(route_map)).content.decode()
    headings = re.findall(r'<h2 class="ds_h4 history-list__heading">(.*?)</h2>', page)
    assert headings == [
        "<strong>Changed</strong>: Milestone in “Secure care”, 2028",
        "<strong>Changed</strong>: Milestone in “Kinship care”, 2027",
        "<strong>Changed</strong>: Milestone in “Early years”, 2026",
    ]


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis(client, editor, route_map, milestone):
    words = "Every care experienced young person has a trusted adult they can rely on " * 3
    milestone.text = words.strip()
    milestone.save()
    edit_in_draft(milestone, {"progress_note": "A note"}, user=editor)
    page = client.get(history_url(route_map)).content.decode()
    (title,) = re.findall(r'<p class="history-list__title">“(.*?)”</p>', page)
    assert title.endswith("…")
    assert milestone.text.startswith(title.removesuffix("…"))
    assert milestone.text[len(title) - 1] == " "  # the cut falls between words
    heading = client.get(milestone_history_url(route_map, milestone)).content.decode()
    assert cut_at_word(milestone.text, 100) in heading


def test_a_short_title_is_not_cut():
    assert cut_at_word("Publish the guidance", 90) == "Publish the guidance"
    assert cut_at_word("Publish the guid", 90, cut=True) == "Publish the…"


def test_a_document_save_is_one_entry_headed_with_the_commitment(client):
    client.force_login(PublisherFactory())
    document = build_source_document(commitments=1)
    commitment = document.commitments.get()
    edit_commitment_in_draft(commitment, {"status": Status.IN_PROGRESS, "timescale": "2027-28"})
    page = client.get(reverse("sources-edit:history", args=[document.slug])).content.decode()
    (entry,) = entries(page)
    assert f"<strong>Changed</strong>: Commitment {commitment.reference}</h2>" in entry
    assert '<dt class="ds_summary-list__key">Status</dt>' in entry
    assert '<dt class="ds_summary-list__key">Timescale</dt>' in entry
    assert "Restore this save" not in entry  # documents' saves are not restored from here


# ------------------------------------------------------------------------------ restore


def test_restoring_a_two_field_save_puts_both_back_in_one_step(
    client, editor, route_map, milestone
):
    records = save_text_and_status(client, route_map, milestone)
    page = client.get(history_url(route_map)).content.decode()
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    response = restore(client, route_map, records[1], revision=revision, back="route_map")
    assert response.status_code == 302
    assert response["Location"] == history_url(route_map)
    restored = draft_milestone(milestone)
    assert (restored.text, restored.status) == (milestone.text, Status.NO_UPDATE)
    again = ChangeRecord.objects.filter(object_key=milestone.key, action="restored")
    assert sorted(again.values_list("field", flat=True)) == ["status", "text"]
    assert len(set(again.values_list("save_key", flat=True))) == 1
    (message,) = messages_of(response)
    assert message.startswith("Restored the earlier text and status of the milestone")
    assert f"({milestone.outcome.title}, 2027)" in message


def test_restoring_from_a_milestones_history_returns_there(client, editor, route_map, milestone):
    records = save_text_and_status(client, route_map, milestone)
    revision = draft_milestone(milestone).revision
    response = restore(client, route_map, records[0], revision=revision, back="milestone")
    assert response["Location"] == milestone_history_url(route_map, milestone)


def test_a_save_changed_since_the_history_was_opened_is_not_restored(
    client, editor, route_map, milestone
):
    records = save_text_and_status(client, route_map, milestone)
    opened_at = draft_milestone(milestone).revision
    edit_in_draft(draft_milestone(milestone), {"progress_note": "Someone else's note"})
    response = restore(client, route_map, records[0], revision=opened_at)
    assert response["Location"] == history_url(route_map)
    assert draft_milestone(milestone).status == Status.IN_PROGRESS
    assert not ChangeRecord.objects.filter(action="restored").exists()
    message = messages_of(response)[-1]
    assert message.startswith("Nothing was restored: this milestone was saved again")


def test_a_save_of_a_milestone_no_longer_in_the_draft_is_not_restored(
    client, editor, route_map, milestone
):
    records = save_text_and_status(client, route_map, milestone)
    services.item_remove(route_map=route_map, kind="milestone", key=milestone.key, user=editor)
    page = client.get(history_url(route_map)).content.decode()
    assert "Restore this save" not in page
    response = restore(client, route_map, records[0], revision=1)
    assert response["Location"] == history_url(route_map)
    assert messages_of(response) == ["That milestone is not in this route map."]
    assert not ChangeRecord.objects.filter(action="restored").exists()


def test_restoring_needs_the_right_to_edit_that_route_map(client, route_map, milestone):
    client.force_login(EditorFactory(all_route_maps=True))
    records = save_text_and_status(client, route_map, milestone)
    client.force_login(EditorFactory())  # edits other route maps only
    response = restore(client, route_map, records[0], revision=1)
    assert response.status_code == 403
    assert draft_milestone(milestone).status == Status.IN_PROGRESS
    client.logout()
    assert restore(client, route_map, records[0]).status_code == 302  # to sign in
    assert draft_milestone(milestone).status == Status.IN_PROGRESS
    assert not ChangeRecord.objects.filter(action="restored").exists()


def test_a_record_that_is_not_there_or_of_another_route_map_is_404(
    client, editor, route_map, milestone
):
    records = save_text_and_status(client, route_map, milestone)
    missing = reverse("editing:restore", args=[route_map.slug, records.last().pk + 100])
    assert client.post(missing).status_code == 404
    other = RouteMapFactory()
    elsewhere = reverse("editing:restore", args=[other.slug, records[0].pk])
    assert client.post(elsewhere).status_code == 404
    assert not ChangeRecord.objects.filter(action="restored").exists()


def test_a_revision_that_is_not_a_number_restores_nothing(client, editor, route_map, milestone):
    records = save_text_and_status(client, route_map, milestone)
    response = restore(client, route_map, records[0], revision="soon")
    assert response.status_code == 302
    assert draft_milestone(milestone).status == Status.IN_PROGRESS


def test_a_restore_is_itself_a_save_that_can_be_restored(client, editor, route_map, milestone):
    records = save_text_and_status(client, route_map, milestone)
    restore(client, route_map, records[0], revision=draft_milestone(milestone).revision)
    restored = ChangeRecord.objects.filter(action="restored").first()
    restore(client, route_map, restored, revision=draft_milestone(milestone).revision)
    assert draft_milestone(milestone).status == Status.IN_PROGRESS


# ------------------------------------------------------------------------------ queries


@pytest.mark.parametrize("saves", [2, 20])
def test_the_history_page_reads_in_a_bounded_number_of_queries(
    client, editor, saves, django_assert_max_num_queries
):
    edition = build_route_map(outcomes=2)
    route_map = edition.route_map
    milestones = list(Milestone.objects.filter(outcome__edition=edition).order_by("pk"))
    body = OrganisationFactory()
    for number in range(saves):
        milestone = milestones[number % len(milestones)]
        current = Milestone.objects.filter(
            outcome__edition__route_map=route_map, key=milestone.key
        ).latest("outcome__edition_id")
        services.milestone_update(
            route_map=route_map,
            key=milestone.key,
            user=editor,
            values={"text": f"{milestone.text} {number}", "status": Status.IN_PROGRESS},
            organisations=[services.OrganisationChoice(body, "lead")],
            expected_revision=current.revision,
        )
    with django_assert_max_num_queries(16):
        response = client.get(history_url(route_map))
    assert len(entries(response.content.decode())) == saves
