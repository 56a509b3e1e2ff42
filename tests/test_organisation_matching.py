"""Telling a name on a pasted page or in a new body's form from the bodies already known."""

import pytest

from organisations.matching import find_match, near_duplicates
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies():
    names = [
        ("Local authorities", ""),
        ("Third sector organisations", ""),
        ("Health", ""),
        ("Health boards", ""),
        ("Scottish Social Services Council", "SSSC"),
        ("Corporate parents", ""),
        ("Scottish Government", ""),
        ("UK Government", ""),
        ("Kinship Care Collaborative", ""),
    ]
    return {
        name: OrganisationFactory(name=name, abbreviation=abbreviation)
        for name, abbreviation in names
    }


@pytest.mark.parametrize(
    "printed, known",
    [
        ("local authorities", "Local authorities"),
        ("Scottish Local Authorities", "Local authorities"),
        ("third sector", "Third sector organisations"),
        ("third sector providers", "Third sector organisations"),
        ("health", "Health"),
        ("Health Boards", "Health boards"),
        ("SSSC", "Scottish Social Services Council"),
        ("All corporate parents", "Corporate parents"),
        ("education.", None),
        ("NHS Health Boards", None),
    ],
)
def test_a_printed_name_matches_the_known_body_only_beyond_doubt(bodies, printed, known):
    match = find_match(printed)
    assert (match.name if match else None) == known


def test_a_new_name_like_a_known_body_is_offered_the_known_one_first(bodies):
    assert near_duplicates("NHS Health Boards")[0] == bodies["Health boards"]
    assert bodies["Kinship Care Collaborative"] in near_duplicates("Kinship Care Colaborative")
    assert near_duplicates("Skills Development Scotland") == []
    assert near_duplicates("  ") == []
