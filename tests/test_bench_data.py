"""The benchmark plan generator (bench/generate.py) at a tiny scale, and the pages it feeds."""

import pytest
from django.utils.html import escape

from bench.generate import PlanExists, PlanSize, generate
from bench.targets import choose_targets
from milestones.models import Milestone, MilestoneOrganisation, Status
from organisations.models import Organisation, Role
from outcomes.models import Outcome, OutcomeOrganisation, ProgressEntry
from routemap.models import Edition, RouteMap
from tests.factories import RouteMapFactory

pytestmark = pytest.mark.django_db

TINY = 0.01


def test_scale_one_is_the_benchmark_plan():
    size = PlanSize.at_scale(1)
    assert (size.route_maps, size.outcomes, size.milestones_per_year) == (25, 7, 20)
    assert size.milestones == 24_500
    assert size.organisations == 200


def test_scale_must_be_positive():
    with pytest.raises(ValueError):
        PlanSize.at_scale(0)


def test_generator_writes_a_published_plan_of_the_requested_size():
    size = PlanSize.at_scale(TINY)
    counts = generate(scale=TINY)

    assert RouteMap.objects.count() == size.route_maps == counts["route maps"]
    assert Outcome.objects.count() == size.route_maps * size.outcomes
    assert Milestone.objects.published().count() == size.milestones == counts["milestones"]
    assert Organisation.objects.count() == size.organisations
    assert ProgressEntry.objects.count() == counts["progress entries"] > 0
    editions = Edition.objects.all()
    assert [(e.state, e.number) for e in editions] == [("published", 1)] * size.route_maps
    assert all(e.published_at and e.last_updated for e in editions)


def test_generated_milestones_mix_statuses_roles_and_inherited_bodies():
    generate(scale=TINY)

    assert set(Milestone.objects.values_list("status", flat=True)) == set(Status.values)
    roles = set(MilestoneOrganisation.objects.values_list("role", flat=True))
    assert {Role.LEAD, Role.CONTRIBUTOR} <= roles
    assert set(OutcomeOrganisation.objects.values_list("role", flat=True)) >= {
        Role.LEAD,
        Role.CONTRIBUTOR,
    }
    inheriting = Milestone.objects.filter(organisation_links__isnull=True)
    assert 0 < inheriting.count() < Milestone.objects.count()
    assert len(set(Organisation.objects.values_list("sector", flat=True))) >= 8


def test_generator_refuses_a_database_that_has_route_maps():
    RouteMapFactory(title="Someone's route map")

    with pytest.raises(PlanExists):
        generate(scale=TINY)
    assert RouteMap.objects.count() == 1


def test_reset_replaces_the_existing_plan():
    RouteMapFactory(title="Someone's route map")

    generate(scale=TINY, reset=True)

    assert not RouteMap.objects.filter(title="Someone's route map").exists()
    assert RouteMap.objects.count() == PlanSize.at_scale(TINY).route_maps


def test_the_same_seed_gives_the_same_plan():
    def snapshot():
        return list(
            Milestone.objects.order_by("key").values_list(
                "key", "text", "status", "year", "outcome__edition__route_map__slug"
            )
        )

    generate(scale=TINY, seed=7)
    first = snapshot()
    generate(scale=TINY, seed=7, reset=True)

    assert snapshot() == first
    generate(scale=TINY, seed=8, reset=True)
    assert snapshot() != first


def test_public_pages_render_with_the_generated_plan(client):
    generate(scale=TINY)
    targets, plan = choose_targets()

    assert plan["milestones"] == PlanSize.at_scale(TINY).milestones
    assert {"home", "route map", "organisation", "API route map"} <= dict(targets).keys()
    for name, path in targets:
        response = client.get(path)
        assert response.status_code == 200, name
    route_map = RouteMap.objects.get(slug=plan["route_map"])
    milestone = Milestone.objects.published().filter(outcome__edition__route_map=route_map)[0]
    page = client.get(route_map.get_absolute_url()).content.decode()
    assert escape(milestone.text[:40]) in page
