"""Source documents: the seeded secure care response and kinship care consultation, the loader's
checks, the public pages, the JSON API, commitments on outcome pages, and the queryset the
timeline and search use."""

import datetime
from pathlib import Path

import pytest

from milestones.models import Milestone
from outcomes.models import Outcome
from publishing.services import edition_publish
from routemap.models import Edition
from seeding.routemaps import SeedError, load_seed
from sources.models import Commitment, SourceDocument, resolve_links
from tests.factories import (
    CommitmentFactory,
    ConsultationAnswerFactory,
    build_source_document,
    draft_copy,
)
from tests.helpers import copy_fixtures, edit_yaml

pytestmark = pytest.mark.django_db

SECURE_CARE = "reimagining-secure-care-response"
KINSHIP = "vision-for-kinship-care"


def commitments(slug: str) -> dict[str, Commitment]:
    items = Commitment.objects.filter(document__slug=slug).with_context()
    items = list(items)
    resolve_links(items)
    return {c.reference: c for c in items}


def live_outcome(slug: str) -> Outcome:
    return Outcome.objects.published().get(
        edition__route_map__slug="where-children-live", slug=slug
    )


# --- The seed ----------------------------------------------------------------------------------


SECURE_CARE_COMMITMENTS = [
    # reference, title, timescale as printed, years, milestone years linked
    ("8.1", "Joint Action Plan – Scottish Government and COSLA", "Autumn 2025", (2025, 2025),
     [2026]),
    ("8.2", "Secure Care Contingency Action Plan", "2025-26", (2025, 2026), [2026]),
    ("8.3", "Capital Funding", "2025-26", (2025, 2026), []),
    ("8.4", "Consultation", "2025-26", (2025, 2026), [2026, 2026]),
    ("8.5", "Prevention, Early Intervention and Alternatives to Secure Care", "", (None, None), []),
    ("8.6", "National Placement Co-ordination Function", "2025-28", (2025, 2028), [2026, 2027]),
    ("8.7", "Supporting the Workforce", "", (None, None), [2026]),
    ("8.8", "Piloting, testing and evaluation", "2025-28", (2025, 2028), [2027]),
    ("8.9", "Explore a New National Funding and Commissioning Model", "2025-28", (2025, 2028),
     [2027, 2028]),
    ("8.10", "Data collection and analysis", "2025-28", (2025, 2028), [2027]),
    ("8.11", "Secure Care Transport", "2025-28", (2025, 2028), [2027]),
]  # fmt: skip


def test_secure_care_response_has_every_action_with_its_printed_timescale(seeded):
    document = SourceDocument.objects.get(slug=SECURE_CARE)
    assert document.kind == SourceDocument.Kind.GOVERNMENT_RESPONSE
    assert document.publisher.slug == "scottish-government"
    assert document.published_label == "June 2025"
    assert document.summary.startswith("This document sets out the Scottish Government’s response")
    found = commitments(SECURE_CARE)
    assert list(found) == [row[0] for row in SECURE_CARE_COMMITMENTS]
    for reference, title, timescale, years, milestone_years in SECURE_CARE_COMMITMENTS:
        commitment = found[reference]
        assert commitment.title == title
        assert commitment.timescale == timescale
        assert (commitment.year_from, commitment.year_to) == years, reference
        assert commitment.phase.label == "Phase 1"
        assert commitment.foundation is None
        assert [o.slug for o in commitment.resolved_outcomes] == ["secure-care"]
        assert sorted(m.year for m in commitment.resolved_milestones) == milestone_years, reference
        assert all(m.outcome.slug == "secure-care" for m in commitment.resolved_milestones)


def test_secure_care_phases_and_their_spans(seeded):
    phases = SourceDocument.objects.get(slug=SECURE_CARE).phases.all()
    assert [(p.label, p.name, p.timescale, p.year_from, p.year_to) for p in phases] == [
        ("Phase 1", "Capacity Restoration and Reinforcement", "2025-26 – 2027-28", 2025, 2028),
        ("Phase 2", "Road-testing and readiness", "2028/29–2029/30", 2028, 2030),
    ]
    assert "route map" in phases[1].source_note
    assert not phases[1].commitments.exists()


