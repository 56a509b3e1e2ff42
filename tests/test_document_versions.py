"""Source documents keep their published versions, as route maps do: every publish (and every
change made in the site administration) keeps the document as the public then read it, the
public Changes page says what each version changed with the words marked, and any two
versions can be compared. Drafts never appear there."""

import importlib
import uuid

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from milestones.models import Status
from public.feeds import ENTRY_NAMESPACE
from publishing.edits import EditConflict
from sources import services
from sources.models import Commitment, DocumentVersion, SourceDocument
from tests.factories import (
    EditorFactory,
    OrganisationFactory,
    PublisherFactory,
    SourceDocumentFactory,
    build_source_document,
    edit_commitment_in_draft,
)

pytestmark = pytest.mark.django_db

migration = importlib.import_module("sources.migrations.0012_document_versions")


@pytest.fixture
def document():
    return build_source_document(commitments=3, organisations=[OrganisationFactory()])


def changes_url(document) -> str:
    return reverse("sources:changes", args=[document.slug])


def first(document) -> Commitment:
    return document.commitments.order_by("order").first()


def change_commitment(document, user, commitment, **values):
    edit_commitment_in_draft(commitment, values, user=user)


def publish(document, user, note):
    return services.document_publish(document=document, user=user, note=note)


def test_a_publish_keeps_a_version_with_its_note_author_and_content(document, publisher):
    assert list(document.versions.values_list("number", flat=True)) == [1]
    commitment = first(document)
    change_commitment(document, publisher, commitment, text="Reworded in the spring review.")
    publish(document, publisher, "Spring review")

    version = document.versions.newest_first().first()
    assert (version.number, version.change_note, version.published_by) == (
        2,
        "Spring review",
        publisher,
    )
    assert version.content == services.document_content(document)
    entry = version.content["commitments"][0]
    assert (entry["reference"], entry["fields"]["text"]) == (
        commitment.reference,
        "Reworded in the spring review.",
    )
    # The version before is kept as it was.
    assert document.versions.get(number=1).content["commitments"][0]["fields"]["text"] == (
        commitment.text
    )


def test_the_changes_page_says_what_each_publish_changed_with_the_words_marked(
    client, document, publisher
):
    commitment, second, _ = document.commitments.order_by("order")
    change_commitment(
        document, publisher, commitment, text="Reworded text.", status=Status.IN_PROGRESS
    )
    services.commitment_draft_remove(document=document, user=publisher, key=f"c{second.pk}")
    publish(document, publisher, "Spring review")

    page = client.get(changes_url(document)).content.decode()
    assert "2 published versions" in page
    assert "<strong>What changed:</strong> Spring review" in page
    assert f"Commitment {commitment.reference}: status No update yet → In progress" in page
    assert f"Commitment {commitment.reference}: text reworded" in page
    assert '<ins class="word-diff__ins"><span class="visually-hidden">[added: </span>' in page
    assert '<del class="word-diff__del">' in page
    assert f"Commitment {second.reference} removed" in page
    assert "The first version kept here." in page


def test_the_document_page_links_to_its_changes(client, document):
    page = client.get(document.get_absolute_url()).content.decode()
    assert f'href="{changes_url(document)}">Changes to this document</a>' in page


def test_a_draft_never_shows_on_the_changes_page(client, document, publisher):
    change_commitment(document, publisher, first(document), text="Secret draft words.")
    page = client.get(changes_url(document)).content.decode()
    assert "Secret draft words" not in page
    assert "There is one published version" in page
    assert DocumentVersion.objects.filter(document=document).count() == 1


def test_any_two_versions_compare_and_bad_choices_are_explained(client, document, publisher):
    commitment = first(document)
    change_commitment(document, publisher, commitment, timescale="2027")
    publish(document, publisher, "Timescale agreed")
    change_commitment(document, publisher, commitment, progress_note="Work has begun.")
    publish(document, publisher, "Progress")

    page = client.get(changes_url(document), {"from_version": 1, "to_version": 3})
    text = page.content.decode()
    assert "Version 1 compared with version 3" in text
    assert f"Commitment {commitment.reference}: timescale" in text
    assert f"Commitment {commitment.reference}: progress note reworded" in text
    # The form offers the latest change by default, not the same version twice.
    default = client.get(changes_url(document)).content.decode()
    assert '<option value="2" selected>Version 2</option>' in default
    assert '<option value="3" selected>Version 3</option>' in default

    same = client.get(changes_url(document), {"from_version": 2, "to_version": 2})
    assert same.status_code == 200 and "Choose two different versions." in same.content.decode()
    unknown = client.get(changes_url(document), {"from_version": 9, "to_version": "x"})
    assert unknown.status_code == 200
    assert "Choose a published version." in unknown.content.decode()


def test_an_unpublished_or_unknown_document_has_no_changes_page(client):
    hidden = SourceDocumentFactory(is_published=False)
    assert client.get(changes_url(hidden)).status_code == 404
    assert client.get("/sources/no-such-document/changes/").status_code == 404


def test_a_document_never_published_here_says_so(client):
    document = SourceDocumentFactory()
    page = client.get(changes_url(document)).content.decode()
    assert "This document has not been published yet." in page


