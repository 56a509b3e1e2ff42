"""The seed content: the real "Where children live" route map, loaded faithfully."""

from pathlib import Path

import pytest
from django.core.management import call_command

from milestones.models import Milestone
from organisations.models import Organisation
from outcomes.models import Outcome, ProgressEntry
from routemap.models import Edition, Foundation, RouteMap
from seeding.routemaps import SeedError, load_seed
from tests.helpers import WHERE_CHILDREN_LIVE_OUTCOMES, copy_fixtures, edit_yaml

pytestmark = pytest.mark.django_db


def outcome(slug: str) -> Outcome:
    return Outcome.objects.published().get(
        slug=slug, edition__route_map__slug="where-children-live"
    )


def milestone_years(slug: str, fragment: str) -> list[int]:
    return sorted(
        Milestone.objects.published()
        .filter(outcome=outcome(slug), text__contains=fragment)
        .values_list("year", flat=True)
    )


def test_five_foundations_in_order(seeded):
    assert list(Foundation.objects.values_list("name", flat=True)) == [
        "Voice",
        "Family",
        "Care",
        "People",
        "Scaffolding",
    ]


def test_route_maps_named_by_the_sources_under_their_foundations(seeded):
    by_foundation = {
        f.name: sorted(f.route_maps.values_list("title", flat=True))
        for f in Foundation.objects.all()
    }
    assert by_foundation["Voice"] == ["Documenting decisions", "Listening"]
    assert by_foundation["Family"] == ["Intensive family support"]
    assert by_foundation["People"] == []
    assert "Where children live" in by_foundation["Care"]
    assert len(by_foundation["Care"]) == 6
    assert len(by_foundation["Scaffolding"]) == 9
    unplaced = RouteMap.objects.get(slug="rights-and-restraint")
    assert unplaced.foundation is None
    assert RouteMap.objects.count() == 19


def test_where_children_live_has_seven_outcomes_in_order(seeded):
    edition = Edition.objects.published().get(route_map__slug="where-children-live")
    assert list(edition.outcomes.values_list("title", flat=True)) == WHERE_CHILDREN_LIVE_OUTCOMES
    assert edition.last_updated.isoformat() == "2025-12-01"
    assert edition.summary.startswith("There is ongoing work to ensure all children")
    assert edition.what_matters.count() == 3
    assert outcome("kinship-care").statement.startswith(
        "Kinship care is valued as a vital part of family based care."
    )


def test_every_outcome_has_progress_and_milestones(seeded):
    for item in Outcome.objects.published():
        assert item.progress_entries.exists(), item.slug
        assert item.milestones.exists(), item.slug


def test_progress_entries_keep_their_printed_dates(seeded):
    entry = ProgressEntry.objects.get(
        outcome=outcome("cross-border-placements"),
        text__contains="The Cross Border Placements (Effect of Deprivation of Liberty Orders) "
        "(Scotland) Regulations 2022 came into force",
    )
    assert entry.date.isoformat() == "2022-06-24"
    assert entry.date_label == "24th June 2022"
    sra = ProgressEntry.objects.filter(
        outcome=outcome("kinship-care"), text__startswith="In August 2023"
    ).get()
    assert sra.date_label == "August 2023"
    assert sra.date.isoformat() == "2023-08-31"  # sorts by the end of the month printed


def test_progress_dates_sort_by_the_end_of_the_period_printed(seeded):
    foster = ProgressEntry.objects.filter(outcome=outcome("foster-care"))
    consultation = foster.get(text__startswith="In late 2024")
    assert consultation.date_label == "late 2024"
    assert consultation.date.isoformat() == "2024-12-31"
    cross_border = ProgressEntry.objects.filter(outcome=outcome("cross-border-placements"))
    in_order = [e.date_label for e in (foster | cross_border).in_date_order()]
    assert in_order.index("June 2024") < in_order.index("late 2024") < in_order.index("2025")
    adoption_week = ProgressEntry.objects.get(date_label="3-7 November")
    assert adoption_week.date is None  # no year is printed
    funding = ProgressEntry.objects.filter(outcome=outcome("adoption"), date_label="2025/26")
    assert {e.date.isoformat() for e in funding} == {"2026-03-31"}


