"""Model rules: plan years, overdue, responsibility inheritance, published vs draft."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from milestones.models import Milestone, Status
from tests.factories import (
    DraftEditionFactory,
    MilestoneFactory,
    OrganisationFactory,
    OutcomeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [2023, 2031, 1999])
def test_milestone_year_outside_the_plan_is_refused_with_a_clear_message(year):
    milestone = MilestoneFactory.build(outcome=OutcomeFactory(), year=year)
    with pytest.raises(ValidationError) as excinfo:
        milestone.full_clean()
    assert excinfo.value.message_dict["year"] == [
        "Enter a year from 2024 to 2030: Plan 24-30 covers those years only."
    ]


@pytest.mark.parametrize("year", [2024, 2030])
def test_milestone_years_at_the_ends_of_the_plan_are_accepted(year):
    MilestoneFactory.build(outcome=OutcomeFactory(), year=year).full_clean()


def test_a_milestone_is_overdue_once_its_year_has_ended_unless_closed():
    today = datetime.date(2027, 3, 1)
    assert MilestoneFactory.build(year=2026, status=Status.IN_PROGRESS).is_overdue(today)
    assert not MilestoneFactory.build(year=2027, status=Status.IN_PROGRESS).is_overdue(today)
    assert not MilestoneFactory.build(year=2026, status=Status.ACHIEVED).is_overdue(today)
    assert not MilestoneFactory.build(year=2026, status=Status.NO_LONGER_PLANNED).is_overdue(today)


def test_overdue_queryset_matches_the_rule():
    late = MilestoneFactory(year=2025, status=Status.DELAYED)
    MilestoneFactory(year=2025, status=Status.ACHIEVED)
    MilestoneFactory(year=2027)
    assert list(Milestone.objects.overdue(datetime.date(2026, 6, 1))) == [late]


def test_milestone_without_its_own_bodies_inherits_the_outcomes():
    council, charity = OrganisationFactory(), OrganisationFactory()
    outcome = OutcomeFactory(organisations=[council])
    inherited = MilestoneFactory(outcome=outcome)
    own = MilestoneFactory(outcome=outcome, organisations=[charity])

    assert list(Milestone.objects.for_organisation(council)) == [inherited]
    assert list(Milestone.objects.for_organisation(charity)) == [own]
    assert [link.organisation for link in inherited.responsible_links] == [council]
    assert [link.organisation for link in own.responsible_links] == [charity]


def test_published_excludes_draft_milestones():
    live = MilestoneFactory()
    MilestoneFactory(outcome=OutcomeFactory(edition=DraftEditionFactory()))
    assert list(Milestone.objects.published()) == [live]
