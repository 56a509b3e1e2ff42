"""What changed, in the words the Changes page, the Atom feeds and subscribers' emails share:
one entry per milestone, its new progress note whole, quotes cut between words, a rewording
shown word by word, and different line endings never called a rewording."""

import xml.etree.ElementTree as ET

import pytest

from milestones.models import Milestone, Status
from publishing.services import edition_publish
from routemap.changes import _excerpt, describe_changes, marked_diff
from tests.factories import (
    EditionFactory,
    MilestoneFactory,
    OutcomeFactory,
    ProgressEntryFactory,
    draft_copy,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
TEXT = (
    "Kinship carers in every local authority area receive the Scottish Recommended "
    "Allowance, paid at the same rate as foster carers, from April 2026."
)
NOTE = (
    "Twenty-nine of the thirty-two councils now pay the allowance.\n\n"
    "The last three have agreed to start in the new financial year."
)


@pytest.fixture
def live():
    edition = EditionFactory()
    outcome = OutcomeFactory(edition=edition, title="Kinship care")
    MilestoneFactory(outcome=outcome, year=2026, text=TEXT)
    return edition


def draft_milestone(draft) -> Milestone:
    return Milestone.objects.get(outcome__edition=draft)


def test_a_status_and_its_note_are_one_entry_with_the_note_whole(live):
    draft = draft_copy(live, milestone_status=Status.IN_PROGRESS)
    Milestone.objects.filter(outcome__edition=draft).update(progress_note=NOTE)

    (change,) = describe_changes(live, draft)

    assert change.kinds == ("status", "progress_note")
    assert change.description.startswith("Status changed from No update yet to In progress")
    assert change.description.count("Kinship carers in every") == 1
    assert change.note == NOTE
    assert change.note_label == "Progress note"
    assert not change.reworded


def test_a_new_note_alone_is_quoted_whole(live):
    draft = draft_copy(live)
    Milestone.objects.filter(outcome__edition=draft).update(progress_note=NOTE)

    (change,) = describe_changes(live, draft)

    assert change.kind == "progress_note"
    assert change.description.startswith("New progress note for 2026: “Kinship carers")
    assert change.note == NOTE


def test_a_removed_note_is_said_to_be_removed(live):
    Milestone.objects.filter(outcome__edition=live).update(progress_note=NOTE)
    draft = draft_copy(live)
    Milestone.objects.filter(outcome__edition=draft).update(progress_note="")

    (change,) = describe_changes(live, draft)

    assert change.description.startswith("Progress note removed: “Kinship carers")
    assert change.note == ""


def test_quotes_are_cut_between_words():
    quote = _excerpt(TEXT)
    assert len(quote) <= 90
    assert quote.endswith("…")
    assert TEXT.startswith(quote[:-1])
    assert not TEXT[len(quote) - 1].isalnum()  # the quote ends where a word does
    assert _excerpt("Short enough.") == "Short enough."
    assert _excerpt("x" * 120) == "x" * 120  # one long word is quoted whole, not cut


def test_a_reworded_milestone_carries_both_texts_and_is_not_quoted_twice(live):
    draft = draft_copy(live)
    new_text = TEXT.replace("April 2026", "October 2026")
    Milestone.objects.filter(outcome__edition=draft).update(text=new_text)

    (change,) = describe_changes(live, draft)

    assert change.kind == "reworded"
    assert change.description == "Milestone for 2026 reworded:"
    assert (change.old_text, change.new_text) == (TEXT, new_text)
    assert change.marked_text.endswith("from [-April-]{+October+} 2026.")


def test_moved_and_reworded_and_a_new_status_are_one_entry(live):
    draft = draft_copy(live, milestone_status=Status.DELAYED)
    Milestone.objects.filter(outcome__edition=draft).update(year=2027, text=TEXT + " Delayed.")

    (change,) = describe_changes(live, draft)

    assert change.kinds == ("moved", "reworded", "status")
    assert change.description.startswith(
        "Milestone moved from 2026 to 2027; reworded; status changed from No update yet to Delayed"
    )
    assert change.marked_text.endswith("2026.{+ Delayed.+}")


def test_line_endings_alone_are_never_a_rewording(live):
    Milestone.objects.filter(outcome__edition=live).update(
        text="First line.\nSecond line.", progress_note="A note.\nOn two lines."
    )
    ProgressEntryFactory(outcome=live.outcomes.get(), text="Done.\nReally.")
    draft = draft_copy(live, milestone_status=Status.IN_PROGRESS)
    Milestone.objects.filter(outcome__edition=draft).update(
        text="First line.\r\nSecond line.", progress_note="A note.\r\nOn two lines."
    )
    draft.outcomes.get().progress_entries.update(text="Done.\r\nReally.")

    (change,) = describe_changes(live, draft)

    assert change.kinds == ("status",)
    assert "reworded" not in change.description


def test_progress_added_is_shown_whole_and_reworded_progress_word_by_word(live):
    entry = ProgressEntryFactory(outcome=live.outcomes.get(), text="Guidance drafted.")
    draft = draft_copy(live)
    outcome = draft.outcomes.get()
    outcome.progress_entries.filter(key=entry.key).update(text="Guidance published.")
    ProgressEntryFactory(outcome=outcome, date_label="May 2026", text=NOTE)

    updated, added = describe_changes(live, draft)

    assert (updated.description, updated.marked_text) == (
        "Progress updated:",
        "Guidance [-drafted.-]{+published.+}",
    )
    assert (added.description, added.note) == ("Progress added (May 2026):", NOTE)


def test_marked_diff_marks_removed_and_added_words():
    assert marked_diff("due in March", "due in April") == "due in [-March-]{+April+}"
    assert marked_diff("same", "same") == "same"


def test_changes_page_and_feed_mark_the_reworded_words(client, live):
    draft = draft_copy(live, milestone_status=Status.IN_PROGRESS)
    Milestone.objects.filter(outcome__edition=draft).update(
        text=TEXT.replace("April 2026", "October 2026"), progress_note=NOTE
    )
    edition_publish(edition=draft, note="Allowance date moved.")
    slug = live.route_map.slug

    page = client.get(f"/route-maps/{slug}/changes/").content.decode()
    assert '<del class="word-diff__del"><span class="visually-hidden">[removed: </span>April' in (
        page
    )
    assert '<ins class="word-diff__ins"><span class="visually-hidden">[added: </span>October' in (
        page
    )
    assert "Twenty-nine of the thirty-two councils now pay the allowance." in page
    assert "The last three have agreed to start in the new financial year." in page

    feed = ET.fromstring(client.get(f"/route-maps/{slug}/updates.atom").content)
    summary = feed.find(f"{ATOM}entry").find(f"{ATOM}summary").text
    assert "Milestone for 2026 reworded; status changed from No update yet to In progress" in (
        summary
    )
    assert '<del class="word-diff__del"><span class="visually-hidden">[removed: </span>April' in (
        summary
    )
    assert "[added: </span>October" in summary
    assert "Twenty-nine of the thirty-two councils now pay the allowance." in summary