def test_a_progress_date_that_contradicts_its_printed_date_fails_loudly(db, tmp_path):
    directory = copy_fixtures(tmp_path)

    def misdate(data):
        data["outcomes"][2]["progress"][1]["date"] = "2024-01-01"

    edit_route_map(directory, misdate)
    with pytest.raises(SeedError, match=r"progress\[1\]\.date: 2024-01-01 is not the end of"):
        load_seed(directory)


def test_the_seeded_version_is_dated_by_its_source(seeded):
    edition = Edition.objects.published().get(route_map__slug="where-children-live")
    assert edition.number == 1
    assert edition.imported_from == "plan2430.scot"
    assert edition.last_updated.isoformat() == "2025-12-01"


@pytest.mark.parametrize(
    ("slug", "fragment", "years"),
    [
        ("kinship-care", "There will be availability of services to support parents", [2030]),
        ("secure-care", "By April 2027 at the latest", [2027]),
        ("secure-care", "By 2028, provisions of the Children (Care and Justice)", [2028]),
        ("secure-care", "The Scottish Government's vision for secure care", [2030]),
        (
            "secure-care",
            "Depending on the outcome of the consultation on the future of secure care",
            [2027, 2028],
        ),
        ("secure-care", "April 2026: Commencement of new secure accommodation", [2026]),
        # Re-read: Foxgrove is "due to open early 2026" (PLACEMENT_NOTES.md), so the facility
        # "will be open" in 2026, with the two paragraphs the page puts before it.
        ("secure-care", "Resilience of existing secure care provision", [2026]),
        ("secure-care", "Existing issues relating to recruitment, retention", [2026]),
        ("secure-care", "(Foxgrove) will be open", [2026]),
        ("secure-care", "If not already done so, completion of National Trauma", [2027]),
        # Re-read and kept: 2027 cannot be empty and everything before it names 2026.
        (
            "cross-border-placements",
            "Consideration of the formal review of the Regulations",
            [2027],
        ),
        ("cross-border-placements", "Work that began in 2026 and 2027", [2028]),
        ("cross-border-placements", "November – December 2026", [2026]),
        ("unaccompanied-asylum-seeking-children", "Complaints and litigation", [2030]),
        ("residential-care", "Compassionate and relational practice standards", [2028]),
        ("foster-care", "All foster carers will have access to an improved support", [2030]),
    ],
)
def test_milestones_sit_in_their_outcome_and_year(seeded, slug, fragment, years):
    assert milestone_years(slug, fragment) == years


@pytest.mark.parametrize(
    ("slug", "empty_years"),
    [
        ("kinship-care", {2028, 2029}),
        ("cross-border-placements", {2029, 2030}),
        ("unaccompanied-asylum-seeking-children", {2028, 2029}),
        ("foster-care", {2029}),
        ("residential-care", {2029}),
    ],
)
def test_years_the_source_left_empty_have_no_milestones(seeded, slug, empty_years):
    used = set(Milestone.objects.filter(outcome=outcome(slug)).values_list("year", flat=True))
    assert not used & empty_years


def test_lists_in_milestones_are_kept_as_lists(seeded):
    milestone = Milestone.objects.published().get(
        outcome=outcome("secure-care"), text__contains="will have been implemented. This includes"
    )
    assert "\n- Transforming the purpose, delivery and infrastructure" in milestone.text


def test_who_needs_to_work_on_this_is_split_into_organisations(seeded):
    names = [
        link.organisation.slug
        for link in outcome("cross-border-placements").organisation_links.all()
    ]
    assert names == ["scottish-government", "local-authorities", "cosla", "care-inspectorate"]
    assert not outcome("secure-care").organisation_links.exists()


