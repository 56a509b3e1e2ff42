"""The admin cannot change what a pending document draft will publish: publishing the draft
would silently replace the admin's edit (the draft carries whole values, not differences)."""

import pytest
from django.urls import reverse

from sources import services as sources
from sources.models import Commitment, SourceDocument
from tests.factories import CommitmentFactory, PublisherFactory

pytestmark = pytest.mark.django_db


def _draft_change(commitment, user, **values):
    sources.commitment_draft_save(
        document=commitment.document,
        key=f"c{commitment.pk}",
        user=user,
        values={
            "title": commitment.title,
            "text": commitment.text,
            "timescale": commitment.timescale,
            "status": commitment.status,
            "progress_note": "",
            "section": None,
            "phase": None,
            "foundation": None,
            **values,
        },
        organisations=[],
        expected_revision=0,
    )


def _commitment_form(commitment, **values):
    prefixes = ["organisation_links", "outcome_links", "milestone_links"]
    data = {
        "document": commitment.document.pk,
        "order": commitment.order,
        "reference": commitment.reference,
        "title": commitment.title,
        "text": commitment.text,
        "timescale": commitment.timescale,
        "status": commitment.status,
        "progress_note": "",
        **values,
    }
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data


def test_an_admin_edit_is_kept_when_no_draft_waits(admin_client):
    commitment = CommitmentFactory(progress_note="")
    url = reverse("admin:sources_commitment_change", args=[commitment.pk])
    response = admin_client.post(url, _commitment_form(commitment, title="Edited in the admin"))
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.title == "Edited in the admin"


def test_a_commitment_with_a_pending_draft_change_cannot_be_edited_in_the_admin(admin_client):
    commitment = CommitmentFactory(progress_note="")
    publisher = PublisherFactory()
    _draft_change(commitment, publisher, progress_note="From the editor's draft")
    url = reverse("admin:sources_commitment_change", args=[commitment.pk])

    page = admin_client.get(url).content.decode()
    assert "has unpublished changes in the editor" in page
    assert 'name="title"' not in page  # shown, not editable

    # Nor can it be deleted from under the draft.
    assert (
        admin_client.post(
            reverse("admin:sources_commitment_delete", args=[commitment.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Commitment.objects.filter(pk=commitment.pk).exists()
    admin_client.post(url, _commitment_form(commitment, title="Edited in the admin"))
    sources.document_publish(document=commitment.document, user=publisher, note="Progress")
    commitment.refresh_from_db()
    assert commitment.title != "Edited in the admin"
    assert commitment.progress_note == "From the editor's draft"


def test_a_documents_drafted_fields_are_read_only_in_the_admin_while_a_draft_waits(admin_client):
    commitment = CommitmentFactory()
    document = commitment.document
    url = reverse("admin:sources_sourcedocument_change", args=[document.pk])
    assert 'name="summary"' in admin_client.get(url).content.decode()

    sources.document_draft_update(
        document=document, user=PublisherFactory(), values={"summary": "Drafted summary"}
    )
    page = admin_client.get(url).content.decode()
    assert "has unpublished changes in the editor" in page
    assert 'name="summary"' not in page
    assert 'name="title"' not in page
    assert SourceDocument.objects.get(pk=document.pk).summary != "Drafted summary"
