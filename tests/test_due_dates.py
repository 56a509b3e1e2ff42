"""Real due dates: read from each milestone's words (or set by an editor) with their precision,
and what follows from them: overdue, due soon, their filters, counts and labels."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from editing.services import edition_ensure_draft
from milestones.dates import Due, DueDateError, DuePrecision, milestone_due, parse_due, read_due
from milestones.models import Milestone, Status
from organisations.models import Organisation
from publishing.models import ChangeRecord
from routemap.changes import describe_changes
from sources.actions import action_counts, organisation_actions
from sources.models import Commitment
from sources.timescales import timescale_due
from tests.discovery import keys, shown
from tests.factories import (
    CommitmentFactory,
    EditorFactory,
    MilestoneFactory,
    PublisherFactory,
    build_route_map,
)
from tests.helpers import milestone_item

D = datetime.date
DAY, MONTH, SEASON, PART, FINANCIAL_YEAR, YEAR = (
    DuePrecision.DAY,
    DuePrecision.MONTH,
    DuePrecision.SEASON,
    DuePrecision.PART,
    DuePrecision.FINANCIAL_YEAR,
    DuePrecision.YEAR,
)


# Reading a milestone's words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("April 2026: Commencement of the new contract.", 2026, (D(2026, 4, 30), MONTH)),
        ("By April 2027 at the latest, all elements", 2027, (D(2027, 4, 30), MONTH)),
        ("November – December 2026: agree an approach", 2026, (D(2026, 12, 31), MONTH)),
        ("February- March 2026: Awareness raising", 2026, (D(2026, 3, 31), MONTH)),
        ("February 9th 2026: The Regulations come into force", 2026, (D(2026, 2, 9), DAY)),
        ("February 2026 onwards: Data collected", 2026, (D(2026, 2, 28), MONTH)),
        ("**June 2028:** the review ends", 2028, (D(2028, 6, 30), MONTH)),
        ("Feb 2028: leap year", 2028, (D(2028, 2, 29), MONTH)),
        ("It will be published by the end of June 2028.", 2028, (D(2028, 6, 30), MONTH)),
        ("It will be laid no later than 31 March 2027.", 2027, (D(2027, 3, 31), DAY)),
        ("April 2026 – March 2027: the pilot runs", 2027, (D(2027, 3, 31), MONTH)),
        ("April 2026 – March 2027: the pilot runs", 2026, (D(2026, 4, 30), MONTH)),
        ("Autumn 2026: the review reports", 2026, (D(2026, 11, 30), SEASON)),
        ("Spring – Summer 2026: pilots run", 2026, (D(2026, 8, 31), SEASON)),
        ("Winter 2026: a plan is agreed", 2026, (D(2026, 12, 31), SEASON)),
        ("Early 2026: Expected consultation", 2026, (D(2026, 4, 30), PART)),
        ("Mid-2027: a report", 2027, (D(2027, 8, 31), PART)),
        ("By the end of 2027 a plan", 2027, (D(2027, 12, 31), YEAR)),
        ("This will be published early 2026. It sets out", 2026, (D(2026, 4, 30), PART)),
        ("An update will be provided in spring 2026.", 2026, (D(2026, 5, 31), SEASON)),
        (
            "It will support commencement by the last quarter of the 2026-27 financial year.",
            2027,
            (D(2027, 3, 31), FINANCIAL_YEAR),
        ),
        ("2026 onwards: The Scottish Government will work", 2026, (D(2026, 12, 31), YEAR)),
        ("By 2027, all local authorities should", 2027, (D(2027, 12, 31), YEAR)),
        # Dates of other years, and months that are not deadlines, are not the due date.
        ("April 2026: Commencement", 2027, None),
        ("Regulations published in early 2026 apply.", 2027, None),
        ("Testing took place in March 2025 in West Lothian.", 2026, None),
        ("Testing took place in March 2026 in West Lothian.", 2026, None),
        ("Subject to decisions after May 2026", 2026, None),
        ("May be published during 2026", 2026, None),
        ("", 2026, None),
    ],
)
def test_the_due_date_is_the_last_day_of_the_period_the_text_names_in_its_year(
    text, year, expected
):
    assert read_due(text, year) == (Due(*expected) if expected else None)


def test_a_milestone_whose_text_names_no_date_is_due_by_the_end_of_its_year():
    assert milestone_due("Work will continue with partners.", 2028) == Due(D(2028, 12, 31), YEAR)


@pytest.mark.parametrize(
    ("due", "label"),
    [
        (Due(D(2026, 2, 9), DAY), "Due 9 February 2026"),
        (Due(D(2026, 4, 30), MONTH), "Due April 2026"),
        (Due(D(2026, 11, 30), SEASON), "Due autumn 2026"),
        (Due(D(2026, 5, 31), SEASON), "Due spring 2026"),
        (Due(D(2026, 4, 30), PART), "Due early 2026"),
        (Due(D(2026, 8, 31), PART), "Due mid-2026"),
        (Due(D(2026, 12, 31), PART), "Due late 2026"),
        (Due(D(2027, 3, 31), FINANCIAL_YEAR), "Due by end of financial year 2026-27"),
        (Due(D(2026, 12, 31), YEAR), "Due by end of 2026"),
    ],
)
def test_each_precision_has_its_own_label_which_reads_back_as_the_same_date(due, label):
    assert due.label == label
    assert parse_due(label) == due
    assert parse_due(due.phrase) == due


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9 February 2026", (D(2026, 2, 9), DAY)),
        ("February 9th 2026", (D(2026, 2, 9), DAY)),
        ("2026-02-09", (D(2026, 2, 9), DAY)),
        ("9/2/2026", (D(2026, 2, 9), DAY)),
        ("April 2026", (D(2026, 4, 30), MONTH)),
        ("by the end of April 2026", (D(2026, 4, 30), MONTH)),
        ("Autumn 2026", (D(2026, 11, 30), SEASON)),
        ("late 2026", (D(2026, 12, 31), PART)),
        ("  2026 ", (D(2026, 12, 31), YEAR)),
        ("end of 2026", (D(2026, 12, 31), YEAR)),
    ],
)
def test_editors_can_type_a_day_month_season_part_of_year_or_year(typed, expected):
    assert parse_due(typed) == Due(*expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("soon", "Cannot read “soon” as a date"),
        ("April", "for example “9 February 2026”, “April 2026”"),
        ("31 February 2026", "February 2026 has no day 31"),
        ("2026-13-01", "is not a real date"),
    ],
)
def test_unreadable_due_dates_are_refused_with_a_message(typed, message):
    with pytest.raises(DueDateError, match=message):
        parse_due(typed)
    assert parse_due("") is None


# The seed's route map: every milestone whose words name when it is due -------------------

FRAMEWORK = "The Scottish Government will publish a Framework for Supporting Children"
SECURE_CONTRACT = "April 2026: Commencement of new secure accommodation contract"
# (outcome, year, start of the text, due date, precision)
SEED_DATED = [
    ("adoption", 2026, FRAMEWORK, D(2026, 4, 30), PART),  # "This will be published early 2026"
    ("foster-care", 2026, FRAMEWORK, D(2026, 4, 30), PART),
    ("residential-care", 2026, FRAMEWORK, D(2026, 4, 30), PART),
    ("secure-care", 2026, FRAMEWORK, D(2026, 4, 30), PART),
    # "... An update to this work will be provided in spring 2026."
    ("foster-care", 2026, "The Scottish Government has finalised", D(2026, 5, 31), SEASON),
    # "... presented to Parliament by 1 September 2026"
    ("secure-care", 2026, "In response to the findings of the 2022", D(2026, 9, 1), DAY),
    ("secure-care", 2026, SECURE_CONTRACT, D(2026, 4, 30), MONTH),
    ("secure-care", 2027, "By April 2027 at the latest", D(2027, 4, 30), MONTH),
    # "... commencement by the last quarter of the 2026-27 financial year"
    ("secure-care", 2027, "The Scottish Government will roll out", D(2027, 3, 31), FINANCIAL_YEAR),
    ("secure-care", 2027, "By 2027, all local authorities", D(2027, 12, 31), YEAR),
    ("secure-care", 2028, "By 2028, provisions of the Children", D(2028, 12, 31), YEAR),
    ("cross-border-placements", 2026, "Early 2026: Expected consultation", D(2026, 4, 30), PART),
    ("cross-border-placements", 2026, "February 2026: Publish", D(2026, 2, 28), MONTH),
    ("cross-border-placements", 2026, "February- March 2026:", D(2026, 3, 31), MONTH),
    ("cross-border-placements", 2026, "February 9th 2026:", D(2026, 2, 9), DAY),
    ("cross-border-placements", 2026, "February 2026 onwards:", D(2026, 2, 28), MONTH),
    ("cross-border-placements", 2026, "2026 onwards:", D(2026, 12, 31), YEAR),
    ("cross-border-placements", 2026, SECURE_CONTRACT, D(2026, 4, 30), MONTH),
    ("cross-border-placements", 2026, "November – December 2026:", D(2026, 12, 31), MONTH),
]


def seeded_milestone(outcome: str, year: int, start: str) -> Milestone:
    (milestone,) = Milestone.objects.published().filter(
        outcome__edition__route_map__slug="where-children-live",
        outcome__slug=outcome,
        year=year,
        text__startswith=start,
    )
    return milestone


@pytest.mark.django_db
def test_every_dated_milestone_in_the_seed_is_due_when_its_words_say(seeded):
    dated = {}
    for outcome, year, start, date, precision in SEED_DATED:
        milestone = seeded_milestone(outcome, year, start)
        assert (milestone.due_date, milestone.due_precision) == (date, precision), start
        assert not milestone.due_set_by_editor
        dated[milestone.pk] = milestone
    others = Milestone.objects.published().filter(
        outcome__edition__route_map__slug="where-children-live"
    )
    others = others.exclude(pk__in=list(dated))
    assert others.count() == 107 - len(SEED_DATED)
    for milestone in others:
        assert (milestone.due_date, milestone.due_precision) == (D(milestone.year, 12, 31), YEAR)


@pytest.mark.django_db
def test_the_seeds_commitments_are_due_when_their_printed_timescales_end(seeded):
    due = {
        c.reference: (c.timescale, c.due_date, c.due_precision, c.due_label)
        for c in Commitment.objects.filter(document__slug="reimagining-secure-care-response")
    }
    assert due["8.1"] == ("Autumn 2025", D(2025, 11, 30), "season", "Due autumn 2025")
    assert due["8.2"] == (
        "2025-26",
        D(2026, 3, 31),
        "financial_year",
        "Due by end of financial year 2025-26",
    )
    assert due["8.6"] == ("2025-28", D(2028, 12, 31), "year", "Due by end of 2028")
    assert due["8.5"] == ("", None, "", "")  # none printed, so none given


@pytest.mark.parametrize(
    ("timescale", "expected"),
    [
        ("Autumn 2025", (D(2025, 11, 30), SEASON)),
        ("by April 2026", (D(2026, 4, 30), MONTH)),
        ("early 2026", (D(2026, 4, 30), PART)),
        ("2025-26", (D(2026, 3, 31), FINANCIAL_YEAR)),
        ("2028/29–2029/30", (D(2030, 3, 31), FINANCIAL_YEAR)),
        ("2025-26 – 2027-28", (D(2028, 3, 31), FINANCIAL_YEAR)),
        ("2025-28", (D(2028, 12, 31), YEAR)),
        ("2024-2030", (D(2030, 12, 31), YEAR)),
        ("2026", (D(2026, 12, 31), YEAR)),
        ("2026 to April 2027", (D(2027, 4, 30), MONTH)),
        ("from 2026", None),  # a start, not a deadline
        ("", None),
    ],
)
def test_commitment_timescales_give_the_end_of_the_last_period_printed(timescale, expected):
    assert timescale_due(timescale) == (Due(*expected) if expected else None)


@pytest.mark.django_db
def test_a_commitments_due_date_follows_its_timescale_when_saved():
    commitment = CommitmentFactory(timescale="Autumn 2025")
    assert (commitment.due_date, commitment.due_label) == (D(2025, 11, 30), "Due autumn 2025")
    commitment.timescale = ""
    commitment.save()
    commitment.refresh_from_db()
    assert (commitment.due_date, commitment.due_precision) == (None, "")
    assert not commitment.is_overdue(D(2031, 1, 1)) and not commitment.is_due_soon(D(2025, 1, 1))


# Overdue and due soon, on either side of the dates -------------------------------------------

REGULATIONS = ("cross-border-placements", 2026, "February 9th 2026:")


def route_map_timeline(client, **filters):
    return client.get(reverse("timeline"), {"route_map": "where-children-live", **filters})


@pytest.mark.dates
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "overdue", "due_soon"),
    [
        (D(2025, 11, 10), False, False),  # 91 days before
        (D(2025, 11, 11), False, True),  # 90 days before
        (D(2026, 2, 8), False, True),
        (D(2026, 2, 9), False, True),  # due today: not overdue yet
        (D(2026, 2, 10), True, False),
    ],
)
def test_the_regulations_milestone_is_due_soon_then_overdue_on_9_february(
    client, seeded, clock, day, overdue, due_soon
):
    clock.move_to(day)
    milestone = seeded_milestone(*REGULATIONS)
    assert (milestone.overdue, milestone.due_soon) == (overdue, due_soon)
    assert (str(milestone.key) in shown(route_map_timeline(client, overdue="1"))) == overdue
    assert (str(milestone.key) in shown(route_map_timeline(client, due_soon="1"))) == due_soon
    item = milestone_item(route_map_timeline(client, year="2026"), milestone)
    assert "Due 9 February 2026" in item
    assert ("Overdue</strong>" in item) == overdue
    assert ("Due soon</strong>" in item) == due_soon


@pytest.mark.dates
@pytest.mark.django_db
def test_on_30_november_2026_past_dates_of_2026_are_overdue_and_the_rest_of_2026_due_soon(
    client, seeded, clock
):
    clock.move_to(D(2026, 11, 30))
    overdue = shown(route_map_timeline(client, overdue="1"))
    for start in ("February 9th 2026:", "February 2026: Publish", SECURE_CONTRACT):
        assert str(seeded_milestone("cross-border-placements", 2026, start).key) in overdue
    transport = seeded_milestone("secure-care", 2026, "In response to the findings of the 2022")
    assert transport.overdue and transport.due_label == "Due 1 September 2026"
    evaluation = seeded_milestone("cross-border-placements", 2026, "November – December 2026:")
    undated = Milestone.objects.published().filter(year=2026, due_precision=YEAR)
    due_soon = shown(route_map_timeline(client, due_soon="1"))
    assert str(evaluation.key) in due_soon
    assert keys(*undated) <= due_soon
    assert not overdue & due_soon
    page = route_map_timeline(client, due_soon="1").content.decode()
    assert "Only due in the next 90 days" in page  # the active filter, which can be removed


@pytest.mark.dates
@pytest.mark.django_db
def test_closed_milestones_are_neither_overdue_nor_due_soon(clock):
    clock.move_to(D(2026, 11, 30))
    past = MilestoneFactory(year=2026, text="April 2026: done", status=Status.ACHIEVED)
    near = MilestoneFactory(year=2026, text="Dropped.", status=Status.NO_LONGER_PLANNED)
    assert not past.overdue and not near.due_soon
    assert not Milestone.objects.overdue().exists() and not Milestone.objects.due_soon().exists()


@pytest.mark.dates
@pytest.mark.django_db
def test_the_timeline_lists_a_years_milestones_by_due_date(client, seeded, clock):
    clock.move_to(D(2026, 11, 30))
    response = route_map_timeline(client, year="2026")
    page = response.content.decode()
    ids = re.findall(r'id="milestone-([0-9a-f-]{36})"', page)
    by_key = {str(m.key): m for m in Milestone.objects.published().filter(year=2026)}
    dates = [by_key[key].due_date for key in ids]
    assert dates == sorted(dates)
    assert dates[0] == D(2026, 2, 9)


@pytest.mark.dates
@pytest.mark.django_db
def test_the_api_and_exports_give_the_due_date_its_precision_and_state(client, seeded, clock):
    clock.move_to(D(2026, 2, 8))
    data = client.get("/api/route-maps/where-children-live/").json()
    milestones = [m for outcome in data["outcomes"] for m in outcome["milestones"]]
    regulations = next(m for m in milestones if m["text"].startswith("February 9th 2026:"))
    assert {
        "due_date": "2026-02-09",
        "due_precision": "day",
        "due_label": "Due 9 February 2026",
        "due_soon": True,
        "overdue": False,
    }.items() <= regulations.items()
    exported = client.get(reverse("timeline-json"), {"due_soon": "1"})
    rows = json.loads(b"".join(exported.streaming_content))["milestones"]
    assert regulations["id"] in {r["milestone_id"] for r in rows}
    assert all(r["due_soon"] is True for r in rows)
    # Commitments too: the 2025-26 financial year ends on 31 March 2026.
    assert {r["milestone_id"] for r in rows if r["kind"] == "commitment"} == {
        f"reimagining-secure-care-response/{reference}" for reference in ("8.2", "8.3", "8.4")
    }
    commitments = client.get("/api/sources/reimagining-secure-care-response/").json()
    first = next(c for c in commitments["commitments"] if c["reference"] == "8.1")
    assert (first["due_date"], first["due_precision"], first["overdue"]) == (
        "2025-11-30",
        "season",
        True,
    )


@pytest.mark.dates
@pytest.mark.django_db
def test_organisations_page_counts_overdue_and_due_soon_actions(client, seeded, clock):
    clock.move_to(D(2026, 11, 30))
    page = client.get(reverse("organisations:list")).content.decode()
    # The table counts actions (sources.actions): milestones and commitments, each overdue
    # or due soon by its own due date.
    counts = action_counts()
    for slug in ("scottish-government", "scotland-excel"):
        organisation = Organisation.objects.get(slug=slug)
        mine = organisation_actions(organisation)
        entry = counts[organisation.pk]
        overdue = mine.milestones.overdue().count() + mine.commitments.overdue().count()
        due_soon = mine.milestones.due_soon().count() + mine.commitments.due_soon().count()
        assert entry.overdue == overdue > 0
        assert entry.due_soon == due_soon
        row = page[page.index(f'href="/organisations/{slug}/"') :].split("</tr>")[0]
        assert f'href="/organisations/{slug}/?overdue=1">{entry.overdue}<' in row
        if entry.due_soon:
            assert f'href="/organisations/{slug}/?due_soon=1">{entry.due_soon}<' in row


# Editors set a due date, or leave it to the text ------------------------------------------


@pytest.fixture
def editing(db, client):
    edition = build_route_map(outcomes=1)
    milestone = Milestone.objects.filter(outcome__edition=edition, year=2026).first()
    client.force_login(PublisherFactory())
    return edition.route_map, milestone


def post_milestone(client, route_map, milestone, **changes):
    current = Milestone.objects.filter(key=milestone.key).order_by("-pk").first()
    data = {
        "text": current.text,
        "year": current.year,
        "status": current.status,
        "progress_note": current.progress_note,
        "revision": current.revision,
        "due": "",
        **changes,
    }
    return client.post(reverse("editing:milestone", args=[route_map.slug, milestone.key]), data)


def draft_milestone(route_map, milestone) -> Milestone:
    return Milestone.objects.get(
        outcome__edition__route_map=route_map, outcome__edition__state="draft", key=milestone.key
    )


def test_an_editor_sets_the_due_date_and_can_clear_it_again(client, editing):
    route_map, milestone = editing
    form = client.get(reverse("editing:milestone", args=[route_map.slug, milestone.key]))
    assert 'name="due"' in form.content.decode()
    assert "Its text now gives: due by end of 2026." in form.content.decode()

    assert post_milestone(client, route_map, milestone, due="Autumn 2026").status_code == 302
    draft = draft_milestone(route_map, milestone)
    assert (draft.due_date, draft.due_precision, draft.due_set_by_editor) == (
        D(2026, 11, 30),
        SEASON,
        True,
    )
    record = ChangeRecord.objects.get(object_key=milestone.key, field="due")
    assert (record.before, record.after) == ("", "Autumn 2026")
    editor_page = client.get(reverse("editing:route_map", args=[route_map.slug])).content.decode()
    assert "Due autumn 2026" in editor_page

    # Rewording keeps the editor's date; the form shows it for changing.
    post_milestone(client, route_map, milestone, due="Autumn 2026", text="April 2026: reworded")
    assert draft_milestone(route_map, milestone).due_label == "Due autumn 2026"
    form = client.get(reverse("editing:milestone", args=[route_map.slug, milestone.key]))
    assert 'value="Autumn 2026"' in form.content.decode()
    assert "Its text now gives: due April 2026." in form.content.decode()

    # Published, readers see it; cleared, the date is read from the text again.
    client.post(reverse("editing:publish", args=[route_map.slug]), {"note": "Dates."})
    public = client.get(route_map.get_absolute_url()).content.decode()
    assert "Due autumn 2026" in public
    post_milestone(client, route_map, milestone, due="")
    draft = draft_milestone(route_map, milestone)
    assert (draft.due_label, draft.due_set_by_editor) == ("Due April 2026", False)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("next spring", "Cannot read “next spring” as a date."),
        ("March 2027", "Enter a date in 2026, the milestone&#x27;s year"),
    ],
)
def test_an_unreadable_or_other_year_due_date_is_refused_with_a_message(
    client, editing, typed, message
):
    route_map, milestone = editing
    response = post_milestone(client, route_map, milestone, due=typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'class="ds_error-summary"' in page
    assert not Milestone.objects.filter(key=milestone.key, due_set_by_editor=True).exists()


@pytest.mark.django_db
def test_an_editors_due_date_is_read_afresh_when_the_milestone_moves_to_another_year():
    milestone = MilestoneFactory(year=2026, text="April 2026: a contract starts")
    milestone.set_due("9 February 2026")
    milestone.save()
    milestone.text = "Reworded, with no date."
    milestone.save()
    assert (milestone.due_label, milestone.due_set_by_editor) == ("Due 9 February 2026", True)
    milestone.year = 2027  # as an import or a restored year may do
    milestone.save()
    milestone.refresh_from_db()
    assert (milestone.due_label, milestone.due_set_by_editor) == ("Due by end of 2027", False)
    with pytest.raises(DueDateError, match="Enter a date in 2027"):
        milestone.set_due("9 February 2026")


def test_a_draft_copy_keeps_an_editors_due_date(client, editing):
    route_map, milestone = editing
    post_milestone(client, route_map, milestone, due="late 2026")
    client.post(reverse("editing:publish", args=[route_map.slug]), {"note": "Late."})
    edition_ensure_draft(route_map=route_map)  # as the next edit does
    draft = draft_milestone(route_map, milestone)
    assert (draft.due_label, draft.due_set_by_editor) == ("Due late 2026", True)
    form = client.get(reverse("editing:milestone", args=[route_map.slug, milestone.key]))
    assert 'value="late 2026"' in form.content.decode()


def test_a_published_due_date_change_is_listed_among_the_changes(client, editing):
    route_map, milestone = editing
    live = route_map.editions.get(state="published")
    post_milestone(client, route_map, milestone, due="Autumn 2026")
    client.post(reverse("editing:publish", args=[route_map.slug]), {"note": "Dated."})
    new = route_map.editions.get(state="published")
    (change,) = [c for c in describe_changes(live, new) if c.key == milestone.key]
    assert change.kind == "due"
    assert change.description.startswith("Due autumn 2026 (was due by end of 2026): “")


def test_restoring_an_earlier_due_date_puts_it_back(client, editing):
    route_map, milestone = editing
    post_milestone(client, route_map, milestone, due="April 2026")
    post_milestone(client, route_map, milestone, due="June 2026")
    record = ChangeRecord.objects.filter(object_key=milestone.key, field="due").latest("pk")
    assert (record.before, record.after) == ("April 2026", "June 2026")
    client.force_login(EditorFactory(all_route_maps=True))
    client.post(reverse("editing:restore", args=[route_map.slug, record.pk]))
    assert draft_milestone(route_map, milestone).due_label == "Due April 2026"
