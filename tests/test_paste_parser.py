"""Reading a pasted route map page (editing.paste) against the fixture made from the same page
by hand: fixtures/route-maps/where-children-live.yaml, placed as fixtures/PLACEMENT_NOTES.md
explains."""

import contextlib
import random

import pytest
import yaml

from editing.paste import (
    PLACEHOLDER,
    SECTIONS,
    PasteError,
    match_bodies,
    match_route_maps,
    opening_date,
    parse,
    propose_title,
    split_bodies,
)
from organisations.models import Organisation
from routemap.models import RouteMap
from seeding.routemaps import FIXTURES_DIR, Reader

PAGE = (FIXTURES_DIR / "seeds" / "000_1766b190943272c6.txt").read_text(encoding="utf-8")
FIXTURE = FIXTURES_DIR / "route-maps" / "where-children-live.yaml"
# The fixture stores the foster progress paragraph ending in ":" with the two after it; the
# proposal keeps them apart and the review page's "join" box puts them together.
COLON_PARAGRAPH = "In December 2025 the Scottish Government published further feedback"


@pytest.fixture(scope="module")
def proposal():
    return parse(PAGE)


@pytest.fixture(scope="module")
def fixture():
    reader = Reader(FIXTURE)
    data = reader.load()

    def clean(value):
        return reader.text(value, "text", blank=True)

    outcomes = []
    for outcome in data["outcomes"]:
        entries = [
            ("progress", clean(e["text"]), e.get("date_label", "")) for e in outcome["progress"]
        ]
        for year, milestones in (outcome.get("milestones") or {}).items():
            entries += [(str(year), clean(m["text"]), "") for m in milestones]
        outcomes.append({**outcome, "statement": clean(outcome["statement"]), "entries": entries})
    return {**data, "outcomes": outcomes, "clean": clean}


def by_text(outcome, start: str):
    return next(p for p in outcome.paragraphs if p.text.startswith(start))


def joined_as_fixture(outcome) -> list[str]:
    """The proposal's paragraphs with the colon paragraph joined as the review would."""
    texts = []
    for paragraph in outcome.paragraphs:
        if texts and texts[-1].startswith(COLON_PARAGRAPH) and texts[-1].count("\n\n") < 2:
            texts[-1] += "\n\n" + paragraph.text
        else:
            texts.append(paragraph.text)
    return texts


def test_the_route_maps_own_texts_are_read_as_printed(proposal, fixture):
    clean = fixture["clean"]
    assert proposal.title == "Where children live"
    assert proposal.introduction == clean(fixture["introduction"])
    assert proposal.summary == clean(fixture["summary"])
    assert proposal.vision == clean(fixture["vision"])
    assert proposal.what_matters == [clean(text) for text in fixture["what_matters"]]


def test_the_seven_outcome_statements_are_the_fixtures(proposal, fixture):
    assert [o.statement for o in proposal.outcomes] == [o["statement"] for o in fixture["outcomes"]]


def test_every_outcome_has_the_fixtures_paragraphs_in_order(proposal, fixture):
    for outcome, expected in zip(proposal.outcomes, fixture["outcomes"], strict=True):
        assert joined_as_fixture(outcome) == [text for _, text, _ in expected["entries"]]


def test_bullets_and_a_quotation_are_joined_to_their_paragraph(proposal):
    secure = proposal.outcomes[4]
    consultation = by_text(secure, "Scottish Government aim to launch a consultation")
    assert consultation.text.endswith("leaving secure care.")
    assert "It is expected this will focus on:\n\n- The future purpose" in consultation.text
    assert "\n- Secure care funding and commissioning models.\n" in consultation.text
    regulations = by_text(proposal.outcomes[6], "November 25th 2025:")
    assert regulations.text.count("\n\n") == 3
    assert regulations.text.endswith("Wales, and Northern Ireland.”")


def test_placeholders_are_empty_years_not_paragraphs(proposal):
    for outcome in proposal.outcomes:
        assert not [p for p in outcome.paragraphs if p.text.startswith(PLACEHOLDER)]
    kinship = proposal.outcomes[0]
    assert {p.section for p in kinship.paragraphs} == {"progress", "2026", "2027", "2030"}


def test_sections_never_go_back_and_every_year_without_a_placeholder_has_a_paragraph(proposal):
    placeholders = [2, 0, 1, 1, 0, 2, 2]  # PLACEMENT_NOTES.md: the empty year tabs
    for outcome, empty in zip(proposal.outcomes, placeholders, strict=True):
        order = [SECTIONS.index(p.section) for p in outcome.paragraphs]
        assert order == sorted(order)
        years = {p.section for p in outcome.paragraphs} - {"progress"}
        assert len(years) + empty == 5


