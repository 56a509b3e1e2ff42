"""Outcomes added to, moved in and removed from a route map's draft: from an empty draft, with
history records, a refusal when someone saved the outcome meanwhile, and partner updates on a
removed outcome's milestones left waiting (and said so) rather than accepted onto nothing."""

import pytest
from django.urls import reverse

from editing import services
from outcomes.models import Outcome
from partners.models import ProgressUpdate
from publishing.models import ChangeRecord
from routemap.models import Edition
from tests.factories import (
    EditorFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    PublisherFactory,
    RouteMapFactory,
    UserFactory,
    build_route_map,
    partner_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_route_map():
    """A route map just created: an empty draft and nothing published."""
    route_map = RouteMapFactory(title="Brothers and sisters", slug="brothers-and-sisters")
    services.edition_copy(source=None, route_map=route_map)
    return route_map


def add_url(route_map):
    return reverse("editing:outcome_add", args=[route_map.slug])


def draft_outcomes(route_map):
    return list(
        Outcome.objects.filter(edition__route_map=route_map, edition__state="draft").order_by(
            "order"
        )
    )


def test_an_empty_draft_gets_two_outcomes_in_order(client, empty_route_map):
    lead, other = OrganisationFactory(), OrganisationFactory()
    linked = RouteMapFactory(title="Relationships")
    client.force_login(EditorFactory(route_maps=[empty_route_map]))
    first = client.post(
        add_url(empty_route_map),
        {
            "title": "Kept together",
            "statement": "Brothers and sisters live together.",
            "lead_organisations": [lead.pk],
            "contributing_organisations": [other.pk],
            "linked_route_maps": [linked.pk],
        },
    )
    client.post(add_url(empty_route_map), {"title": "Kept together", "statement": "In touch."})
    outcomes = draft_outcomes(empty_route_map)
    assert [(o.title, o.slug) for o in outcomes] == [
        ("Kept together", "kept-together"),
        ("Kept together", "kept-together-2"),
    ]
    assert first["Location"].endswith(f"#outcome-{outcomes[0].key}")
    assert [(link.organisation, link.role) for link in outcomes[0].organisation_links.all()] == [
        (lead, "lead"),
        (other, "contributor"),
    ]
    assert list(outcomes[0].linked_route_maps.all()) == [linked]
    records = ChangeRecord.objects.filter(object_key=outcomes[0].key, action="added")
    assert {r.field: r.after for r in records} == {
        "title": "Kept together",
        "statement": "Brothers and sisters live together.",
        "organisations": f"{lead.slug}:lead; {other.slug}:contributor",
        "linked_route_maps": linked.slug,
    }
    page = client.get(reverse("editing:route_map", args=[empty_route_map.slug])).content.decode()
    assert "Move outcome down" in page and "Remove outcome" in page


def test_an_outcome_can_be_added_before_any_version_exists(client):
    route_map = RouteMapFactory()  # named in the plan, never given content
    client.force_login(EditorFactory(route_maps=[route_map]))
    page = client.get(reverse("editing:route_map", args=[route_map.slug])).content.decode()
    assert "no outcomes yet" in page
    client.post(add_url(route_map), {"title": "First", "statement": "The first outcome."})
    assert route_map.editions.get().state == Edition.State.DRAFT
    assert [o.title for o in draft_outcomes(route_map)] == ["First"]


def test_an_outcome_without_a_title_is_shown_back_with_what_was_typed(client, empty_route_map):
    client.force_login(EditorFactory(route_maps=[empty_route_map]))
    response = client.post(add_url(empty_route_map), {"title": " ", "statement": "Kept <b>"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter the outcome&#x27;s short title." in page
    assert "Kept &lt;b&gt;" in page
    assert not draft_outcomes(empty_route_map)


def test_outcomes_move_up_and_down_in_the_draft(client):
    edition = build_route_map(outcomes=3)
    route_map = edition.route_map
    client.force_login(EditorFactory(route_maps=[route_map]))
    first, second, third = (o.key for o in edition.outcomes.order_by("order"))
    move = reverse("editing:outcome_move", args=[route_map.slug, first])
    client.post(move, {"direction": "down"})
    assert [o.key for o in draft_outcomes(route_map)] == [second, first, third]
    client.post(reverse("editing:outcome_move", args=[route_map.slug, third]), {"direction": "up"})
    assert [o.key for o in draft_outcomes(route_map)] == [second, third, first]
    # At the top already: nothing moves, nothing is recorded.
    client.post(reverse("editing:outcome_move", args=[route_map.slug, second]), {"direction": "up"})
    assert [o.key for o in draft_outcomes(route_map)] == [second, third, first]
    assert ChangeRecord.objects.filter(action="moved", object_type="outcome").count() == 2
    # The public page keeps the published order until the draft is published.
    assert [o.key for o in edition.outcomes.order_by("order")] == [first, second, third]


def remove_url(route_map, outcome):
    return reverse("editing:outcome_remove", args=[route_map.slug, outcome.key])


@pytest.fixture
def route_map_with_waiting_updates():
    edition = build_route_map(outcomes=2)
    outcome = edition.outcomes.order_by("order").first()
    milestones = list(outcome.milestones.order_by("year")[:2])
    body = milestones[0].organisations.first()
    for milestone in milestones:
        ProgressUpdateFactory(milestone=milestone, organisation=body)
    return edition.route_map, outcome


def test_the_confirm_page_lists_what_goes_and_the_partner_updates_waiting(
    client, route_map_with_waiting_updates
):
    route_map, outcome = route_map_with_waiting_updates
    client.force_login(EditorFactory(route_maps=[route_map]))
    page = client.get(remove_url(route_map, outcome)).content.decode()
    assert "Remove this outcome?" in page
    assert "Its 7 milestones and 2 progress entries go with it." in page
    assert "2 updates from partners wait for review on its milestones." in page
    assert "They stay in the review queue, but cannot be accepted" in page
    assert f'name="revision" value="{outcome.revision}"' in page


def test_removing_an_outcome_removes_it_from_the_draft_only(client, route_map_with_waiting_updates):
    route_map, outcome = route_map_with_waiting_updates
    client.force_login(EditorFactory(route_maps=[route_map], username="ann"))
    response = client.post(remove_url(route_map, outcome), {"revision": outcome.revision})
    assert response.status_code == 302
    assert outcome.key not in {o.key for o in draft_outcomes(route_map)}
    assert Outcome.objects.filter(pk=outcome.pk).exists()  # the published one is untouched
    records = {
        r.field: r.before
        for r in ChangeRecord.objects.filter(object_key=outcome.key, action="removed")
    }
    assert records["title"] == outcome.title
    assert records["statement"] == outcome.statement
    assert records["contents"] == "7 milestones and 2 progress entries"
    history = client.get(reverse("editing:history", args=[route_map.slug])).content.decode()
    assert "Removed</strong>: Outcome" in history
    assert outcome.title in history


def test_a_stale_remove_is_refused_and_nothing_is_removed(client, route_map_with_waiting_updates):
    route_map, outcome = route_map_with_waiting_updates
    client.force_login(EditorFactory(route_maps=[route_map]))
    opened = outcome.revision
    someone = UserFactory(username="bea")
    draft = services.edition_ensure_draft(route_map=route_map)
    services.outcome_update(
        route_map=route_map,
        key=outcome.key,
        user=someone,
        values={"title": "Renamed meanwhile", "statement": outcome.statement},
        organisations=[],
        linked_route_maps=[],
        expected_revision=opened,
    )
    response = client.post(remove_url(route_map, outcome), {"revision": opened})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Nothing was removed" in page
    assert "bea saved this outcome" in page
    assert "Renamed meanwhile" in page
    assert draft.outcomes.filter(key=outcome.key).exists()
    # Without a revision at all, nothing is removed either.
    client.post(remove_url(route_map, outcome), {})
    assert draft.outcomes.filter(key=outcome.key).exists()


def test_partner_updates_on_a_removed_outcome_wait_and_cannot_be_accepted(
    client, route_map_with_waiting_updates
):
    route_map, outcome = route_map_with_waiting_updates
    update = ProgressUpdate.objects.filter(route_map=route_map).first()
    publisher = PublisherFactory()
    client.force_login(publisher)
    client.post(remove_url(route_map, outcome), {"revision": outcome.revision})
    accept = reverse("partners_review:accept", args=[update.pk])
    data = {f"update-{update.pk}-note": "Done.", f"update-{update.pk}-revision": 1}
    response = client.post(accept, data)
    assert response.status_code == 409
    assert "removed from the draft" in response.content.decode()

    services.route_map_publish(route_map=route_map, user=publisher, note="Outcome removed.")
    queue = client.get(reverse("partners_review:queue")).content.decode()
    assert "not in the draft any more" in queue
    assert "no longer in the published route map" in queue
    assert client.post(accept, data).status_code == 409
    update.refresh_from_db()
    assert update.state == ProgressUpdate.State.PENDING
    assert not route_map.editions.filter(state=Edition.State.DRAFT).exists()
    # Once published, its milestones are gone from the public page too.
    assert outcome.title not in client.get(route_map.get_absolute_url()).content.decode()


def test_editors_of_other_route_maps_cannot_change_its_outcomes(client):
    edition = build_route_map(outcomes=1)
    route_map, outcome = edition.route_map, edition.outcomes.get()
    client.force_login(EditorFactory(route_maps=[RouteMapFactory()]))
    assert client.get(add_url(route_map)).status_code == 403
    assert client.get(remove_url(route_map, outcome)).status_code == 403
    move = reverse("editing:outcome_move", args=[route_map.slug, outcome.key])
    assert client.post(move, {"direction": "up"}).status_code == 403
    client.force_login(partner_for(OrganisationFactory()))
    assert client.get(add_url(route_map)).status_code == 403
    client.logout()
    assert client.get(add_url(route_map)).status_code == 302
    assert client.post(remove_url(route_map, outcome), {"revision": 1}).status_code == 302
    assert edition.outcomes.count() == 1
    assert not ChangeRecord.objects.exists()


def test_the_new_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    edition = build_route_map(outcomes=3)
    route_map, outcome = edition.route_map, edition.outcomes.first()
    OrganisationFactory.create_batch(40)
    RouteMapFactory.create_batch(10)
    client.force_login(PublisherFactory())
    # Three organisation pickers and the route maps to link each read their list once.
    with django_assert_max_num_queries(17):
        assert client.get(add_url(route_map)).status_code == 200
    with django_assert_max_num_queries(17):
        assert client.get(remove_url(route_map, outcome)).status_code == 200