def test_organisations_are_deduplicated(seeded):
    names = [name.lower() for name in Organisation.objects.values_list("name", flat=True)]
    assert len(names) == len(set(names))
    assert Organisation.objects.filter(name__istartswith="local authorit").count() == 1
    assert Organisation.objects.filter(name__icontains="third sector").count() == 1
    assert Organisation.objects.filter(name__iendswith="health boards").count() == 1
    # "Health Boards" and "health boards" are one body across outcomes.
    assert "health-boards" in outcome("kinship-care").organisations.values_list("slug", flat=True)
    assert Organisation.objects.count() == 31  # 28 from the route map, 3 from sources


@pytest.mark.parametrize("slug", ["adoption", "foster-care"])
def test_health_is_carried_as_printed_not_narrowed_to_health_boards(seeded, slug):
    bodies = list(outcome(slug).organisations.values_list("name", flat=True))
    assert "Health" in bodies
    assert "Health boards" not in bodies
    assert Organisation.objects.get(name="Health").get_sector_display() == "Health"


def test_bodies_named_in_milestones_are_carried_as_printed(seeded):
    foster = Milestone.objects.published().get(
        outcome=outcome("foster-care"), text__contains="should work with local authorities, health"
    )
    assert "Health" in foster.organisations.values_list("name", flat=True)
    spaces = Milestone.objects.published().get(
        outcome=outcome("secure-care"), text__startswith="Creation of the physical spaces"
    )
    assert "NHS" in spaces.organisations.values_list("name", flat=True)


def test_linked_route_maps_are_real_route_maps(seeded):
    linked = outcome("cross-border-placements").linked_route_maps.values_list("slug", flat=True)
    assert sorted(linked) == ["governance", "rights-and-restraint", "scrutiny-and-inspection"]
    assert list(outcome("secure-care").linked_route_maps.values_list("slug", flat=True)) == [
        "intensive-family-support"
    ]


def test_loading_twice_changes_nothing(seeded):
    counts = (Milestone.objects.count(), Edition.objects.count(), Organisation.objects.count())
    assert load_seed() == []
    assert (Milestone.objects.count(), Edition.objects.count(), Organisation.objects.count()) == (
        counts
    )


def test_load_seed_command_reports_when_nothing_changed(seeded, capsys):
    call_command("load_seed")
    assert "nothing changed" in capsys.readouterr().out


def edit_route_map(tmp_path: Path, change) -> Path:
    return edit_yaml(tmp_path / "route-maps" / "where-children-live.yaml", change)


def test_a_milestone_year_outside_the_plan_fails_loudly_naming_file_and_record(db, tmp_path):
    directory = copy_fixtures(tmp_path)
    edit_route_map(
        directory, lambda d: d["outcomes"][0]["milestones"].update({2031: [{"text": "Too late"}]})
    )
    with pytest.raises(SeedError) as excinfo:
        load_seed(directory)
    message = str(excinfo.value)
    assert "where-children-live.yaml" in message
    assert "outcomes[0] (kinship-care).milestones[2031][0]" in message
    assert "Enter a year from 2024 to 2030" in message
    assert not Edition.objects.exists()  # nothing half-loaded


def test_an_unknown_organisation_fails_loudly(db, tmp_path):
    directory = copy_fixtures(tmp_path)
    edit_route_map(
        directory, lambda d: d["outcomes"][1]["organisations"].append("ministry-of-magic")
    )
    with pytest.raises(SeedError, match="unknown organisation 'ministry-of-magic'"):
        load_seed(directory)
    assert not Organisation.objects.exists()


def test_an_unknown_key_fails_loudly(db, tmp_path):
    directory = copy_fixtures(tmp_path)
    edit_route_map(directory, lambda d: d["outcomes"][2].update({"colour": "blue"}))
    with pytest.raises(SeedError, match=r"outcomes\[2\]: unknown key\(s\) colour"):
        load_seed(directory)


def test_invalid_yaml_fails_loudly(db, tmp_path):
    directory = copy_fixtures(tmp_path)
    (directory / "organisations.yaml").write_text("- slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"organisations\.yaml: file: not valid YAML"):
        load_seed(directory)
