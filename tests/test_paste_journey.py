"""A publisher pastes a route map's published page and gets a draft equal to the fixture made
from the same page by hand (fixtures/route-maps/where-children-live.yaml)."""

import pytest

from editing.paste import parse
from editing.paste_forms import ReviewForm
from organisations.models import Organisation
from publishing.models import ChangeRecord
from routemap.models import Edition, RouteMap
from seeding.routemaps import FIXTURES_DIR, load_organisations, load_plan, read_route_map_content
from tests.factories import (
    DraftEditionFactory,
    EditorFactory,
    OutcomeFactory,
    PublisherFactory,
)

pytestmark = pytest.mark.django_db

PAGE = (FIXTURES_DIR / "seeds" / "000_1766b190943272c6.txt").read_text(encoding="utf-8")
FIXTURE = FIXTURES_DIR / "route-maps" / "where-children-live.yaml"
URL = "/edit/route-maps/where-children-live/paste/"


@pytest.fixture
def plan(db):
    """The route maps and bodies of the seed, and no route map content."""
    load_plan(FIXTURES_DIR / "plan.yaml")
    load_organisations(FIXTURES_DIR / "organisations.yaml")
    return RouteMap.objects.get(slug="where-children-live")


@pytest.fixture
def publisher(client):
    user = PublisherFactory()
    client.force_login(user)
    return user


def review_form(route_map) -> ReviewForm:
    return ReviewForm(
        proposal=parse(PAGE),
        organisations=Organisation.objects.order_by("name"),
        route_maps=RouteMap.objects.exclude(pk=route_map.pk),
    )


def proposed_values(form: ReviewForm) -> dict:
    """What the review page posts when the publisher changes nothing."""
    data = {"text": PAGE}
    for name, field in form.fields.items():
        if name != "text" and field.initial not in (None, False):
            data[name] = field.initial
    return data


def fixture_sections(route_map) -> tuple[dict, int, int]:
    """The review's choices that give the fixture: each paragraph's section and joins
    (worked out by matching the fixture's texts in order), and the fixture's titles; with
    how many paragraphs the proposal placed as the fixture does, out of how many."""
    _, expected, _ = read_route_map_content(FIXTURE)
    proposal = parse(PAGE)
    choices, same, total = {}, 0, 0
    pairs = zip(proposal.outcomes, expected.outcomes, strict=True)
    for i, (outcome, wanted) in enumerate(pairs, start=1):
        choices[f"o{i}-title"] = wanted.title
        entries = [("progress", e.text, e.date_label) for e in wanted.progress] + [
            (str(m.year), m.text, "") for m in wanted.milestones
        ]
        paragraphs = iter(enumerate(outcome.paragraphs, start=1))
        for section, text, date_label in entries:
            j, paragraph = next(paragraphs)
            choices[f"o{i}-p{j}-section"] = section
            choices[f"o{i}-p{j}-date"] = date_label
            total += 1
            same += paragraph.section == section
            joined = paragraph.text
            while joined != text:
                assert text.startswith(joined), (text, joined)
                j, paragraph = next(paragraphs)
                choices[f"o{i}-p{j}-join"] = "on"
                choices[f"o{i}-p{j}-section"] = section
                joined += "\n\n" + paragraph.text
        assert next(paragraphs, None) is None
    return choices, same, total


def content(edition: Edition) -> dict:
    """What the fixture states of a draft: no statuses, dates or milestone bodies."""
    edition = Edition.objects.with_content().get(pk=edition.pk)
    return {
        "introduction": edition.introduction,
        "summary": edition.summary,
        "vision": edition.vision,
        "what_matters": [w.text for w in edition.what_matters.all()],
        "outcomes": [
            {
                "title": outcome.title,
                "statement": outcome.statement,
                "bodies": [
                    link.organisation.slug for link in outcome.organisation_links.order_by("order")
                ],
                "linked": sorted(rm.slug for rm in outcome.linked_route_maps.all()),
                "progress": [
                    (e.text, e.date_label, e.date)
                    for e in outcome.progress_entries.order_by("order")
                ],
                "milestones": [
                    (m.year, m.text) for m in outcome.milestones.order_by("year", "order")
                ],
            }
            for outcome in edition.outcomes.order_by("order")
        ],
    }


