"""Shared data for the discovery tests (timeline, exports, search, charts)."""

import datetime
import re

import pytest

from milestones.models import Status
from organisations.models import Sector
from tests.factories import (
    DraftEditionFactory,
    EditionFactory,
    FoundationFactory,
    MilestoneFactory,
    MilestoneOrganisationFactory,
    OrganisationFactory,
    OutcomeFactory,
    OutcomeOrganisationFactory,
    ProgressEntryFactory,
    RouteMapFactory,
)

PAST_YEAR = 2024  # ended whenever these tests run (the plan starts in 2024)
# The day the plan below is seen on: 2026 has not ended, so only PAST_YEAR's open milestone is
# overdue. Tests about another day move the clock themselves.
PLAN_DAY = datetime.date(2026, 11, 30)


def shown(response) -> set[str]:
    """Keys of the milestones on the page."""
    return set(re.findall(r'id="milestone-([0-9a-f-]{36})"', response.content.decode()))


def keys(*milestones) -> set[str]:
    return {str(m.key) for m in milestones}


@pytest.fixture
def plan(clock):
    """Two route maps under two foundations; bodies in two sectors; one draft; seen on
    PLAN_DAY."""
    clock.move_to(PLAN_DAY)
    council = OrganisationFactory(slug="council", sector=Sector.LOCAL_GOVERNMENT)
    charity = OrganisationFactory(slug="charity", sector=Sector.THIRD_SECTOR)
    voice = FoundationFactory(slug="voice", name="Voice")
    care = FoundationFactory(slug="care", name="Care")
    listening = EditionFactory(route_map=RouteMapFactory(slug="listening", foundation=voice))
    homes = EditionFactory(route_map=RouteMapFactory(slug="homes", foundation=care))

    shared_a = OutcomeFactory(edition=listening, slug="shared", title="Shared in listening")
    OutcomeOrganisationFactory(outcome=shared_a, organisation=council)
    ProgressEntryFactory(outcome=shared_a, text="Listening progress entry")
    inherited = MilestoneFactory(outcome=shared_a, year=PAST_YEAR, status=Status.NOT_STARTED)
    own = MilestoneFactory(outcome=shared_a, year=2027, status=Status.ACHIEVED)
    MilestoneOrganisationFactory(milestone=own, organisation=charity)

    shared_b = OutcomeFactory(edition=homes, slug="shared", title="Shared in homes")
    other = OutcomeFactory(edition=homes, slug="other", title="Other outcome")
    ProgressEntryFactory(outcome=other, text="Homes progress entry")
    in_progress = MilestoneFactory(outcome=shared_b, year=2026, status=Status.IN_PROGRESS)
    MilestoneOrganisationFactory(milestone=in_progress, organisation=charity)
    delayed = MilestoneFactory(outcome=other, year=2030, status=Status.DELAYED)

    draft = DraftEditionFactory(route_map=listening.route_map)
    draft_milestone = MilestoneFactory(
        outcome=OutcomeFactory(edition=draft, slug="shared"), year=2027, text="Secret draft"
    )
    MilestoneOrganisationFactory(milestone=draft_milestone, organisation=council)
    return {
        "council": council,
        "charity": charity,
        "inherited": inherited,
        "own": own,
        "in_progress": in_progress,
        "delayed": delayed,
        "draft": draft_milestone,
    }