def test_secure_care_text_is_kept_word_for_word_with_bullets_as_lists(seeded):
    found = commitments(SECURE_CARE)
    assert found["8.2"].text.startswith(
        "Whilst a number of secure care contingency actions have been delivered this year"
    )
    assert (
        "\n\n- The establishment of a further 4-bedded national contingency resource"
        in found["8.2"].text
    )
    assert found["8.7"].text.count("\n- ") == 7
    assert "£11,000 per year" in found["8.7"].text
    assert found["8.5"].text.endswith(
        "To ensure holistic family support is available to our communities, to help families "
        "thrive and prevent crisis."
    )


def test_secure_care_links_the_milestones_each_action_delivers(seeded):
    found = commitments(SECURE_CARE)

    def texts(reference):
        return [m.text for m in found[reference].resolved_milestones]

    assert "joint action plan with COSLA" in texts("8.1")[0]
    assert "secure care transport arrangements" in texts("8.11")[0]
    assert any("National Social Work Agency (NSWA)" in text for text in texts("8.6"))
    assert all("new funding and commissioning model" in text for text in texts("8.9"))
    assert "continue piloting, testing and evaluating" in texts("8.8")[0]
    assert "real-time data collection and analysis" in texts("8.10")[0]


def test_secure_care_bodies_are_those_the_text_names(seeded):
    found = commitments(SECURE_CARE)

    def bodies(reference):
        return [
            (link.organisation.slug, link.role)
            for link in found[reference].organisation_links.all()
        ]

    assert bodies("8.1") == [
        ("scottish-government", "lead"),
        ("cosla", "lead"),
        ("social-work-scotland", "contributor"),
    ]
    assert ("scotland-excel", "contributor") in bodies("8.9")
    assert ("skills-development-scotland", "contributor") in bodies("8.7")
    assert bodies("8.11") == [("scottish-government", "lead")]


KINSHIP_REFERENCES = (
    [f"Voice {n}" for n in range(1, 5)]
    + [f"Family {n}" for n in range(1, 5)]
    + [f"Care {n}" for n in range(1, 5)]
    + [f"People {n}" for n in range(1, 8)]
    + [f"Scaffolding {n}" for n in range(1, 8)]
    + [f"KCASS {n}" for n in range(1, 7)]
)


def test_kinship_consultation_has_the_vision_and_every_commitment_of_the_offer(seeded):
    document = SourceDocument.objects.get(slug=KINSHIP)
    assert document.kind == SourceDocument.Kind.CONSULTATION
    assert document.closes_on == datetime.date(2026, 2, 21)
    assert document.vision_title == "Section 5 - National Vision for Kinship Care"
    assert document.vision.startswith("Our vision is of a Scotland where children and young people")
    assert "delivered by people and organisations working effectively together." in document.vision
    found = commitments(KINSHIP)
    assert list(found) == KINSHIP_REFERENCES
    assert len(found) == 32
    for reference, commitment in found.items():
        part = reference.split()[0]
        expected = None if part == "KCASS" else part.lower()
        assert (commitment.foundation.slug if commitment.foundation else None) == expected
        assert commitment.timescale == "" and commitment.year_from is None
        assert [o.slug for o in commitment.resolved_outcomes] == ["kinship-care"]
        assert commitment.phase is None
    assert found["Voice 1"].text.startswith("Children and young people in kinship care")
    assert found["Family 3"].text.count("\n- ") == 7
    assert found["KCASS 1"].text.startswith("National advice hub: KCASS acts as a national")
    assert found["Scaffolding 7"].text == (
        "We will redesign the Kinship Care Collaborative to help us deliver the vision and offer."
    )