def test_outcome_bodies_match_the_fixtures_after_matching(proposal, fixture):
    known = [
        Organisation(slug=o["slug"], name=o["name"], abbreviation=o["abbreviation"] or "")
        for o in yaml.safe_load((FIXTURES_DIR / "organisations.yaml").read_text("utf-8"))
    ]
    for outcome, expected in zip(proposal.outcomes, fixture["outcomes"], strict=True):
        matches = match_bodies(outcome.bodies, known)
        assert [matches[name].slug for name in outcome.bodies] == expected["organisations"]


def test_linked_route_maps_match_by_title(proposal, fixture):
    plan = yaml.safe_load((FIXTURES_DIR / "plan.yaml").read_text("utf-8"))
    route_maps = [RouteMap(slug=r["slug"], title=r["title"]) for r in plan["route_maps"]]
    for outcome, expected in zip(proposal.outcomes, fixture["outcomes"], strict=True):
        matches = match_route_maps(outcome.linked_titles, route_maps)
        assert [matches[title].slug for title in outcome.linked_titles] == expected[
            "linked_route_maps"
        ]
    assert match_route_maps(["RIGHTS AND RESTRAINT", "Nowhere"], route_maps)["Nowhere"] is None


def test_residential_care_is_certain_throughout(proposal, fixture):
    residential = proposal.outcomes[3]
    assert all(p.certain for p in residential.paragraphs)
    assert [p.section for p in residential.paragraphs] == [
        section for section, _, _ in fixture["outcomes"][3]["entries"]
    ]


@pytest.mark.parametrize(
    "outcome, start, section",
    [
        (0, "There will be availability of services", "2030"),
        (1, "The Scottish Government will publish a Framework", "2026"),
        (1, "Investment will have been made", "2030"),
        (2, "The Scottish Government will publish a Framework", "2026"),
        (2, "All foster carers will have access", "2030"),
        (4, "April 2026: Commencement", "2026"),
        (4, "In response to the findings of the 2022", "2026"),  # "by 1 September 2026"
        (4, "By April 2027 at the latest", "2027"),
        (4, "By 2028, provisions", "2028"),
        (4, "The Scottish Government's vision for secure care", "2030"),
        (5, "This route map will be developed further in 2026", "2026"),
        (5, "Ensure effective and consistent implementation", "2027"),
        (5, "Complaints and litigation about age assessment", "2030"),
        (6, "6th January 2022:", "progress"),
        (6, "November 25th 2025:", "progress"),
        (6, "Early 2026:", "2026"),
        (6, "There is currently limited national clarity", "2026"),  # "During 2026"
        (6, "Consideration of the formal review", "2027"),
        (6, "Work that began in 2026 and 2027", "2028"),
    ],
)
def test_sections_the_page_fixes_are_certain(proposal, outcome, start, section):
    paragraph = by_text(proposal.outcomes[outcome], start)
    assert (paragraph.section, paragraph.certain) == (section, True)


@pytest.mark.parametrize(
    "outcome, start",
    [
        (0, "The Scottish Government will publish a draft Kinship Care Vision"),  # progress edge
        (0, "Alongside the Kinship Care Collaborative, the Scottish Government will work with"),
        (1, "Local authorities will test new approaches"),
        (4, "The development of the National Secure Adolescent Inpatient Service"),  # Foxgrove
        (4, "Creation of the physical spaces"),
        (5, "A review of the New Scots Refugee Integration Delivery Plan"),
        (6, "As part of the broader work around the language of care"),
    ],
)
def test_sections_chosen_by_reading_are_inferred(proposal, outcome, start):
    assert not by_text(proposal.outcomes[outcome], start).certain


def test_progress_dates_are_the_dates_paragraphs_open_with(proposal, fixture):
    for outcome, expected in zip(proposal.outcomes, fixture["outcomes"], strict=True):
        labels = {
            text: label for section, text, label in expected["entries"] if section == "progress"
        }
        for paragraph in outcome.paragraphs:
            label = labels.get(paragraph.text)
            if label is None:
                continue
            if label and paragraph.text.split(label)[0].strip() in ("", "In", "On"):
                assert paragraph.date_label == label, paragraph.text[:60]
            else:  # a date later in the text, or none: never invented
                assert paragraph.date_label == "", paragraph.text[:60]


