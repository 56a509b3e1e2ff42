"""Editors' review of partner updates: the note being replaced is seen and kept, the editor's
text is what goes in, a note saved meanwhile is never replaced unseen, commitment updates go
into the document's draft, and the queue works in place with htmx and without JavaScript."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from editing import services as editing
from milestones.models import Milestone, Status
from organisations.models import Role
from partners import services
from partners.models import ProgressUpdate
from partners.signals import update_reviewed
from publishing.models import ChangeRecord
from sources import services as sources
from sources.models import CommitmentChange, CommitmentOrganisation
from tests.factories import (
    CommitmentFactory,
    CommitmentUpdateFactory,
    EditorFactory,
    MilestoneOrganisationFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    PublisherFactory,
    RouteMapFactory,
    SourceDocumentFactory,
    build_route_map,
)

pytestmark = pytest.mark.django_db

QUEUE = "/edit/updates/"
HTMX = {"HTTP_HX_REQUEST": "true"}
EDITORS_NOTE = "Editors met the inspectorate in October; a report is due in spring."


@pytest.fixture
def contributor():
    return OrganisationFactory(name="COSLA")


@pytest.fixture
def edition(lead):
    return build_route_map(outcomes=1, organisations=[lead, OrganisationFactory()])


@pytest.fixture
def milestone(edition, contributor):
    """A 2027 milestone that names two bodies: the lead and a contributor."""
    milestone = Milestone.objects.filter(outcome__edition=edition, year=2027).get()
    milestone.organisation_links.update(role=Role.LEAD)
    MilestoneOrganisationFactory(milestone=milestone, organisation=contributor, role="contributor")
    return milestone


def organisations_of(milestone):
    return [
        editing.OrganisationChoice(link.organisation, link.role)
        for link in milestone.organisation_links.select_related("organisation")
    ]


def save_note(route_map, milestone, note, user=None):
    """An editor saves a progress note on the milestone in the draft."""
    current = editing.editable_edition(route_map).outcomes.get().milestones.get(key=milestone.key)
    return editing.milestone_update(
        route_map=route_map,
        key=milestone.key,
        user=user,
        values={"progress_note": note},
        organisations=organisations_of(current),
        expected_revision=current.revision,
    )


def draft_milestone(milestone):
    return Milestone.objects.get(outcome__edition__state="draft", key=milestone.key)


@pytest.fixture
def update(milestone, lead):
    return ProgressUpdateFactory(
        milestone=milestone, organisation=lead, proposed_status="achieved", note="All done."
    )


@pytest.fixture
def editor(route_map):
    return EditorFactory(
        username="erin", first_name="Erin", last_name="Reid", route_maps=[route_map]
    )


def credited(update, text=None):
    day = timezone.localdate(update.created_at)
    return f"{text or update.note} (Update from {update.organisation.name}, {day.day} {day:%B %Y})"


def post_accept(client, update, *, note, revision, **headers):
    prefix = f"update-{update.pk}"
    return client.post(
        reverse("partners_review:accept", args=[update.pk]),
        {f"{prefix}-note": note, f"{prefix}-revision": revision},
        **headers,
    )


# ------------------------------------------------------------------------- accepting: notes


def test_accepting_records_the_note_it_replaced_and_the_note_it_put(
    route_map, milestone, update, editor
):
    drafted = save_note(route_map, milestone, EDITORS_NOTE)
    services.progress_update_accept(update=update, user=editor, expected_revision=drafted.revision)
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.ACCEPTED
    assert update.replaced_note == EDITORS_NOTE
    assert update.accepted_note == credited(update)
    assert draft_milestone(milestone).progress_note == credited(update)
    record = ChangeRecord.objects.get(object_key=milestone.key, field="progress_note", user=editor)
    assert (record.before, record.after) == (EDITORS_NOTE, credited(update))


def test_the_editors_text_is_what_goes_in_the_draft_with_the_partners_status(
    route_map, milestone, update, editor, lead
):
    text = credited(update, "All done; the final report is published.")
    services.progress_update_accept(
        update=update, user=editor, note=f"  {text}\n", expected_revision=milestone.revision
    )
    draft = draft_milestone(milestone)
    assert draft.progress_note == text
    assert draft.status == Status.ACHIEVED
    assert draft.status_updated_by == lead
    assert draft.status_updated_on == update.reported_on
    # The accept keeps the milestone's bodies and roles as they were.
    assert {(link.organisation.name, link.role) for link in draft.organisation_links.all()} == {
        ("Care Inspectorate", "lead"),
        ("COSLA", "contributor"),
    }
    update.refresh_from_db()
    assert update.accepted_note == text
    assert update.replaced_note == ""


def test_a_note_saved_after_the_page_was_opened_is_not_replaced(
    route_map, milestone, update, editor
):
    seen = milestone.revision  # the editor opens the queue: no draft yet
    save_note(route_map, milestone, EDITORS_NOTE, user=EditorFactory(username="olga"))
    with pytest.raises(editing.EditConflict) as conflict:
        services.progress_update_accept(update=update, user=editor, expected_revision=seen)
    assert conflict.value.current.progress_note == EDITORS_NOTE
    assert draft_milestone(milestone).progress_note == EDITORS_NOTE
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PENDING
    assert update.replaced_note == ""


def test_accepting_sends_the_reviewed_signal_once_committed(
    milestone, update, editor, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, update, **kwargs):
        received.append((update.pk, update.state))

    update_reviewed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.progress_update_accept(
                update=update, user=editor, expected_revision=milestone.revision
            )
    finally:
        update_reviewed.disconnect(receiver)
    assert received == [(update.pk, ProgressUpdate.State.ACCEPTED)]


def test_an_empty_note_is_refused_by_the_service(milestone, update, editor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.progress_update_accept(update=update, user=editor, note="  ")
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PENDING


# ------------------------------------------------------------------------- commitments


@pytest.fixture
def document():
    return SourceDocumentFactory(title="The Promise Scotland plan")


@pytest.fixture
def commitment(document, lead, contributor):
    commitment = CommitmentFactory(
        document=document, reference="8.2", progress_note="Published note.", timescale="2025-26"
    )
    CommitmentOrganisation.objects.create(
        commitment=commitment, organisation=lead, role="lead", order=1
    )
    CommitmentOrganisation.objects.create(
        commitment=commitment, organisation=contributor, role="", order=2
    )
    return commitment


@pytest.fixture
def commitment_update(commitment, lead):
    return CommitmentUpdateFactory(
        commitment=commitment, organisation=lead, proposed_status="in_progress", note="Started."
    )


@pytest.fixture
def document_editor(document):
    return EditorFactory(username="dora", source_documents=[document])


def test_a_commitment_update_goes_into_the_documents_draft_credited_to_the_partner(
    commitment, commitment_update, document_editor, lead, clock
):
    clock.move_to(datetime.date(2026, 12, 3))  # accepted days after it was sent
    services.progress_update_accept(
        update=commitment_update, user=document_editor, expected_revision=0
    )
    change = CommitmentChange.objects.get(commitment=commitment)
    assert change.status == Status.IN_PROGRESS
    assert change.progress_note == credited(commitment_update)
    assert change.status_updated_by == lead
    assert change.status_updated_on == commitment_update.reported_on != datetime.date(2026, 12, 3)
    assert change.title == commitment.title and change.text == commitment.text
    assert [link.role for link in change.organisation_links.all()] == ["lead", ""]
    commitment.refresh_from_db()
    assert commitment.status == Status.NO_UPDATE  # live until the document is published
    commitment_update.refresh_from_db()
    assert commitment_update.replaced_note == "Published note."
    assert commitment_update.accepted_note == credited(commitment_update)
    record = ChangeRecord.objects.get(document__isnull=False, field="progress note")
    assert (record.before, record.after, record.user) == (
        "Published note.",
        credited(commitment_update),
        document_editor,
    )


def test_a_commitment_changed_in_the_draft_since_is_not_overwritten(
    document, commitment, commitment_update, document_editor
):
    item = sources.editable_commitment(document, None, f"c{commitment.pk}")
    sources.commitment_draft_save(
        document=document,
        key=item.key,
        user=None,
        values={
            **{n: getattr(item, n) for n in services.KEPT_COMMITMENT_FIELDS},
            "status": item.status,
            "progress_note": "An editor's newer note.",
        },
        organisations=item.organisations,
        expected_revision=0,
    )
    with pytest.raises(editing.EditConflict):
        services.progress_update_accept(
            update=commitment_update, user=document_editor, expected_revision=0
        )
    assert CommitmentChange.objects.get().progress_note == "An editor's newer note."


# ------------------------------------------------------------------------- permissions


def test_permissions_fail_closed_for_editors_of_other_route_maps_and_documents(
    update, commitment_update, route_map
):
    elsewhere = EditorFactory(
        route_maps=[RouteMapFactory()], source_documents=[SourceDocumentFactory()]
    )
    route_map_editor = EditorFactory(route_maps=[route_map])
    for user, refused in [
        (elsewhere, update),
        (elsewhere, commitment_update),
        (route_map_editor, commitment_update),
    ]:
        with pytest.raises(PermissionDenied):
            services.progress_update_accept(update=refused, user=user)
        with pytest.raises(PermissionDenied):
            services.progress_update_decline(update=refused, user=user, reason="No")
    assert set(ProgressUpdate.objects.values_list("state", flat=True)) == {"pending"}
    assert list(ProgressUpdate.objects.reviewable_by(elsewhere)) == []
    assert list(ProgressUpdate.objects.reviewable_by(route_map_editor)) == [update]


def test_each_editor_sees_and_reviews_only_their_own_kind(
    client, update, commitment_update, editor, document_editor
):
    client.force_login(editor)
    body = client.get(QUEUE).content.decode()
    assert f'id="update-{update.pk}"' in body
    assert f'id="update-{commitment_update.pk}"' not in body
    decline = reverse("partners_review:decline", args=[commitment_update.pk])
    assert client.get(decline).status_code == 403
    assert post_accept(client, commitment_update, note="x", revision=0).status_code == 403

    client.force_login(document_editor)
    body = client.get(QUEUE).content.decode()
    assert f'id="update-{commitment_update.pk}"' in body
    assert f'id="update-{update.pk}"' not in body
    assert post_accept(client, update, note="x", revision=1).status_code == 403
    commitment_update.refresh_from_db()
    update.refresh_from_db()
    assert update.state == commitment_update.state == ProgressUpdate.State.PENDING


# ------------------------------------------------------------------------- the queue page


def test_a_card_shows_the_draft_note_beside_the_proposed_one_and_every_body(
    client, route_map, milestone, update, editor
):
    drafted = save_note(route_map, milestone, EDITORS_NOTE)
    client.force_login(editor)
    body = client.get(QUEUE).content.decode()
    card = body[body.index(f'id="update-{update.pk}"') :]
    outcome = milestone.outcome
    assert f"Care Inspectorate: {route_map.title}, {outcome.title}, 2027" in card
    assert f'href="{route_map.get_absolute_url()}#milestone-{milestone.key}"' in card
    assert "Now in the draft" in card
    assert EDITORS_NOTE in card
    assert "Proposed by Care Inspectorate" in card
    assert '<del class="word-diff__del">' in card and '<ins class="word-diff__ins">' in card
    assert (
        'Care Inspectorate</strong> <span class="organisation-links__role">(lead, sent this update)'
        in card
    )
    assert 'COSLA <span class="organisation-links__role">(contributor)' in card
    assert f"{credited(update)}</textarea>" in card
    assert f'name="update-{update.pk}-revision" value="{drafted.revision}"' in card


def test_a_milestone_never_given_a_note_says_so(client, update, editor):
    client.force_login(editor)
    body = client.get(QUEUE).content.decode()
    assert "Now, as published" in body
    assert "No progress note yet" in body


def test_a_commitment_card_names_the_document_and_reference(
    client, commitment, commitment_update, document_editor
):
    client.force_login(document_editor)
    body = client.get(QUEUE).content.decode()
    assert "Care Inspectorate: The Promise Scotland plan, commitment 8.2" in body
    assert f'href="{commitment.get_absolute_url()}"' in body
    assert "Published note." in body
    assert 'COSLA <span class="organisation-links__role">(role not stated)' in body


def test_without_javascript_accepting_returns_to_the_queue_with_a_message(
    client, milestone, update, editor
):
    client.force_login(editor)
    response = post_accept(client, update, note=credited(update), revision=milestone.revision)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Accepted the update from Care Inspectorate" in body
    history = body[body.index("Recently reviewed") :]
    assert f"{milestone.outcome.title}, 2027" in history
    assert "Accepted</strong> by Erin Reid on" in history
    assert "Not yet public: a publisher publishes the draft." in history


def test_a_publisher_is_offered_the_route_maps_publish_page(client, route_map, milestone, update):
    client.force_login(PublisherFactory())
    response = post_accept(client, update, note="Done.", revision=milestone.revision, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{reverse("editing:publish", args=[route_map.slug])}"' in body
    body = client.get(QUEUE).content.decode()
    assert f'href="{reverse("editing:publish", args=[route_map.slug])}"' in body


def test_an_empty_note_shows_the_error_and_keeps_the_other_cards(
    client, milestone, update, editor, lead
):
    other = ProgressUpdateFactory(milestone=milestone, organisation=lead)
    client.force_login(editor)
    response = post_accept(client, update, note="   ", revision=milestone.revision)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<title>Error: " in body
    assert "There is a problem" in body
    assert "Enter the progress note to put in the draft." in body
    assert f'id="update-{other.pk}"' in body
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PENDING


def test_a_conflict_shows_the_other_note_keeps_the_typed_text_and_accepting_again_wins(
    client, route_map, milestone, update, editor
):
    client.force_login(editor)
    seen = milestone.revision
    save_note(route_map, milestone, EDITORS_NOTE, user=EditorFactory(first_name="Olga"))
    typed = "All done, as the partner says; edited by Erin."
    response = post_accept(client, update, note=typed, revision=seen)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this milestone" in body
    assert "Olga saved it" in body
    assert EDITORS_NOTE in body
    assert f"\n{typed}</textarea>" in body
    assert draft_milestone(milestone).progress_note == EDITORS_NOTE
    # The form now carries the current revision: accepting again replaces the note knowingly.
    current = draft_milestone(milestone).revision
    assert f'name="update-{update.pk}-revision" value="{current}"' in body
    assert post_accept(client, update, note=typed, revision=current).status_code == 302
    assert draft_milestone(milestone).progress_note == typed
    update.refresh_from_db()
    assert update.replaced_note == EDITORS_NOTE


# ------------------------------------------------------------------------- htmx


def test_htmx_accept_answers_with_the_cards_result_and_announces_it(
    client, milestone, update, editor
):
    client.force_login(editor)
    response = post_accept(client, update, note="Done.", revision=milestone.revision, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<li") or f'id="update-{update.pk}"' in body
    assert "<html" not in body
    assert f'<li class="review-card review-card--done" id="update-{update.pk}">' in body
    assert 'tabindex="-1" autofocus' in body
    assert (
        '<div id="review-announcement" data-hx-swap-oob="innerHTML">'
        "Accepted: the update from Care Inspectorate.</div>" in body
    )
    assert "No updates are waiting for review." in body
    assert "A publisher makes it public" in body
    assert (
        reverse(
            "editing:milestone_history",
            args=[milestone.outcome.edition.route_map.slug, milestone.key],
        )
        in body
    )


def test_htmx_errors_come_back_as_the_card_with_the_typed_text(client, milestone, update, editor):
    client.force_login(editor)
    response = post_accept(client, update, note="x" * 4001, revision=milestone.revision, **HTMX)
    assert response.status_code == 200  # htmx swaps only successful answers
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li class="review-card" id="update-{update.pk}">')
    assert "Keep the note to 4,000 characters or fewer." in body
    assert "x" * 4001 + "</textarea>" in body


def test_htmx_decline_in_place_and_its_errors(client, update, editor):
    client.force_login(editor)
    url = reverse("partners_review:decline", args=[update.pk])
    field = f"update-{update.pk}-reason"
    response = client.post(url, {field: " "}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="ds_details review-card__decline" open' in body
    assert "Enter why the update is declined." in body
    response = client.post(url, {field: "Please link the report."}, **HTMX)
    body = response.content.decode()
    assert "Declined: Care Inspectorate" in body
    assert "Reason given: Please link the report." in body
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.DECLINED


def test_htmx_on_an_update_someone_else_reviewed_says_so(
    client, route_map, milestone, update, editor
):
    olga = EditorFactory(first_name="Olga", route_maps=[route_map])
    services.progress_update_decline(update=update, user=olga, reason="No")
    client.force_login(editor)
    response = post_accept(client, update, note="Done.", revision=milestone.revision, **HTMX)
    assert "This update was already declined by Olga." in response.content.decode()


# ------------------------------------------------------------------------- publish and history


def test_the_publish_page_and_history_show_the_note_an_accept_replaced(
    client, route_map, milestone, update
):
    publisher = PublisherFactory()
    drafted = save_note(route_map, milestone, EDITORS_NOTE)
    services.progress_update_accept(
        update=update, user=publisher, expected_revision=drafted.revision
    )
    client.force_login(publisher)
    body = client.get(reverse("editing:publish", args=[route_map.slug])).content.decode()
    assert "Note replaced" in body
    # The live milestone had no note: the publish compares with what the public sees.
    assert credited(update) in body
    history = client.get(
        reverse("editing:milestone_history", args=[route_map.slug, milestone.key])
    ).content.decode()
    assert EDITORS_NOTE in history
    assert credited(update) in history
    assert "Words changed" in history


# ------------------------------------------------------------------------- queries


@pytest.mark.parametrize("scale", [1, 8])
def test_the_queue_runs_a_bounded_number_of_queries(client, scale, django_assert_max_num_queries):
    lead = OrganisationFactory()
    editor = EditorFactory()
    for _ in range(scale):
        edition = build_route_map(outcomes=1, organisations=[lead, OrganisationFactory()])
        edition.route_map.editors.add(editor)
        milestones = list(Milestone.objects.filter(outcome__edition=edition)[:2])
        ProgressUpdateFactory(milestone=milestones[0], organisation=lead)
        reviewed = ProgressUpdateFactory(milestone=milestones[1], organisation=lead)
        services.progress_update_decline(update=reviewed, user=editor, reason="No")
        document = SourceDocumentFactory()
        document.editors.add(editor)
        commitment = CommitmentFactory(document=document)
        CommitmentOrganisation.objects.create(commitment=commitment, organisation=lead, order=1)
        CommitmentUpdateFactory(commitment=commitment, organisation=lead)
    client.force_login(editor)
    with django_assert_max_num_queries(19):
        response = client.get(QUEUE)
    assert response.content.decode().count('class="review-card"') == 2 * scale


# ------------------------------------------------------------------- discarded drafts


def test_discarding_the_draft_sends_its_accepted_updates_back_for_review(route_map, update, editor):
    from editing.services import route_map_discard_draft

    services.progress_update_accept(update=update, user=editor)
    published = ProgressUpdateFactory(
        milestone=Milestone.objects.filter(outcome__edition__route_map=route_map).first(),
        organisation=update.organisation,
        state=ProgressUpdate.State.ACCEPTED,
        published_at=timezone.now(),
    )
    route_map_discard_draft(route_map=route_map, user=editor)

    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PENDING
    assert (update.reviewed_by, update.accepted_note, update.replaced_note) == (None, "", "")
    assert ProgressUpdate.objects.pending().reviewable_by(editor).count() == 1
    # One already published stays as it was: what it said is public.
    published.refresh_from_db()
    assert published.state == ProgressUpdate.State.ACCEPTED


def test_discarding_a_documents_draft_sends_its_commitment_updates_back(
    document, commitment_update, document_editor
):
    from sources.services import document_draft_discard

    services.progress_update_accept(update=commitment_update, user=document_editor)
    document_draft_discard(document=document, user=document_editor)
    commitment_update.refresh_from_db()
    assert commitment_update.state == ProgressUpdate.State.PENDING


# ------------------------------------------------------------------------------ migration


def test_migration_dates_accepted_updates_by_the_publish_that_made_them_public(
    route_map, edition, milestone, lead
):
    """partners 0004: updates accepted before a publish of their route map get that publish's
    time; one accepted since, and pending or declined ones, get none."""
    import importlib

    from django.apps import apps as django_apps

    published_at = edition.published_at
    assert published_at is not None
    before = published_at - datetime.timedelta(days=2)
    made_public, waiting, declined = (
        ProgressUpdateFactory(milestone=milestone, organisation=lead, state=state)
        for state in ("accepted", "accepted", "declined")
    )
    ProgressUpdate.objects.filter(pk__in=[made_public.pk, declined.pk]).update(
        reviewed_at=before, created_at=before
    )
    ProgressUpdate.objects.filter(pk=waiting.pk).update(
        reviewed_at=published_at + datetime.timedelta(days=1)
    )
    migration = importlib.import_module(
        "partners.migrations.0004_update_commitments_withdraw_and_review_record"
    )
    migration.mark_published(django_apps, None)

    times = dict(ProgressUpdate.objects.values_list("pk", "published_at"))
    assert times == {made_public.pk: published_at, waiting.pk: None, declined.pk: None}