def expected_content() -> dict:
    _, data, _ = read_route_map_content(FIXTURE)
    return {
        "introduction": data.introduction,
        "summary": data.summary,
        "vision": data.vision,
        "what_matters": data.what_matters,
        "outcomes": [
            {
                "title": o.title,
                "statement": o.statement,
                "bodies": [ref.organisation.slug for ref in o.organisations],
                "linked": sorted(rm.slug for rm in o.linked_route_maps),
                "progress": [(e.text, e.date_label, e.date) for e in o.progress],
                "milestones": sorted(
                    ((m.year, m.text) for m in o.milestones), key=lambda row: row[0]
                ),
            }
            for o in data.outcomes
        ],
    }


def test_pasting_the_page_shows_the_proposal_and_saves_nothing(
    plan, publisher, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        page = client.post(URL, {"text": PAGE}).content.decode()
    assert "Check the draft read from the page" in page
    assert "7 outcomes" in page
    assert "Kinship care is valued as a vital part of family based care." in page
    assert "Inferred" in page and "Certain" in page
    assert "Proposed: check it" in page
    assert 'name="o1-p2-join"' in page
    assert not plan.editions.exists()


def test_the_paste_page_is_offered_to_publishers_of_an_empty_route_map(plan, publisher, client):
    assert URL in client.get("/edit/route-maps/where-children-live/").content.decode()
    page = client.get(URL)
    assert page.status_code == 200
    assert "The text of the route map page" in page.content.decode()


def test_the_reviewed_paste_makes_a_draft_equal_to_the_fixture(plan, publisher, client):
    choices, same, total = fixture_sections(plan)
    data = {**proposed_values(review_form(plan)), **choices, "step": "create"}

    response = client.post(URL, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    draft = plan.editions.get()
    assert draft.state == Edition.State.DRAFT
    assert content(draft) == expected_content()
    record = ChangeRecord.objects.get(route_map=plan)
    assert record.action == ChangeRecord.Action.ADDED
    assert record.after.startswith("Draft made from a pasted page: 7 outcomes,")
    # Nothing public: the route map has no published edition.
    assert not plan.editions.filter(state=Edition.State.PUBLISHED).exists()
    # The proposal alone places most paragraphs as the fixture does (reported, kept high).
    assert total == 164
    assert same >= 150, same


def test_the_proposal_unchanged_makes_a_draft_of_the_same_texts(plan, publisher, client):
    data = {**proposed_values(review_form(plan)), "step": "create"}
    assert client.post(URL, data).status_code == 302
    draft = content(plan.editions.get())
    expected = expected_content()
    assert [o["statement"] for o in draft["outcomes"]] == [
        o["statement"] for o in expected["outcomes"]
    ]
    assert [o["bodies"] for o in draft["outcomes"]] == [o["bodies"] for o in expected["outcomes"]]
    assert [o["linked"] for o in draft["outcomes"]] == [o["linked"] for o in expected["outcomes"]]


def test_check_again_reshows_the_choices_and_saves_nothing(plan, publisher, client):
    data = {**proposed_values(review_form(plan)), "o1-title": "Kinship", "step": "check"}
    page = client.post(URL, data).content.decode()
    assert 'value="Kinship"' in page
    assert not plan.editions.exists()


def test_a_paragraph_in_an_earlier_year_than_the_one_before_is_refused(plan, publisher, client):
    data = {**proposed_values(review_form(plan)), "step": "create"}
    last = max(int(k.split("-")[1][1:]) for k in data if k.startswith("o1-p"))
    data[f"o1-p{last}-section"] = "progress"  # the last paragraph of kinship care

    response = client.post(URL, data)

    assert response.status_code == 400
    assert "A paragraph cannot be in an earlier year than the one before it" in (
        response.content.decode()
    )
    assert not plan.editions.exists()
    assert not ChangeRecord.objects.exists()


def test_a_missing_title_or_sector_is_refused_and_keeps_what_was_typed(plan, publisher, client):
    data = {
        **proposed_values(review_form(plan)),
        "o1-title": "",
        "o2-title": "Adoption typed",
        "o1-b1": "__new__",
        "step": "create",
    }
    page = client.post(URL, data)
    text = page.content.decode()
    assert page.status_code == 400
    assert "Enter a title for outcome 1." in text
    assert "already exists" in text  # "Scottish Government" is known: choose it
    assert 'value="Adoption typed"' in text
    assert not plan.editions.exists()


def test_a_new_body_is_created_with_the_draft(plan, publisher, client):
    Organisation.objects.filter(slug="sssc").delete()
    data = {**proposed_values(review_form(plan)), "step": "create"}
    residential = 4
    name = parse(PAGE).outcomes[residential - 1].bodies.index("SSSC") + 1
    assert data[f"o{residential}-b{name}"] == "__new__"
    data[f"o{residential}-b{name}-sector"] = "scrutiny"
    assert client.post(URL, data).status_code == 302
    body = Organisation.objects.get(name="SSSC")
    assert body.sector == "scrutiny"
    assert body.outcomeorganisation_set.get().outcome.edition.route_map == plan


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Paste the text of a route map page."),
        ("   \n ", "Paste the text of a route map page."),
        ("Shopping list\n\nEggs\nMilk", "does not look like the text of a route map page"),
        (
            PAGE[: PAGE.index("On 28th August 2024")],
            "The page lists 7 outcome statements but has 4",
        ),
    ],
    ids=["empty", "blank", "not a route map", "cut short"],
)
def test_bad_pastes_are_told_and_save_nothing(plan, publisher, client, text, message):
    response = client.post(URL, {"text": text})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'class="ds_error-summary' in response.content.decode()
    assert not plan.editions.exists()


