"""The milestone form shows first what editors change most (text, status, progress note), then
the year, due date, flag and organisations in one details whose summary gives their values, so
Save stays within a screen of the text. The details opens when one of its fields needs the
editor: an error, or someone else's change to it."""

import re

import pytest
from django.urls import reverse

from editing.forms import MilestoneForm, NewMilestoneForm
from milestones.models import Milestone, Status
from tests.factories import EditorFactory, OrganisationFactory, build_route_map
from tests.test_conflict_choices import _save_milestone
from tests.test_edit_conflicts import opened, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    return build_route_map(outcomes=1)


@pytest.fixture
def milestone(edition):
    return Milestone.objects.filter(outcome__edition=edition).order_by("pk").first()


@pytest.fixture
def editor():
    return signed_in(EditorFactory(all_route_maps=True, username="sam"))


def details(html: str) -> str:
    """The details element's opening tag and summary."""
    return re.search(
        r'<details class="ds_details milestone-form__more"[^>]*>.*?</summary>', html, re.S
    ).group(0)


def names_in_order(html: str) -> list[str]:
    names = re.findall(r'name="([a-z_]+)"', html[html.index("<form") :])
    return list(dict.fromkeys(names))


def test_the_summary_says_what_the_details_holds_and_its_values():
    lead = [OrganisationFactory().pk for _ in range(3)]
    form = MilestoneForm(
        initial={
            "text": "Publish the plan by April 2027.",
            "year": 2027,
            "status": Status.NOT_STARTED,
            "subject_to_decisions_after_may_2026": True,
            "lead_organisations": lead,
            "contributing_organisations": [OrganisationFactory().pk],
        }
    )
    assert form.more_summary() == (
        "Year, due date and organisations: 2027 · due April 2027 · subject to decisions "
        "after May 2026 · 3 lead, 1 contributing"
    )
    assert [field.name for field in form.main()] == ["text", "status", "progress_note"]
    assert "year" in [field.name for field in form.more()]


def test_the_summary_gives_the_due_date_typed_and_says_when_no_organisations_are_chosen():
    form = MilestoneForm(initial={"text": "A plan.", "year": 2028, "due": "autumn 2028"})
    assert form.more_summary() == (
        "Year, due date and organisations: 2028 · due autumn 2028 · no organisations"
    )
    form = MilestoneForm(initial={"text": "A plan.", "year": 2028})
    assert form.more_summary() == (
        "Year, due date and organisations: 2028 · due by end of 2028 · no organisations"
    )


def test_the_form_opens_with_text_status_and_note_first_and_the_rest_closed(
    editor, edition, milestone
):
    url = reverse("editing:milestone", args=[edition.route_map.slug, milestone.key])
    html = editor.get(url).content.decode()
    assert " open" not in details(html)
    assert f"Year, due date and organisations: {milestone.year}" in details(html)
    names = names_in_order(html)
    visible = [name for name in names if name in MilestoneForm.base_fields]
    assert visible[:4] == ["text", "status", "progress_note", "year"]
    assert html.index("Save milestone") > html.index("</details>")
    assert 'name="revision"' in html and 'name="opened"' in html


def test_an_error_in_the_details_opens_it_and_one_outside_does_not(editor, edition, milestone):
    url = reverse("editing:milestone", args=[edition.route_map.slug, milestone.key])
    form = opened(editor, type("Page", (), {"page": url})())
    html = editor.post(url, {**form, "due": "someday"}).content.decode()
    assert "open" in details(html)
    html = editor.post(url, {**form, "text": ""}).content.decode()
    assert "Enter the milestone text." in html
    assert " open" not in details(html)


def test_someone_elses_change_to_a_field_in_the_details_opens_it(editor, edition, milestone):
    _save_milestone(milestone, EditorFactory(username="casey"))  # organisations as it saves them
    url = reverse("editing:milestone", args=[edition.route_map.slug, milestone.key])
    form = opened(editor, type("Page", (), {"page": url})())
    _save_milestone(milestone, EditorFactory(username="alex"), text=milestone.text, year=2029)
    response = editor.post(url, {**form, "progress_note": "Sam's note"})
    assert response.status_code == 409
    assert re.findall(
        r'class="conflict__field" id="[^"]+">([^<]+)<', response.content.decode()
    ) == ["Year"]
    assert "open" in details(response.content.decode())


def test_someone_elses_change_outside_the_details_leaves_it_closed(editor, edition, milestone):
    _save_milestone(milestone, EditorFactory(username="casey"))  # organisations as it saves them
    url = reverse("editing:milestone", args=[edition.route_map.slug, milestone.key])
    form = opened(editor, type("Page", (), {"page": url})())
    _save_milestone(milestone, EditorFactory(username="alex"), text="Alex's words.")
    response = editor.post(url, {**form, "progress_note": "Sam's note"})
    assert response.status_code == 409
    assert " open" not in details(response.content.decode())


def test_adding_a_milestone_asks_its_year_first_and_keeps_the_rest_in_the_details(
    editor, edition, milestone
):
    url = reverse("editing:milestone_add", args=[edition.route_map.slug, milestone.outcome.key])
    html = editor.get(url).content.decode()
    visible = [name for name in names_in_order(html) if name in NewMilestoneForm.base_fields]
    assert visible[:4] == ["text", "year", "status", "progress_note"]
    assert "Due date and organisations: due by end of 2026 · the outcome&#x27;s organisations" in (
        details(html)
    )
    assert "Leave the organisations empty to use the outcome" in html
    assert 'name="revision"' not in html