def test_kinship_sections_keep_their_printed_headings(seeded):
    sections = SourceDocument.objects.get(slug=KINSHIP).sections.all()
    assert [str(s) for s in sections] == [
        "Section 6 - Scottish Offer to Kinship Families",
        "1. Voice – Listening to and amplifying lived experience",
        "2. Family – Support that keeps families together",
        "3. Care – Stability, fairness and equity",
        "4. People – Skilled, connected and supported communities",
        "5. Scaffolding – A coordinated and sustainable system",
        "6. Kinship Advice Service for Scotland (KCASS) — a national “first stop” for kinship "
        "families",
    ]
    assert sections[0].text.startswith("Our Scottish offer – which is subject to further")


def test_kinship_bodies_lead_by_the_government_and_named_partners(seeded):
    found = commitments(KINSHIP)

    def bodies(reference):
        return [link.organisation.slug for link in found[reference].organisation_links.all()]

    assert bodies("Voice 1") == ["scottish-government"]
    assert bodies("Scaffolding 1") == [
        "scottish-government",
        "childrens-services-planning-partnerships",
    ]
    assert "local-authorities" in bodies("Care 1")
    assert bodies("KCASS 3") == ["kinship-care-advice-service-for-scotland"]


def test_kinship_questions_keep_their_numbers_and_prompts(seeded):
    questions = SourceDocument.objects.get(slug=KINSHIP).questions.all()
    assert [q.number for q in questions] == ["2", "3", "4"]
    assert questions[0].text == (
        "Does the National Vision for Kinship Care (Section 5) reflect what matters most to "
        "kinship families?"
    )
    assert (
        questions[0].hint == "Please tell us if there is anything you like, or would change or add."
    )
    assert questions[2].hint.startswith("This could include ideas, concerns")
    assert questions[2].hint.endswith("the Scottish Government should be aware of.")


def test_links_are_stored_as_keys_not_edition_rows(seeded):
    commitment = Commitment.objects.get(document__slug=SECURE_CARE, reference="8.11")
    link = commitment.milestone_links.get()
    milestone = Milestone.objects.published().get(key=link.milestone_key)
    assert link.route_map.slug == "where-children-live"
    assert milestone.outcome.slug == "secure-care"
    outcome_link = commitment.outcome_links.get()
    assert outcome_link.outcome_key == live_outcome("secure-care").key


def test_loading_twice_changes_nothing(seeded):
    count = Commitment.objects.count()
    assert count == 43
    assert load_seed() == []
    assert Commitment.objects.count() == count


def test_links_follow_the_live_edition_after_a_new_version_is_published(seeded):
    live = Edition.objects.published().get(route_map__slug="where-children-live")
    draft = draft_copy(Edition.objects.with_content().get(pk=live.pk))
    draft.outcomes.get(slug="secure-care").milestones.filter(
        text__contains="secure care transport arrangements"
    ).delete()
    edition_publish(edition=draft, note="Transport review moved")
    found = commitments(SECURE_CARE)
    assert found["8.11"].resolved_milestones == []
    assert found["8.11"].resolved_outcomes[0].edition_id == draft.pk
    assert found["8.1"].resolved_milestones[0].outcome.edition_id == draft.pk


# --- The loader's checks ------------------------------------------------------------------------


def edit_source(directory: Path, name: str, change) -> None:
    edit_yaml(directory / "sources" / name, change)


def commitment_of(data, section: int, index: int) -> dict:
    return data["sections"][section]["commitments"][index]


def test_a_nonsense_timescale_fails_naming_file_and_record(db, tmp_path):
    directory = copy_fixtures(tmp_path)
    edit_source(
        directory,
        "secure-care-response.yaml",
        lambda d: commitment_of(d, 0, 3).update({"timescale": "soonish"}),
    )
    with pytest.raises(SeedError) as excinfo:
        load_seed(directory)
    message = str(excinfo.value)
    assert "secure-care-response.yaml" in message
    assert "sections[0].commitments[3] (8.4).timescale" in message
    assert 'Cannot read the timescale "soonish"' in message
    assert not SourceDocument.objects.exists()
    assert not Edition.objects.exists()  # all or nothing


