"""Editors change source documents and commitments in a draft; publishers publish it at once.

Drafts stay private (public page, API, search), every change is recorded, stale saves are
refused, and a failed publish leaves the live rows as they were."""

import pytest
from django.urls import reverse

from core.pagecache import published_version
from milestones.models import Status
from publishing.models import ChangeRecord
from sources import services
from sources.models import (
    Commitment,
    CommitmentChange,
    DocumentDraft,
    SourceDocument,
)
from tests.factories import (
    ConsultationFactory,
    EditorFactory,
    OrganisationFactory,
    PublisherFactory,
    UserFactory,
    build_source_document,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(lead):
    return build_source_document(commitments=3, organisations=[lead])


@pytest.fixture
def commitment(document):
    return document.commitments.order_by("order").first()


def edit_url(document, name="document", *args):
    return reverse(f"sources-edit:{name}", args=[document.slug, *args])


def commitment_url(commitment, name="commitment"):
    return reverse(f"sources-edit:{name}", args=[commitment.document.slug, f"c{commitment.pk}"])


def commitment_post(commitment, **changes):
    data = {
        "title": commitment.title,
        "text": commitment.text,
        "timescale": commitment.timescale,
        "status": commitment.status,
        "progress_note": commitment.progress_note,
        "revision": 0,
        "section": commitment.section_id or "",
        "phase": commitment.phase_id or "",
        "foundation": commitment.foundation_id or "",
    }
    for link in commitment.organisation_links.all():
        field = {"lead": "lead", "contributor": "contributing"}.get(link.role, "other")
        data.setdefault(f"{field}_organisations", []).append(link.organisation_id)
    data.update(changes)
    return data


def publish(client, document, note="Status updated after the spring review"):
    return client.post(edit_url(document, "publish"), {"note": note})


# --- Permissions ----------------------------------------------------------------------------


def editor_urls(document, commitment):
    return [
        ("get", reverse("sources-edit:documents")),
        ("get", edit_url(document)),
        ("post", edit_url(document, "details")),
        ("get", edit_url(document, "history")),
        ("get", edit_url(document, "commitment-add")),
        ("post", edit_url(document, "commitment-add")),
        ("get", commitment_url(commitment)),
        ("post", commitment_url(commitment)),
        ("get", commitment_url(commitment, "commitment-remove")),
        ("post", commitment_url(commitment, "commitment-remove")),
    ]


def publisher_urls(document):
    return [
        ("get", edit_url(document, "publish")),
        ("post", edit_url(document, "publish")),
        ("get", edit_url(document, "discard")),
        ("post", edit_url(document, "discard")),
    ]


def test_anonymous_readers_are_sent_to_sign_in_from_every_url(client, document, commitment):
    for method, url in editor_urls(document, commitment) + publisher_urls(document):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=/edit/sources/"), url
    assert not DocumentDraft.objects.exists()


def test_signed_in_people_without_a_role_get_403_everywhere(client, document, commitment):
    client.force_login(UserFactory())
    for method, url in editor_urls(document, commitment) + publisher_urls(document):
        assert getattr(client, method)(url).status_code == 403, url
    assert not DocumentDraft.objects.exists()


def test_editors_edit_but_cannot_publish_or_discard(client, document, commitment):
    client.force_login(EditorFactory(all_source_documents=True))
    for method, url in editor_urls(document, commitment):
        if method == "get":
            assert client.get(url).status_code == 200, url
    client.post(commitment_url(commitment), commitment_post(commitment, status=Status.DELAYED))
    assert DocumentDraft.objects.filter(document=document).exists()
    for method, url in publisher_urls(document):
        assert getattr(client, method)(url, {"note": "x"}).status_code == 403, url
    assert DocumentDraft.objects.filter(document=document).exists()
    commitment.refresh_from_db()
    assert commitment.status == Status.NO_UPDATE


def test_publishers_reach_every_page(client, document, commitment):
    client.force_login(PublisherFactory())
    for method, url in editor_urls(document, commitment):
        if method == "get":
            assert client.get(url).status_code == 200, url
    client.post(commitment_url(commitment), commitment_post(commitment, status=Status.DELAYED))
    assert client.get(edit_url(document, "publish")).status_code == 200
    assert client.get(edit_url(document, "discard")).status_code == 200


def test_unknown_documents_and_commitments_are_404(client, document, commitment):
    client.force_login(EditorFactory(all_source_documents=True))
    assert client.get("/edit/sources/nothing/").status_code == 404
    for key in ["c999999", "n999999", "x1", "c", "8.2"]:
        assert client.get(edit_url(document, "commitment", key)).status_code == 404, key
    other = build_source_document(commitments=1).commitments.get()
    assert client.get(edit_url(document, "commitment", f"c{other.pk}")).status_code == 404


# --- Drafts stay private ----------------------------------------------------------------------


def test_saving_a_commitment_changes_only_the_draft(client, document, commitment):
    client.force_login(EditorFactory(all_source_documents=True))
    response = client.post(
        commitment_url(commitment),
        commitment_post(
            commitment, status=Status.IN_PROGRESS, text="Zanzibarian draft wording", timescale=""
        ),
    )
    assert response.status_code == 302
    change = CommitmentChange.objects.get(commitment=commitment)
    assert change.status == Status.IN_PROGRESS and change.revision == 1
    commitment.refresh_from_db()
    assert commitment.status == Status.NO_UPDATE
    assert commitment.text != "Zanzibarian draft wording"
    assert (commitment.year_from, commitment.year_to) == (2025, 2026)

    edit_page = client.get(edit_url(document)).content.decode()
    assert "Zanzibarian draft wording" in edit_page and "Changed in the draft" in edit_page

    client.logout()
    for url in [
        document.get_absolute_url(),
        f"/api/sources/{document.slug}/",
        "/sources/",
        "/search/?q=Zanzibarian",
        "/timeline/",
    ]:
        body = client.get(url).content.decode()
        assert "Zanzibarian" not in body or url.startswith("/search/"), url
    search_page = client.get("/search/?q=Zanzibarian").content.decode()
    assert "Zanzibarian draft wording" not in search_page
    assert not Commitment.objects.published().search("Zanzibarian").exists()
    api = client.get(f"/api/sources/{document.slug}/").json()
    assert {c["status"] for c in api["commitments"]} == {Status.NO_UPDATE}


def test_saving_the_published_values_starts_no_draft(client, document, commitment):
    client.force_login(EditorFactory(all_source_documents=True))
    assert client.post(commitment_url(commitment), commitment_post(commitment)).status_code == 302
    assert not DocumentDraft.objects.exists()
    assert not ChangeRecord.objects.filter(document__isnull=False).exists()


def test_htmx_edit_swaps_the_form_and_saving_swaps_back_the_commitment(
    client, document, commitment
):
    client.force_login(EditorFactory(all_source_documents=True))
    form = client.get(commitment_url(commitment), headers={"HX-Request": "true"})
    body = form.content.decode()
    assert body.lstrip().startswith(
        f'<li class="commitment commitment--editing" id="commitment-c{commitment.pk}"'
    )
    assert '<label class="ds_label" for="id_timescale">Timescale as printed' in body
    assert "<html" not in body

    saved = client.post(
        commitment_url(commitment),
        commitment_post(commitment, status=Status.ACHIEVED),
        headers={"HX-Request": "true"},
    )
    body = saved.content.decode()
    assert saved.status_code == 200
    assert body.lstrip().startswith(f'<li class="commitment" id="commitment-c{commitment.pk}"')
    assert "Achieved" in body and "Saved to the draft." in body
    assert 'id="draft-banner" data-hx-swap-oob="true"' in body
    assert "<html" not in body

    cancel = client.get(commitment_url(commitment) + "?cancel=1", headers={"HX-Request": "true"})
    assert "Achieved" in cancel.content.decode() and "<form" not in cancel.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"timescale": "whenever it suits"},
            "timescale",
            "Cannot read the timescale &quot;whenever",
        ),
        ({"timescale": "2027-25"}, "timescale", "ends before it starts"),
        ({"status": "finished"}, "status", "Choose a status from the list."),
        ({"text": ""}, "text", "Enter the commitment text."),
    ],
)
def test_invalid_commitment_shows_errors_keeps_what_was_typed_and_saves_nothing(
    client, document, commitment, changes, field, message
):
    client.force_login(EditorFactory(all_source_documents=True))
    typed = {"progress_note": "Typed by the editor", **changes}
    response = client.post(commitment_url(commitment), commitment_post(commitment, **typed))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert f'href="#id_{field}"' in body
    assert message in body
    assert "Typed by the editor" in body
    if field == "timescale":
        assert f'value="{changes["timescale"]}"' in body
    assert not DocumentDraft.objects.exists()
    assert not ChangeRecord.objects.filter(document__isnull=False).exists()


