"""An organisation's actions: the one definition that every count, page, export and the API use.

A body's actions are
- the published milestones it must act on: those naming it, and those of an outcome naming it
  when the milestone names no body of its own (`MilestoneQuerySet.for_organisation`);
- the commitments of published source documents that name it
  (`CommitmentQuerySet.for_organisation`).

/organisations/ (its counts), an organisation's page, the timeline's organisation filter,
/my-organisation/, the API and the CSV, JSON and iCal exports all read them from here, so they
cannot disagree (tests/test_actions.py checks they do not, on the seed content). Progress
entries are not actions: they belong to an outcome, not to a body.

It lives in `sources`, the one domain app that already depends on milestones: milestones and
organisations are below it and cannot import it without a cycle.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from milestones.models import Milestone, due_counts
from organisations.models import Organisation
from sources.models import Commitment


@dataclass(frozen=True)
class Actions:
    """Published milestones and commitments, as two querysets (each kind has its own columns
    and order); `count()` is what a reader is told the number of actions is."""

    milestones: QuerySet
    commitments: QuerySet

    def count(self) -> int:
        return self.milestones.count() + self.commitments.count()


def published_actions(**filters) -> Actions:
    """The published actions matching the timeline's filters (keyword arguments of
    `MilestoneQuerySet.filtered` and `CommitmentQuerySet.filtered`, which take the same)."""
    return Actions(
        milestones=Milestone.objects.published().filtered(**filters),
        commitments=Commitment.objects.published().filtered(**filters),
    )


def organisation_actions(organisation: Organisation) -> Actions:
    return published_actions(organisation=organisation)


@dataclass
class ActionCount:
    total: int = 0
    overdue: int = 0
    due_soon: int = 0
    milestones: int = 0
    commitments: int = 0


def action_counts(today: datetime.date | None = None) -> dict[int, ActionCount]:
    """{organisation id: its published actions and how many are overdue or due soon (by due
    date, for milestones and commitments alike)}, for every body with at least one, in three
    aggregate queries whatever the amount of content."""
    counts: dict[int, ActionCount] = {}
    milestones = Milestone.objects.published().counts_by_organisation(today)
    commitments = Commitment.objects.published().counts_by_organisation(today)
    for kind, rows in [("milestones", milestones), ("commitments", commitments)]:
        for organisation_id, row in rows.items():
            count = counts.setdefault(organisation_id, ActionCount())
            count.total += row["total"]
            count.overdue += row["overdue"]
            count.due_soon += row["due_soon"]
            setattr(count, kind, row["total"])
    return counts


def organisation_action_count(
    organisation: Organisation, today: datetime.date | None = None
) -> ActionCount:
    """One body's `ActionCount`, as `action_counts` gives it, in two aggregate queries (the
    page of a body that is filtering its own list still says how many it has in all)."""
    count = ActionCount()
    actions = organisation_actions(organisation)
    for kind, queryset in [
        ("milestones", actions.milestones),
        ("commitments", actions.commitments),
    ]:
        row = queryset.order_by().aggregate(total=Count("pk"), **due_counts(today))
        count.total += row["total"]
        count.overdue += row["overdue"]
        count.due_soon += row["due_soon"]
        setattr(count, kind, row["total"])
    return count
