"""Choosing organisations by role: the chosen ones as ticked checkboxes, one list per role to
add another from. The form cleans to what a full list of checkboxes gave, so the services see
no difference."""

import re

import pytest
from django.urls import reverse

from editing.document_forms import CommitmentForm
from editing.forms import MilestoneForm, OutcomeForm
from editing.services import OrganisationChoice
from milestones.models import Milestone
from organisations.models import Role
from tests.factories import (
    EditorFactory,
    OrganisationFactory,
    build_route_map,
    build_source_document,
)

pytestmark = pytest.mark.django_db

TWO_ROLES = "Choose each organisation in one list only."
NOT_IN_LIST = "Choose an organisation from the list."


@pytest.fixture
def edition():
    return build_route_map(outcomes=1)


@pytest.fixture
def bodies():
    return [OrganisationFactory(name=name) for name in ("Aberdeen Council", "Barnardo's", "CELCIS")]


def milestone_data(**changes) -> dict:
    return {"text": "Every child has a say.", "year": 2027, "status": "not_started", **changes}


def checkbox_values(html: str, name: str) -> list[str]:
    return re.findall(rf'type="checkbox" name="{name}" value="(\d+)"', html)


def add_list(html: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}_add".*?</select>', html, re.S).group(0)


def test_an_organisation_chosen_from_the_list_is_added_to_those_ticked(bodies):
    aberdeen, barnardos, _ = bodies
    form = MilestoneForm(
        milestone_data(lead_organisations=[aberdeen.pk], lead_organisations_add=barnardos.pk)
    )
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["lead_organisations"]) == [aberdeen, barnardos]
    assert form.organisation_choices() == [
        OrganisationChoice(aberdeen, Role.LEAD),
        OrganisationChoice(barnardos, Role.LEAD),
    ]


def test_each_role_adds_its_own(bodies):
    aberdeen, barnardos, celcis = bodies
    form = MilestoneForm(
        milestone_data(
            lead_organisations_add=aberdeen.pk,
            contributing_organisations_add=barnardos.pk,
            other_organisations_add=celcis.pk,
        )
    )
    assert form.is_valid(), form.errors
    assert form.organisation_choices() == [
        OrganisationChoice(aberdeen, Role.LEAD),
        OrganisationChoice(barnardos, Role.CONTRIBUTOR),
        OrganisationChoice(celcis, Role.UNSTATED),
    ]


def test_choosing_one_already_ticked_adds_nothing(bodies):
    aberdeen = bodies[0]
    form = MilestoneForm(
        milestone_data(lead_organisations=[aberdeen.pk], lead_organisations_add=aberdeen.pk)
    )
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["lead_organisations"]) == [aberdeen]


def test_an_organisation_is_removed_by_unticking_it(bodies):
    aberdeen, barnardos, _ = bodies
    initial = {"lead_organisations": [aberdeen.pk, barnardos.pk]}
    # Unticked boxes are not sent: only Barnardo's is.
    form = MilestoneForm(
        milestone_data(lead_organisations=[barnardos.pk], lead_organisations_add=""),
        initial=initial,
    )
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["lead_organisations"]) == [barnardos]
    assert form.organisation_choices() == [OrganisationChoice(barnardos, Role.LEAD)]


def test_an_organisation_added_in_a_second_role_is_refused(bodies):
    aberdeen = bodies[0]
    form = MilestoneForm(
        milestone_data(lead_organisations=[aberdeen.pk], contributing_organisations_add=aberdeen.pk)
    )
    assert not form.is_valid()
    assert form.errors["contributing_organisations"] == [TWO_ROLES]


@pytest.mark.parametrize("unknown", ["999999", "not-a-number"])
def test_an_unknown_organisation_is_refused_with_a_message(bodies, unknown):
    form = MilestoneForm(milestone_data(lead_organisations_add=unknown))
    assert not form.is_valid()
    assert form.errors["lead_organisations"] == [NOT_IN_LIST]


def test_the_form_shows_only_the_chosen_as_checkboxes_and_lists_the_others(bodies):
    aberdeen, _, celcis = bodies
    form = MilestoneForm(
        initial={"lead_organisations": [aberdeen.pk], "other_organisations": [celcis.pk]}
    )
    html = str(form)
    assert checkbox_values(html, "lead_organisations") == [str(aberdeen.pk)]
    assert checkbox_values(html, "contributing_organisations") == []
    assert checkbox_values(html, "other_organisations") == [str(celcis.pk)]
    lead_list = add_list(html, "lead_organisations")
    assert '<option value="" selected>Choose an organisation</option>' in lead_list
    assert "Aberdeen Council" not in lead_list  # already chosen in this role
    assert "Barnardo" in lead_list and "CELCIS" in lead_list
    assert "save again to add another" in html  # what happens without JavaScript
    assert html.count('type="checkbox"') == 3  # two organisations and the flag


def test_outcome_and_commitment_forms_choose_organisations_the_same_way(bodies):
    aberdeen = bodies[0]
    document = build_source_document()
    outcome = OutcomeForm({"title": "T", "statement": "S", "lead_organisations_add": aberdeen.pk})
    assert outcome.is_valid(), outcome.errors
    assert outcome.organisation_choices() == [OrganisationChoice(aberdeen, Role.LEAD)]
    commitment = CommitmentForm(
        {
            "reference": "1.1",
            "text": "Fund it.",
            "status": "not_started",
            "other_organisations_add": aberdeen.pk,
        },
        document=document,
        adding=True,
    )
    assert commitment.is_valid(), commitment.errors
    assert commitment.organisation_choices() == [OrganisationChoice(aberdeen, Role.UNSTATED)]
    for form in (outcome, commitment):
        assert 'name="lead_organisations_add"' in str(form)


def test_a_save_adds_the_organisation_chosen_from_the_list(client, edition, bodies):
    client.force_login(EditorFactory(all_route_maps=True))
    milestone = Milestone.objects.filter(outcome__edition=edition).first()
    url = reverse("editing:milestone", args=[edition.route_map.slug, milestone.key])
    data = milestone_data(
        text=milestone.text,
        year=milestone.year,
        status=milestone.status,
        revision=milestone.revision,
        contributing_organisations_add=bodies[1].pk,
    )
    for link in milestone.organisation_links.all():
        field = {"lead": "lead", "contributor": "contributing"}.get(link.role, "other")
        data.setdefault(f"{field}_organisations", []).append(link.organisation_id)
    assert client.post(url, data).status_code == 302
    draft = Milestone.objects.get(outcome__edition__state="draft", key=milestone.key)
    roles = {link.organisation: link.role for link in draft.organisation_links.all()}
    assert roles[bodies[1]] == Role.CONTRIBUTOR


def test_typing_and_choices_are_kept_when_the_form_is_refused(client, edition, bodies):
    client.force_login(EditorFactory(all_route_maps=True))
    milestone = Milestone.objects.filter(outcome__edition=edition).first()
    url = reverse("editing:milestone", args=[edition.route_map.slug, milestone.key])
    data = milestone_data(
        text="Words typed before the mistake.",
        due="the twelfth of never",
        revision=milestone.revision,
        lead_organisations_add=bodies[2].pk,
    )
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Words typed before the mistake." in html
    assert checkbox_values(html, "lead_organisations") == [str(bodies[2].pk)]  # ticked now
    assert "CELCIS" not in add_list(html, "lead_organisations")

    refused = client.post(url, {**data, "due": "", "lead_organisations_add": "999999"})
    html = refused.content.decode()
    assert NOT_IN_LIST in html
    assert "Words typed before the mistake." in html