def test_second_editor_saving_a_stale_commitment_is_refused_and_keeps_their_text(
    client, document, commitment
):
    first, second = (
        EditorFactory(all_source_documents=True, username="alex"),
        EditorFactory(all_source_documents=True, username="sam"),
    )
    opened = commitment_post(commitment)  # both opened the form before any change

    client.force_login(first)
    assert (
        client.post(commitment_url(commitment), {**opened, "status": Status.ACHIEVED}).status_code
        == 302
    )

    client.force_login(second)
    response = client.post(
        commitment_url(commitment), {**opened, "progress_note": "Sam's careful note"}
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this commitment" in body
    assert "alex" in body and "Achieved" in body
    assert "Sam&#x27;s careful note" in body
    change = CommitmentChange.objects.get(commitment=commitment)
    assert change.status == Status.ACHIEVED and change.progress_note == ""

    # Saving again, having seen the other change, is a deliberate overwrite.
    resubmit = {**opened, "progress_note": "Sam's careful note", "revision": 1}
    assert client.post(commitment_url(commitment), resubmit).status_code == 302
    change.refresh_from_db()
    assert change.progress_note == "Sam's careful note" and change.revision == 2


def test_htmx_conflict_is_swapped_in_with_a_success_status(client, document, commitment):
    client.force_login(EditorFactory(all_source_documents=True))
    client.post(commitment_url(commitment), commitment_post(commitment, status=Status.DELAYED))
    response = client.post(
        commitment_url(commitment),
        commitment_post(commitment, title="Stale"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Someone else changed this commitment" in response.content.decode()


# --- Adding, removing, document details ---------------------------------------------------------


def test_adding_a_commitment_checks_its_reference(client, document, commitment, lead):
    client.force_login(EditorFactory(all_source_documents=True))
    data = {
        "reference": commitment.reference,
        "title": "Independent advocacy",
        "text": "Fund advocacy for every child in secure care.",
        "timescale": "by April 2027",
        "status": Status.NOT_STARTED,
        "lead_organisations": [lead.pk],
    }
    refused = client.post(edit_url(document, "commitment-add"), data)
    assert refused.status_code == 200
    assert (
        f"This document already has a commitment {commitment.reference}."
        in refused.content.decode()
    )
    assert not DocumentDraft.objects.exists()

    added = client.post(edit_url(document, "commitment-add"), {**data, "reference": "8.12"})
    assert added.status_code == 302
    change = CommitmentChange.objects.get(reference="8.12")
    assert added["Location"].endswith(f"#commitment-n{change.pk}")
    assert not Commitment.objects.filter(reference="8.12").exists()
    again = client.post(edit_url(document, "commitment-add"), {**data, "reference": "8.12"})
    assert "already has a commitment 8.12" in again.content.decode()


def test_removing_needs_confirmation_and_happens_in_the_draft(client, document, commitment):
    client.force_login(EditorFactory(all_source_documents=True))
    confirm = client.get(commitment_url(commitment, "commitment-remove"))
    assert "Remove commitment" in confirm.content.decode()
    assert not DocumentDraft.objects.exists()
    assert client.post(commitment_url(commitment, "commitment-remove")).status_code == 302
    assert CommitmentChange.objects.get(commitment=commitment).removed
    assert Commitment.objects.filter(pk=commitment.pk).exists()
    page = client.get(edit_url(document)).content.decode()
    assert "Removed in the draft" in page
    # A removed commitment cannot be edited; removing it again changes nothing.
    assert client.post(commitment_url(commitment), commitment_post(commitment)).status_code == 302
    client.post(commitment_url(commitment, "commitment-remove"))
    assert ChangeRecord.objects.filter(document__isnull=False).filter(action="removed").count() == 1


def test_removing_a_commitment_added_in_the_draft_drops_it(client, document):
    editor = EditorFactory(all_source_documents=True)
    item = services.commitment_draft_add(
        document=document,
        user=editor,
        reference="N1",
        values={"text": "New", "timescale": "", "status": Status.NOT_STARTED},
        organisations=[],
    )
    client.force_login(editor)
    url = edit_url(document, "commitment-remove", item.key)
    assert client.post(url).status_code == 302
    assert not CommitmentChange.objects.exists()


def test_document_details_go_to_the_draft(client, document):
    client.force_login(EditorFactory(all_source_documents=True))
    data = {
        "document-title": "Renamed response",
        "document-summary": "A new summary.",
        "document-introduction": "",
        "document-url": "https://www.gov.scot/publications/response/",
    }
    assert client.post(edit_url(document, "details"), data).status_code == 302
    document.refresh_from_db()
    assert document.title != "Renamed response"
    assert DocumentDraft.objects.get(document=document).title == "Renamed response"
    assert "closes_on" not in client.get(edit_url(document)).content.decode()

    bad = client.post(edit_url(document, "details"), {**data, "document-url": "not a link"})
    assert "Enter a web address" in bad.content.decode()
    assert DocumentDraft.objects.get(document=document).url == data["document-url"]


def test_a_consultation_closing_date_is_required_and_published(client):
    consultation = ConsultationFactory()
    client.force_login(PublisherFactory())
    data = {"document-title": consultation.title, "document-closes_on": ""}
    missing = client.post(edit_url(consultation, "details"), data)
    assert "Enter the date the consultation closes." in missing.content.decode()
    ok = client.post(
        edit_url(consultation, "details"), {**data, "document-closes_on": "2031-05-08"}
    )
    assert ok.status_code == 302
    assert publish(client, consultation).status_code == 302
    consultation.refresh_from_db()
    assert str(consultation.closes_on) == "2031-05-08"


# --- Publishing -------------------------------------------------------------------------------


def test_publish_page_lists_the_changes_in_plain_words(client, document, commitment):
    editor = PublisherFactory()
    client.force_login(editor)
    second, third = document.commitments.order_by("order")[1:3]
    client.post(
        commitment_url(commitment),
        commitment_post(commitment, status=Status.IN_PROGRESS, text="Reworded"),
    )
    client.post(commitment_url(second, "commitment-remove"))
    client.post(
        edit_url(document, "commitment-add"),
        {"reference": "9.1", "title": "Transport", "text": "New.", "status": Status.NOT_STARTED},
    )
    page = client.get(edit_url(document, "publish")).content.decode()
    ref = commitment.reference
    assert f"Commitment {ref}: status No update yet → In progress" in page
    assert f"Commitment {ref}: text reworded" in page
    # The words that change are marked, not only named.
    assert (
        '<ins class="word-diff__ins"><span class="visually-hidden">[added: </span>Reworded' in page
    )
    assert f"Commitment {second.reference} removed" in page
    assert "Commitment 9.1 added: Transport" in page
    assert third.reference not in page.split("What will change")[1].split("<form")[0]


def test_publishing_needs_a_note_then_applies_every_change_at_once(
    client, document, commitment, lead
):
    publisher = PublisherFactory()
    client.force_login(publisher)
    other = OrganisationFactory(name="COSLA")
    second, third = document.commitments.order_by("order")[1:3]
    client.get(document.get_absolute_url())  # cached for anonymous readers
    version = published_version()
    client.post(
        commitment_url(commitment),
        commitment_post(
            commitment,
            status=Status.IN_PROGRESS,
            timescale="2026-29",
            lead_organisations=[other.pk],
            contributing_organisations=[lead.pk],
        ),
    )
    client.post(commitment_url(second, "commitment-remove"))
    client.post(
        edit_url(document, "commitment-add"),
        {"reference": "9.1", "text": "Brand new commitment.", "timescale": "Autumn 2027",
         "status": Status.NOT_STARTED},
    )  # fmt: skip
    assert published_version() == version  # draft edits never refresh the cache

    missing = publish(client, document, note="")
    assert "Enter what changed." in missing.content.decode()
    assert DocumentDraft.objects.filter(document=document).exists()

    response = publish(client, document)
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()
    commitment.refresh_from_db()
    assert commitment.status == Status.IN_PROGRESS
    assert (commitment.timescale, commitment.year_from, commitment.year_to) == (
        "2026-29",
        2026,
        2029,
    )
    links = [(link.organisation, link.role) for link in commitment.organisation_links.all()]
    assert links == [(other, "lead"), (lead, "contributor")]
    assert not Commitment.objects.filter(pk=second.pk).exists()
    added = Commitment.objects.get(document=document, reference="9.1")
    assert (added.year_from, added.year_to) == (2027, 2027)
    assert added.order > max(c.order for c in document.commitments.exclude(pk=added.pk))
    document.refresh_from_db()
    assert document.last_updated is not None
    assert not DocumentDraft.objects.exists() and not CommitmentChange.objects.exists()
    record = ChangeRecord.objects.filter(document__isnull=False).get(action="published")
    assert record.user == publisher and record.after == "Status updated after the spring review"
    assert published_version() != version

    client.logout()
    public = client.get(document.get_absolute_url()).content.decode()
    assert "Brand new commitment." in public and "In progress" in public
    assert "Last updated" in public
    assert "Brand new commitment" in client.get("/search/?q=Brand+new+commitment").content.decode()
    api = client.get(f"/api/sources/{document.slug}/").json()
    assert api["last_updated"] == document.last_updated.isoformat()
    assert {c["reference"] for c in api["commitments"]} == {
        commitment.reference,
        third.reference,
        "9.1",
    }


def test_a_failure_midway_through_publishing_leaves_the_live_rows(
    client, document, commitment, monkeypatch
):
    client.force_login(PublisherFactory())
    second = document.commitments.order_by("order")[1]
    client.post(commitment_url(commitment), commitment_post(commitment, status=Status.ACHIEVED))
    client.post(commitment_url(second), commitment_post(second, title="Renamed second"))
    original_save = Commitment.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self.pk)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Commitment, "save", failing_save)
    with pytest.raises(RuntimeError):
        services.document_publish(document=document, user=None, note="Half")
    commitment.refresh_from_db()
    second.refresh_from_db()
    assert commitment.status == Status.NO_UPDATE
    assert second.title != "Renamed second"
    document.refresh_from_db()
    assert document.last_updated is None
    assert CommitmentChange.objects.count() == 2
    assert (
        not ChangeRecord.objects.filter(document__isnull=False).filter(action="published").exists()
    )


def test_discarding_needs_confirmation_and_keeps_the_published_document(
    client, document, commitment
):
    client.force_login(PublisherFactory())
    client.post(commitment_url(commitment), commitment_post(commitment, status=Status.DELAYED))
    confirm = client.get(edit_url(document, "discard"))
    assert "Discard the draft?" in confirm.content.decode()
    assert (
        f"Commitment {commitment.reference}: status No update yet → Delayed"
        in confirm.content.decode()
    )
    assert DocumentDraft.objects.exists()
    assert client.post(edit_url(document, "discard")).status_code == 302
    assert not DocumentDraft.objects.exists()
    commitment.refresh_from_db()
    assert commitment.status == Status.NO_UPDATE
    assert ChangeRecord.objects.filter(document__isnull=False).filter(action="discarded").exists()
    # Nothing left to publish or discard.
    assert client.get(edit_url(document, "publish")).status_code == 302
    assert client.post(edit_url(document, "discard")).status_code == 302


def test_history_shows_who_changed_which_field_before_and_after(client, document, commitment):
    editor = EditorFactory(all_source_documents=True, username="morag")
    client.force_login(editor)
    client.post(
        commitment_url(commitment),
        commitment_post(commitment, status=Status.IN_PROGRESS, timescale="2026-27"),
    )
    records = {
        r.field: r
        for r in ChangeRecord.objects.filter(
            document=commitment.document, object_label=f"commitment {commitment.reference}"
        )
    }
    assert set(records) == {"status", "timescale"}
    assert (records["status"].before, records["status"].after) == ("No update yet", "In progress")
    assert (records["timescale"].before, records["timescale"].after) == ("2025-26", "2026-27")
    assert records["status"].user == editor
    page = client.get(edit_url(document, "history")).content.decode()
    # One entry for the save, headed with the commitment, each field by its label.
    (entry,) = [
        entry
        for entry in page.split('class="history-list__item"')[1:]
        if f"<strong>Changed</strong>: Commitment {commitment.reference}</h2>" in entry
    ]
    assert '<dt class="ds_summary-list__key">Status</dt>' in entry
    assert '<dt class="ds_summary-list__key">Timescale</dt>' in entry
    assert "morag" in page and "No update yet" in page and "In progress" in page


def test_history_marks_the_words_a_document_draft_changed(client, document):
    client.force_login(PublisherFactory())
    services.document_draft_update(
        document=document, user=None, values={"summary": "Old plan for secure care"}
    )
    services.document_draft_update(
        document=document, user=None, values={"summary": "New plan for secure care"}
    )
    page = client.get(edit_url(document, "history")).content.decode()
    assert "Words changed" in page
    assert "<del" in page and "Old" in page and "<ins" in page and "New" in page


def test_seeded_secure_care_commitment_8_2_through_draft_and_publish(client, seeded):
    document = SourceDocument.objects.get(slug="reimagining-secure-care-response")
    commitment = document.commitments.get(reference="8.2")
    client.force_login(PublisherFactory())
    organisations = [link.organisation for link in commitment.organisation_links.all()]
    data = commitment_post(commitment, status=Status.ACHIEVED)
    assert client.post(commitment_url(commitment), data).status_code == 302
    page = client.get(edit_url(document, "publish")).content.decode()
    changes = page.split("What will change")[1].split("<form")[0]
    assert "Commitment 8.2: status In progress → Achieved" in changes
    assert changes.count("<li>") == 1  # the bodies keep the document's order
    assert publish(client, document).status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == Status.ACHIEVED
    assert [link.organisation for link in commitment.organisation_links.all()] == organisations
    assert commitment.phase.label == "Phase 1"
    assert (commitment.year_from, commitment.year_to) == (2025, 2026)


def test_the_editors_dashboard_and_documents_list_link_to_document_editing(client, document):
    client.force_login(EditorFactory(all_source_documents=True))
    assert (
        reverse("sources-edit:documents")
        in client.get(reverse("editing:dashboard")).content.decode()
    )
    listing = client.get(reverse("sources-edit:documents")).content.decode()
    assert edit_url(document) in listing


def test_the_publish_and_discard_pages_are_the_route_maps_pages_for_the_document(
    client, document, commitment
):
    client.force_login(PublisherFactory())
    client.post(commitment_url(commitment), commitment_post(commitment, status=Status.DELAYED))
    publish_page = client.get(edit_url(document, "publish"))
    assert publish_page.templates[0].name == "editing/publish.html"
    body = publish_page.content.decode()
    assert f"Publish “{document.title}”" in body
    assert f'href="{edit_url(document)}">Cancel</a>' in body
    assert "Delayed" in body  # the change about to be published

    discard_page = client.get(edit_url(document, "discard"))
    assert discard_page.templates[0].name == "editing/discard.html"
    body = discard_page.content.decode()
    assert "The published document stays as it is." in body
    assert f'href="{edit_url(document)}">No, keep editing</a>' in body