@pytest.mark.parametrize(
    "text, label",
    [
        ("2024: Updated guidance.", "2024"),
        ("In August 2023, the allowance was rolled out.", "August 2023"),
        ("On 28th August 2024, provisions took effect.", "28th August 2024"),
        ("6th January 2022: A paper.", "6th January 2022"),
        ("From 2025: The Care Inspectorate began.", "From 2025"),
        ("In 2025/26 the Scottish Government committed funds.", "2025/26"),
        ("Early 2026: Expected consultation.", "Early 2026"),
        ("The Scottish Government published it in 2024.", ""),
        ("2 million allocated.", ""),
        ("In line with 2024 guidance, things happen.", ""),
    ],
)
def test_opening_dates(text, label):
    assert opening_date(text) == label


def test_proposed_titles_are_the_statements_subjects(proposal):
    assert [o.title for o in proposal.outcomes][:6] == [
        "Kinship care",
        "Adoption",
        "Foster carers",
        "Residential care",
        "Secure care",
        "Unaccompanied asylum-seeking children",
    ]
    assert propose_title("") == ""


def test_printed_bodies_are_split_on_commas_and_semicolons():
    assert split_bodies(
        "Scottish Government; Local Authorities; third sector providers; health."
    ) == [
        "Scottish Government",
        "Local Authorities",
        "third sector providers",
        "health",
    ]
    assert split_bodies("COSLA, health boards and the third sector, COSLA") == [
        "COSLA",
        "health boards and the third sector",
    ]
    assert split_bodies("COSLA, and Care Inspectorate.") == ["COSLA", "Care Inspectorate"]


@pytest.mark.parametrize("text", ["", "   \n\t\n "])
def test_an_empty_paste_is_refused(text):
    with pytest.raises(PasteError) as error:
        parse(text)
    assert error.value.problems == ["Paste the text of a route map page."]


def test_text_that_is_not_a_route_map_page_says_what_is_missing():
    with pytest.raises(PasteError) as error:
        parse("Dear all,\n\nThe minutes of Tuesday's meeting are attached.\n")
    assert error.value.problems[0] == "This does not look like the text of a route map page."
    missing = " ".join(error.value.problems[1:])
    assert "Where is Scotland now?" in missing
    assert "outcome statements" in missing
    assert "outcome blocks" in missing


def test_a_page_without_its_outcome_blocks_is_refused():
    with pytest.raises(PasteError) as error:
        parse(PAGE[: PAGE.index("The route map to get there")])
    assert error.value.problems[1:] == [
        "There are no outcome blocks (each ends with “Who needs to work on this:”)."
    ]


@pytest.mark.parametrize(
    "end, message",
    [
        ("On 28th August 2024", "The page lists 7 outcome statements but has 4 outcome blocks"),
        ("The Scottish Government will roll out", "The page lists 7 outcome statements but has 4"),
        ("What matters to children", "is not “What matters"),
    ],
    ids=["after a block", "inside a block", "without what matters"],
)
def test_a_page_cut_short_is_refused(end, message):
    text = PAGE[: PAGE.index(end)]
    if end == "What matters to children":
        text = PAGE.replace("What matters to children, families, and care experienced adults", "")
    with pytest.raises(PasteError) as error:
        parse(text)
    assert message in error.value.problems[0]


SMALL_PAGE = """Route map: Listening

An introduction.

Where is Scotland now?

Where Scotland is.

Where does Scotland need to be by 2030?

A vision.

The outcomes in Listening are:

  • Children are heard in every decision.

In 2024, a review was published.

The Scottish Government will act in 2027.

Who needs to work on this:

Scottish Government; The Promise Scotland, and COSLA.

What matters to children, families, and care experienced adults

I am heard.
"""


def test_a_page_that_breaks_its_own_rules_is_proposed_in_order_with_nothing_certain():
    (outcome,) = parse(SMALL_PAGE).outcomes
    assert outcome.title == "Children"
    assert [(p.section, p.certain, p.date_label) for p in outcome.paragraphs] == [
        ("progress", False, "2024"),
        ("2027", False, ""),
    ]
    assert outcome.bodies == ["Scottish Government", "The Promise Scotland", "COSLA"]


def test_no_damaged_copy_of_the_page_breaks_the_reader():
    """Lines lost, the end cut off, lines shuffled: a proposal or a PasteError, never a crash."""
    lines = PAGE.split("\n")
    rng = random.Random(2430)
    for _ in range(300):
        kept = [line for line in lines if rng.random() > 0.05]
        if rng.random() < 0.3:
            kept = kept[: rng.randrange(len(kept))]
        if rng.random() < 0.2:
            rng.shuffle(kept)
        with contextlib.suppress(PasteError):
            parse("\n".join(kept))