def test_editors_who_are_not_publishers_are_refused(plan, client):
    client.force_login(EditorFactory())
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": PAGE}).status_code == 403


def test_anonymous_readers_are_sent_to_sign_in(plan, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign-in" in response["Location"]


def test_a_route_map_with_content_is_refused(plan, publisher, client):
    OutcomeFactory(edition=DraftEditionFactory(route_map=plan))
    response = client.post(URL, {"text": PAGE})
    assert response.status_code == 409
    assert "already has outcomes" in response.content.decode()
    assert URL not in client.get("/edit/route-maps/where-children-live/").content.decode()


def test_an_empty_draft_is_filled(plan, publisher, client):
    DraftEditionFactory(route_map=plan)
    data = {**proposed_values(review_form(plan)), "step": "create"}
    assert client.post(URL, data).status_code == 302
    assert plan.editions.get().outcomes.count() == 7


def test_the_new_draft_is_told_on_the_editor_page_and_in_the_history(plan, publisher, client):
    data = {**proposed_values(review_form(plan)), "step": "create"}
    page = client.post(URL, data, follow=True).content.decode()
    assert "Draft made from the pasted page: 7 outcomes." in page
    assert "Kinship care" in page
    history = client.get("/edit/route-maps/where-children-live/history/").content.decode()
    assert "Draft made from a pasted page: 7 outcomes, " in history


def three_times_as_long(page: str) -> str:
    """The page with its outcome statements and outcome blocks three times over: a route map
    three times the size of "Where children live" (21 outcomes, about 500 paragraphs)."""
    lines = page.split("\n")
    bullets = [i for i, line in enumerate(lines) if line.strip().startswith("•") and i < 40]
    first, last = bullets[0], bullets[-1] + 1
    start = lines.index("The route map to get there") + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("What matters to children"))
    return "\n".join(
        lines[:first]
        + lines[first:last] * 3
        + lines[last:start]
        + lines[start:end] * 3
        + lines[end:]
    )


def test_a_long_route_map_page_is_reviewed_and_drafted(plan, publisher, client):
    """Its review posts about 1,500 fields: more than Django's default limit of 1,000."""
    text = three_times_as_long(PAGE)
    form = ReviewForm(
        proposal=parse(text),
        organisations=Organisation.objects.order_by("name"),
        route_maps=RouteMap.objects.exclude(pk=plan.pk),
    )
    data = {**proposed_values(form), "text": text}
    assert len(data) > 1000
    assert client.post(URL, {**data, "step": "check"}).status_code == 200
    assert client.post(URL, {**data, "step": "create"}).status_code == 302
    assert plan.editions.get().outcomes.count() == 21