def test_an_edit_in_the_site_administration_is_a_version_too(client, document):
    admin = PublisherFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    commitment = first(document)
    url = reverse("admin:sources_commitment_change", args=[commitment.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update({"document": document.pk, "status": Status.DELAYED, "title": "Retitled"})
    for prefix in ("organisation_links", "outcome_links", "milestone_links"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    version = document.versions.newest_first().first()
    assert (version.number, version.change_note, version.published_by) == (
        2,
        services.ADMIN_NOTE,
        admin,
    )
    assert version.content["commitments"][0]["fields"]["title"] == "Retitled"
    # A save that changes nothing the public reads keeps no new version.
    assert services.document_version_if_changed(document=document, user=admin) is None
    assert document.versions.count() == 2


def test_two_publishes_never_take_the_same_number(document, publisher):
    change_commitment(document, publisher, first(document), text="One.")
    publish(document, publisher, "One")
    change_commitment(document, publisher, first(document), text="Two.")
    publish(document, publisher, "Two")
    assert list(document.versions.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
        3,
    ]


def test_the_changes_page_reads_a_fixed_number_of_queries(
    client, document, publisher, django_assert_max_num_queries
):
    for n in range(25):
        change_commitment(document, publisher, first(document), text=f"Version {n}.")
        publish(document, publisher, f"Change {n}")
    with django_assert_max_num_queries(8):
        page = client.get(changes_url(document)).content.decode()
    assert "26 published versions" in page
    # Twenty are shown; the oldest of them is compared with the one before it.
    assert 'id="version-7"' in page and 'id="version-6"' not in page
    assert page.count("text reworded") == 20


def test_the_seeded_documents_start_with_the_version_loaded_from_their_source(client, seeded):
    document = SourceDocument.objects.get(slug="reimagining-secure-care-response")
    version = document.versions.get()
    assert (version.number, version.imported_from) == (1, "www.gov.scot")
    assert version.content == services.document_content(document)
    page = client.get(changes_url(document)).content.decode()
    assert "Version 1: as published on www.gov.scot" in page


def test_the_migration_gives_every_document_version_1_as_the_public_reads_it(document, publisher):
    """Documents that existed before versions were kept start with one: the live document,
    in exactly the shape a publish keeps (so later versions compare cleanly with it). A
    pending draft is left alone."""
    SourceDocumentFactory(is_published=False)
    change_commitment(document, publisher, first(document), text="Still a draft.")
    DocumentVersion.objects.all().delete()

    migration.first_versions(django_apps, None)

    version = document.versions.get()
    assert version.number == 1 and version.change_note == migration.FIRST_NOTE
    assert version.content == services.document_content(document)
    changes = services.describe_draft(document, services.document_draft(document))
    assert [change.description for change in changes] == [
        f"Commitment {first(document).reference}: text reworded"
    ]
    assert DocumentVersion.objects.count() == SourceDocument.objects.count()


def test_an_editor_cannot_publish_a_version(client, document):
    client.force_login(EditorFactory())
    response = client.post(
        reverse("sources-edit:publish", args=[document.slug]), {"note": "Sneaky"}
    )
    assert response.status_code == 403
    assert document.versions.count() == 1


def test_the_document_feed_has_an_entry_per_version_saying_what_changed(
    client, document, publisher, django_assert_max_num_queries
):
    commitment = first(document)
    change_commitment(document, publisher, commitment, text="Reworded for the feed.")
    publish(document, publisher, "Spring review")
    change_commitment(document, publisher, commitment, text="Draft words \x1b not yet out.")

    with django_assert_max_num_queries(6):
        feed = client.get(f"/sources/{document.slug}/updates.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    xml = feed.content.decode()
    assert f"<title>{document.title} updated: version 2</title>" in xml
    assert f"<title>{document.title}: version 1" not in xml  # not imported: numbered only
    assert xml.count("<entry>") == 2
    assert "Spring review" in xml
    assert f"Commitment {commitment.reference}: text reworded" in xml
    assert "Draft words" not in xml
    assert changes_url(document) in xml
    # Entry ids never change: they are made from the document and the version's number.
    for number in (1, 2):
        name = f"sources/{document.pk}/versions/{number}"
        assert f"<id>{uuid.uuid5(ENTRY_NAMESPACE, name).urn}</id>" in xml
    page = client.get(changes_url(document)).content.decode()
    assert f'href="/sources/{document.slug}/updates.atom"' in page


def test_an_unpublished_document_has_no_feed(client):
    hidden = SourceDocumentFactory(is_published=False)
    assert client.get(f"/sources/{hidden.slug}/updates.atom").status_code == 404


def test_a_form_opened_before_a_publish_still_saves_after_it(document, publisher):
    """A publish is not someone else's change: the commitment's revision survives it, as a
    milestone's does, so an editor who opened the form before is not refused."""
    commitment = first(document)
    change_commitment(document, publisher, commitment, text="First.")
    opened = services.editable_commitment(
        document, services.document_draft(document), f"c{commitment.pk}"
    ).revision
    publish(document, publisher, "First")
    edit_commitment_in_draft(commitment, {"text": "Second."}, expected_revision=opened)
    publish(document, publisher, "Second")
    commitment.refresh_from_db()
    assert commitment.text == "Second."
    # A form opened on the draft before someone else saved is still refused.
    change_commitment(document, publisher, commitment, text="Third.")
    with pytest.raises(EditConflict):
        edit_commitment_in_draft(commitment, {"text": "Stale."}, expected_revision=opened + 1)
