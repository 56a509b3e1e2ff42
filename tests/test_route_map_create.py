"""Creating a route map: publishers only, a clear refusal for a title already taken, an empty
draft the editor page opens on, a place in the plan, and nothing public until it is published
with at least one outcome."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import PARTNERS, PUBLISHERS
from publishing.models import ChangeRecord
from routemap.models import Edition, RouteMap
from tests.factories import (
    EditorFactory,
    FoundationFactory,
    OrganisationFactory,
    PublisherFactory,
    RouteMapFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW = reverse("editing:route_map_new")


@pytest.fixture
def care():
    return FoundationFactory(name="Care", slug="care", order=3)


def create(client, **data):
    return client.post(NEW, {"title": "Brothers and sisters", "foundation": "", **data})


def test_anonymous_readers_are_sent_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "user",
    [
        lambda: EditorFactory(all_route_maps=True),
        lambda: UserFactory(roles=[PARTNERS]),
        lambda: UserFactory(),
    ],
    ids=["editor", "partner", "no role"],
)
def test_only_publishers_create_route_maps(client, user):
    client.force_login(user())
    assert client.get(NEW).status_code == 403
    assert create(client).status_code == 403
    assert not RouteMap.objects.exists()


def test_a_publisher_creates_a_route_map_with_an_empty_draft(client, care):
    publisher = PublisherFactory(username="pat")
    client.force_login(publisher)
    response = create(client, foundation=care.pk, source_url="https://plan2430.scot/siblings")
    route_map = RouteMap.objects.get(title="Brothers and sisters")
    assert response.status_code == 302
    assert response["Location"] == reverse("editing:route_map", args=[route_map.slug])
    assert route_map.slug == "brothers-and-sisters"
    assert route_map.foundation == care
    assert route_map.source_url == "https://plan2430.scot/siblings"
    draft = route_map.editions.get()
    assert draft.state == Edition.State.DRAFT
    assert not draft.outcomes.exists()
    assert draft.summary == draft.vision == draft.introduction == ""
    record = ChangeRecord.objects.get(route_map=route_map)
    assert (record.action, record.object_type, record.user) == ("added", "route map", publisher)

    page = client.get(response["Location"]).content.decode()
    assert "is a draft, not published" in page
    assert "no outcomes yet" in page
    assert reverse("editing:outcome_add", args=[route_map.slug]) in page
    assert 'action="/edit/route-maps/brothers-and-sisters/details/"' in page
    history = client.get(reverse("editing:history", args=[route_map.slug])).content.decode()
    assert "Added</strong>: Route map" in history
    # Nothing of the draft is public, not even its title (tests/test_route_map_listing.py).
    assert client.get(route_map.get_absolute_url()).status_code == 404


def test_the_details_form_fills_the_empty_draft(client):
    client.force_login(PublisherFactory())
    create(client)
    route_map = RouteMap.objects.get()
    draft = route_map.editions.get()
    response = client.post(
        reverse("editing:details", args=[route_map.slug]),
        {
            "introduction": "Why it matters.",
            "summary": "Where we are.",
            "vision": "By 2030.",
            "what_matters": "Staying together\nKnowing why",
            "revision": draft.revision,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.introduction, draft.summary, draft.vision) == (
        "Why it matters.",
        "Where we are.",
        "By 2030.",
    )
    assert [w.text for w in draft.what_matters.all()] == ["Staying together", "Knowing why"]


def test_a_publisher_with_assignments_is_assigned_the_route_map_they_create(client):
    for group in Group.objects.filter(name=PUBLISHERS):
        group.permissions.clear()  # an admin took "every route map" from the group
    publisher = PublisherFactory(all_route_maps=False)
    client.force_login(publisher)
    create(client)
    route_map = RouteMap.objects.get()
    assert list(route_map.editors.all()) == [publisher]
    assert client.get(reverse("editing:route_map", args=[route_map.slug])).status_code == 200


def test_a_publisher_who_edits_everything_is_not_assigned(client):
    client.force_login(PublisherFactory())
    create(client)
    assert not RouteMap.objects.get().editors.exists()


@pytest.mark.parametrize("typed", ["Where children live", "  where CHILDREN live "])
def test_a_title_already_taken_is_refused_with_a_link_to_the_route_map(client, typed):
    existing = RouteMapFactory(title="Where children live", slug="where-children-live")
    client.force_login(PublisherFactory())
    response = create(client, title=typed, source_url="https://example.org/x")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "There is already a route map called “Where children live”." in page
    assert reverse("editing:route_map", args=[existing.slug]) in page
    assert 'value="https://example.org/x"' in page  # what was typed is kept
    assert RouteMap.objects.count() == 1


def test_slugs_never_collide(client):
    RouteMapFactory(title="Something else", slug="brothers-and-sisters")
    client.force_login(PublisherFactory())
    create(client)
    create(client, title="New")
    create(client, title="!!!")
    slugs = set(RouteMap.objects.values_list("slug", flat=True))
    assert {"brothers-and-sisters-2", "new-2", "route-map"} <= slugs


def test_bad_input_is_shown_back_not_a_500(client, care):
    client.force_login(PublisherFactory())
    response = client.post(
        NEW,
        {"title": "", "foundation": "999", "after": "nowhere", "source_url": "not a link"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    for message in [
        "Enter the route map&#x27;s title.",
        "Choose a foundation from the list.",
        "Choose a place from the list.",
        "Enter a web address starting https://",
    ]:
        assert message in page
    assert 'value="not a link"' in page
    assert not RouteMap.objects.exists()


def test_a_new_route_map_goes_last_in_its_foundation_unless_placed(client, care):
    voice = FoundationFactory(name="Voice", slug="voice", order=1)
    people = FoundationFactory(name="People", slug="people", order=4)
    listening = RouteMapFactory(title="Listening", foundation=voice, order=1)
    stability = RouteMapFactory(title="Stability", foundation=care, order=2)
    relationships = RouteMapFactory(title="Relationships", foundation=care, order=3)
    workforce = RouteMapFactory(title="Workforce", foundation=people, order=4)
    client.force_login(PublisherFactory())

    create(client, title="Last in care", foundation=care.pk)
    create(client, title="First in care", foundation=care.pk, after="first")
    create(client, title="After stability", foundation=care.pk, after=stability.pk)

    in_order = [rm.title for rm in RouteMap.objects.all()]
    assert in_order == [
        listening.title,
        "First in care",
        stability.title,
        "After stability",
        relationships.title,
        "Last in care",
        workforce.title,
    ]


def test_a_place_after_a_route_map_of_another_foundation_is_refused(client, care):
    voice = FoundationFactory(name="Voice", slug="voice", order=1)
    listening = RouteMapFactory(title="Listening", foundation=voice)
    client.force_login(PublisherFactory())
    page = create(client, foundation=care.pk, after=listening.pk).content.decode()
    assert "“Listening” is under Voice" in page
    assert RouteMap.objects.count() == 1


def test_the_dashboard_offers_creating_a_route_map_to_publishers_only(client):
    client.force_login(PublisherFactory())
    assert NEW in client.get(reverse("editing:dashboard")).content.decode()
    client.force_login(EditorFactory(all_route_maps=True))
    assert NEW not in client.get(reverse("editing:dashboard")).content.decode()


def test_a_route_map_with_no_outcomes_is_not_published(client):
    client.force_login(PublisherFactory())
    create(client)
    route_map = RouteMap.objects.get()
    publish = reverse("editing:publish", args=[route_map.slug])
    assert "cannot be published yet" in client.get(publish).content.decode()
    response = client.post(publish, {"note": "First version."})
    assert response.status_code == 409
    assert "at least one outcome" in response.content.decode()
    assert not route_map.editions.filter(state=Edition.State.PUBLISHED).exists()


def test_published_with_an_outcome_it_is_public_under_its_foundation(client, care):
    client.force_login(PublisherFactory())
    create(client, foundation=care.pk)
    route_map = RouteMap.objects.get()
    lead = OrganisationFactory(name="Social Work Scotland")
    client.post(
        reverse("editing:outcome_add", args=[route_map.slug]),
        {
            "title": "Kept together",
            "statement": "Brothers and sisters live together where it is right for them.",
            "lead_organisations": [lead.pk],
        },
    )
    client.post(
        reverse("editing:details", args=[route_map.slug]),
        {"summary": "Too many are separated.", "revision": route_map.editions.get().revision},
    )
    response = client.post(
        reverse("editing:publish", args=[route_map.slug]), {"note": "First version."}
    )
    assert response.status_code == 302
    assert route_map.editions.get().state == Edition.State.PUBLISHED

    client.logout()
    home = client.get("/").content.decode()
    care_section = home[home.index(">Care<") :]
    assert route_map.get_absolute_url() in care_section
    public = client.get(route_map.get_absolute_url()).content.decode()
    assert "Kept together" in public
    assert "Brothers and sisters live together" in public
    assert "Too many are separated." in public


def test_the_new_route_map_page_runs_a_bounded_number_of_queries(
    client, care, django_assert_max_num_queries
):
    RouteMapFactory.create_batch(10, foundation=care)
    client.force_login(PublisherFactory())
    with django_assert_max_num_queries(12):
        assert client.get(NEW).status_code == 200
    with django_assert_max_num_queries(30):
        assert create(client, foundation=care.pk).status_code == 302