@pytest.mark.parametrize(
    ("source", "change", "message"),
    [
        pytest.param(
            "secure-care-response.yaml",
            lambda d: commitment_of(d, 0, 8)["milestones"][0].pop("year"),
            r"\(8\.9\)\.milestones\[0\]: 2 milestones \(2027, 2028\)",
            id="a milestone fragment must match exactly one milestone",
        ),
        pytest.param(
            "secure-care-response.yaml",
            lambda d: commitment_of(d, 0, 10)["milestones"][0].update(
                {"fragment": "teleportation"}
            ),
            "no milestone of where-children-live/secure-care",
            id="an unknown milestone fragment",
        ),
        pytest.param(
            "kinship-care-vision.yaml",
            lambda d: d["defaults"].update({"outcomes": ["where-children-live/space-travel"]}),
            r"kinship-care-vision\.yaml: .*no outcome 'space-travel'",
            id="an unknown outcome",
        ),
        pytest.param(
            "kinship-care-vision.yaml",
            lambda d: commitment_of(d, 1, 1).update({"reference": "Voice 1"}),
            r"\(Voice 1\): reference used twice",
            id="a repeated reference",
        ),
    ],
)
def test_a_source_that_does_not_fit_the_plan_fails_saying_where(
    db, tmp_path, source, change, message
):
    directory = copy_fixtures(tmp_path)
    edit_source(directory, source, change)
    with pytest.raises(SeedError, match=message):
        load_seed(directory)


# --- Public pages -------------------------------------------------------------------------------


def test_sources_page_lists_documents_with_kind_publisher_date_and_count(client, seeded):
    page = client.get("/sources/").content.decode()
    assert 'href="/sources/reimagining-secure-care-response/"' in page
    assert "Government response" in page and "Consultation" in page
    assert "Published June 2025" in page
    assert "Closed 21 February 2026" in page
    assert "<td>11</td>" in page and "<td>32</td>" in page
    assert 'href="/sources/"' in client.get("/").content.decode()  # main navigation


def test_document_page_lists_commitments_with_timescale_status_bodies_and_links(client, seeded):
    response = client.get(f"/sources/{SECURE_CARE}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<h1 class="ds_page-header__title">') == 1
    assert "8.11 Secure Care Transport" in page
    assert "Autumn 2025" in page
    assert "2025-28 (2025 to 2028)" in page
    assert "None given in the document" in page  # 8.5 and 8.7
    assert "In progress" in page and "No update yet" in page
    assert "Not started" not in page  # no source says so
    assert 'href="/organisations/scotland-excel/"' in page
    assert 'href="/route-maps/where-children-live/outcomes/secure-care/"' in page
    assert "#outcome-secure-care-year-2027" in page
    assert "Phase 2: Road-testing and readiness" in page
    assert "careandjusticeconsultation@gov.scot" in page
    assert "response-form" not in page  # not a consultation


def test_closed_consultation_shows_the_closed_message_and_no_form(client, seeded):
    page = client.get(f"/sources/{KINSHIP}/").content.decode()
    assert "This consultation closed on 21 February 2026" in page
    assert "<form" not in page.split('id="consultation"')[1]
    assert "Questions for kinship families" in page
    assert "Section 5 - National Vision for Kinship Care" in page
    assert "Does the Scottish Offer to Kinship Families (Section 6) include" in page


def test_published_responses_show_answers_but_no_personal_details(client, seeded):
    document = SourceDocument.objects.get(slug=KINSHIP)
    question = document.questions.first()
    shown = ConsultationAnswerFactory(
        response__document=document,
        response__name="Agnes Example",
        response__organisation="Example Kinship Group",
        response__state="published",
        question=question,
        text="More respite, please.",
    )
    ConsultationAnswerFactory(
        response__document=document, question=question, text="Waiting in the queue."
    )
    page = client.get(f"/sources/{KINSHIP}/").content.decode()
    assert "More respite, please." in page
    assert "Response from: kinship carer" in page
    assert "Waiting in the queue." not in page
    assert "Agnes Example" not in page and "Example Kinship Group" not in page
    api = client.get(f"/api/sources/{KINSHIP}/").json()
    assert [r["id"] for r in api["responses"]] == [shown.response.pk]
    assert "name" not in api["responses"][0] and "Agnes" not in str(api)


def test_unknown_or_unpublished_document_is_404(client, seeded):
    SourceDocument.objects.filter(slug=SECURE_CARE).update(is_published=False)
    assert client.get(f"/sources/{SECURE_CARE}/").status_code == 404
    assert client.get("/sources/no-such-document/").status_code == 404
    assert client.get(f"/api/sources/{SECURE_CARE}/").status_code == 404
    assert SECURE_CARE not in client.get("/sources/").content.decode()


def test_outcome_page_lists_the_commitments_behind_it(client, seeded):
    page = client.get("/route-maps/where-children-live/outcomes/secure-care/").content.decode()
    assert "Commitments in source documents" in page
    assert "11 commitments" in page
    assert f'href="/sources/{SECURE_CARE}/#commitment-' in page
    assert "(Autumn 2025)" in page
    kinship = client.get("/route-maps/where-children-live/outcomes/kinship-care/").content.decode()
    assert "Vision for Kinship Care: 32 commitments" in kinship
    adoption = client.get("/route-maps/where-children-live/outcomes/adoption/").content.decode()
    assert "Commitments in source documents" not in adoption


def test_route_map_page_shows_commitments_under_each_outcome(client, seeded):
    page = client.get("/route-maps/where-children-live/").content.decode()
    assert 'id="outcome-secure-care-commitments"' in page
    assert 'id="outcome-kinship-care-commitments"' in page


# --- JSON API -----------------------------------------------------------------------------------


@pytest.mark.dates
def test_api_lists_documents(client, seeded, clock):
    clock.move_to(datetime.date(2026, 2, 22))  # the day after the consultation closed
    data = client.get("/api/sources/").json()
    by_slug = {d["slug"]: d for d in data["sources"]}
    assert by_slug[SECURE_CARE]["commitment_count"] == 11
    assert by_slug[KINSHIP]["closes_on"] == "2026-02-21"
    assert by_slug[KINSHIP]["is_open"] is False
    assert by_slug[KINSHIP]["api_url"] == f"http://testserver/api/sources/{KINSHIP}/"


def test_api_document_has_commitments_with_links_resolved(client, seeded):
    data = client.get(f"/api/sources/{SECURE_CARE}/").json()
    assert data["kind"] == "government_response"
    assert [p["label"] for p in data["phases"]] == ["Phase 1", "Phase 2"]
    first = data["commitments"][0]
    assert first["reference"] == "8.1"
    assert (first["timescale"], first["year_from"], first["year_to"]) == ("Autumn 2025", 2025, 2025)
    assert first["phase"] == "Phase 1"
    assert first["outcomes"][0]["route_map"] == "where-children-live"
    assert first["outcomes"][0]["outcome"] == "secure-care"
    assert first["milestones"][0]["year"] == 2026
    assert {"slug": "cosla", "role": "lead"} in first["organisations"]
    kinship = client.get(f"/api/sources/{KINSHIP}/").json()
    assert [q["number"] for q in kinship["questions"]] == ["2", "3", "4"]


def test_api_unknown_document_is_a_json_404(client, db):
    response = client.get("/api/sources/nothing-here/")
    assert response.status_code == 404
    assert "error" in response.json()


# --- Queries for the timeline, search and exports ----------------------------------------------


def test_in_years_selects_commitments_whose_timescale_overlaps(seeded):
    def refs(queryset):
        return sorted(
            queryset.filter(document__slug=SECURE_CARE).values_list("reference", flat=True)
        )

    published = Commitment.objects.published()
    assert refs(published.in_years(2025, 2025)) == sorted(
        ["8.1", "8.2", "8.3", "8.4", "8.6", "8.8", "8.9", "8.10", "8.11"]
    )
    assert refs(published.in_years(2027, 2030)) == sorted(["8.6", "8.8", "8.9", "8.10", "8.11"])
    assert refs(published.in_years(2029, 2030)) == []


def test_search_matches_every_word_in_reference_title_text_or_document(seeded):
    published = Commitment.objects.published()
    assert list(published.search("transport review").values_list("reference", flat=True)) == [
        "8.11"
    ]
    kcass = published.search("KCASS hub")
    assert set(kcass.values_list("reference", flat=True)) == {"KCASS 1", "KCASS 6"}
    assert published.search("Kinship Voice").count() >= 4  # document title + reference


def test_unpublished_documents_are_left_out_of_published_commitments(seeded):
    SourceDocument.objects.filter(slug=KINSHIP).update(is_published=False)
    assert not Commitment.objects.published().filter(document__slug=KINSHIP).exists()


@pytest.mark.dates
def test_timeline_row_has_the_keys_of_a_milestone_export_row(seeded, rf, clock):
    clock.move_to(datetime.date(2028, 12, 31))  # the last day of the commitment's years
    rows = Commitment.objects.published().filter(reference="8.11").timeline_rows(rf.get("/"))
    (row,) = rows
    assert row["kind"] == "commitment"
    assert row["milestone_id"] == f"{SECURE_CARE}/8.11"
    assert (row["route_map"], row["outcome"], row["year"]) == (
        "where-children-live",
        "secure-care",
        2028,
    )
    assert row["foundation"] == "Care"  # the route map's, as the commitment names none
    assert row["organisations"] == ["scottish-government"]
    assert row["text"].startswith("8.11 Secure Care Transport (2025-28)\n\nThe Scottish Government")
    assert row["url"].startswith(f"http://testserver/sources/{SECURE_CARE}/#commitment-")
    assert row["overdue"] is False and row["status"] == "no_update"
    assert (row["status_updated_on"], row["status_updated_by"]) == (None, None)
    exports = pytest.importorskip("milestones.exports")
    assert set(exports.COLUMN_NAMES) <= set(row)


def test_a_commitment_past_its_due_date_and_not_done_is_overdue(db):
    commitment = CommitmentFactory(timescale="2025-26")  # the financial year ends 31 March 2026
    assert commitment.is_overdue(datetime.date(2026, 4, 1))
    assert not commitment.is_overdue(datetime.date(2026, 3, 31))
    commitment.status = "achieved"
    assert not commitment.is_overdue(datetime.date(2027, 1, 1))
    assert not CommitmentFactory(timescale="").is_overdue(datetime.date(2030, 1, 1))


def test_years_always_follow_the_printed_timescale(db):
    commitment = CommitmentFactory(timescale="Autumn 2025")
    commitment.timescale = "2028/29-2029/30"
    commitment.save()
    commitment.refresh_from_db()
    assert (commitment.year_from, commitment.year_to) == (2028, 2030)


# --- Bounded queries ----------------------------------------------------------------------------


@pytest.fixture
def linked_plan(volume):
    editions, organisations = volume
    scale = len(editions)
    outcomes = list(
        Outcome.objects.filter(edition__in=editions).select_related("edition__route_map")
    )
    milestones = list(
        Milestone.objects.filter(outcome__in=outcomes).select_related("outcome__edition__route_map")
    )
    documents = [
        build_source_document(
            commitments=3 * scale,
            outcomes=outcomes[index::scale],
            milestones=milestones[index::scale],
            organisations=organisations,
            links_each=3,
        )
        for index in range(scale)
    ]
    return editions, documents


@pytest.mark.parametrize(
    ("url_for", "limit"),
    [
        (lambda editions, documents: "/sources/", 3),
        (lambda editions, documents: documents[0].get_absolute_url(), 14),
        (lambda editions, documents: "/api/sources/", 3),
        (lambda editions, documents: f"/api/sources/{documents[0].slug}/", 14),
        (lambda editions, documents: editions[0].route_map.get_absolute_url(), 12),
        (lambda editions, documents: editions[0].outcomes.first().get_absolute_url(), 12),
    ],
    ids=["list", "document", "api-list", "api-document", "route-map", "outcome"],
)
def test_pages_with_commitments_use_a_bounded_number_of_queries(
    client, linked_plan, url_for, limit, django_assert_max_num_queries
):
    editions, documents = linked_plan
    url = url_for(editions, documents)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
