"""Writes that touch several models: creating and publishing route map editions.

Each function is atomic: a failure part-way leaves the database as it was.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core import clock
from core.pagecache import bump_published_version
from milestones.models import Milestone, MilestoneOrganisation, Status
from organisations.models import Organisation
from outcomes.models import Outcome, OutcomeOrganisation, ProgressEntry
from routemap.models import Edition, RouteMap, WhatMatters
from routemap.signals import edition_published

logger = logging.getLogger(__name__)


@dataclass
class OrganisationRef:
    organisation: Organisation
    role: str = ""


@dataclass
class MilestoneData:
    year: int
    text: str
    status: str = Status.NO_UPDATE
    progress_note: str = ""
    subject_to_decisions_after_may_2026: bool = False
    organisations: list[OrganisationRef] = field(default_factory=list)


@dataclass
class ProgressData:
    text: str
    date: datetime.date | None = None
    date_label: str = ""


@dataclass
class OutcomeData:
    slug: str
    title: str
    statement: str
    organisations: list[OrganisationRef] = field(default_factory=list)
    linked_route_maps: list[RouteMap] = field(default_factory=list)
    progress: list[ProgressData] = field(default_factory=list)
    milestones: list[MilestoneData] = field(default_factory=list)


@dataclass
class EditionData:
    introduction: str = ""
    summary: str = ""
    summary_detail: str = ""
    vision: str = ""
    last_updated: datetime.date | None = None
    what_matters: list[str] = field(default_factory=list)
    outcomes: list[OutcomeData] = field(default_factory=list)


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


def _save_links(link_model, *, refs: list[OrganisationRef], **owner) -> None:
    """The bodies named for an outcome or a milestone (`owner`), in the source's order."""
    for order, ref in enumerate(refs, start=1):
        _save(link_model(**owner, organisation=ref.organisation, role=ref.role, order=order))


@transaction.atomic
def edition_create_draft(*, route_map: RouteMap, data: EditionData) -> Edition:
    """A new draft edition holding `data`, validated field by field (ValidationError if not)."""
    edition = _save(
        Edition(
            route_map=route_map,
            state=Edition.State.DRAFT,
            introduction=data.introduction,
            summary=data.summary,
            summary_detail=data.summary_detail,
            vision=data.vision,
            last_updated=data.last_updated,
        )
    )
    for order, text in enumerate(data.what_matters, start=1):
        _save(WhatMatters(edition=edition, order=order, text=text))
    for order, outcome_data in enumerate(data.outcomes, start=1):
        outcome = _save(
            Outcome(
                edition=edition,
                order=order,
                slug=outcome_data.slug,
                title=outcome_data.title,
                statement=outcome_data.statement,
            )
        )
        _save_links(OutcomeOrganisation, outcome=outcome, refs=outcome_data.organisations)
        outcome.linked_route_maps.set(outcome_data.linked_route_maps)
        for entry_order, entry in enumerate(outcome_data.progress, start=1):
            _save(
                ProgressEntry(
                    outcome=outcome,
                    order=entry_order,
                    date=entry.date,
                    date_label=entry.date_label,
                    text=entry.text,
                )
            )
        year_orders: dict[int, int] = {}
        for milestone_data in outcome_data.milestones:
            year_orders[milestone_data.year] = year_orders.get(milestone_data.year, 0) + 1
            milestone = _save(
                Milestone(
                    outcome=outcome,
                    year=milestone_data.year,
                    order=year_orders[milestone_data.year],
                    text=milestone_data.text,
                    status=milestone_data.status,
                    progress_note=milestone_data.progress_note,
                    subject_to_decisions_after_may_2026=(
                        milestone_data.subject_to_decisions_after_may_2026
                    ),
                )
            )
            _save_links(
                MilestoneOrganisation, milestone=milestone, refs=milestone_data.organisations
            )
    return edition


@transaction.atomic
def edition_publish(
    *,
    edition: Edition,
    user=None,
    note: str,
    last_updated: datetime.date | None = None,
    imported_from: str = "",
) -> Edition:
    """Make a draft the live edition; the previous live edition is kept, unchanged, as history.

    `imported_from` names the site a seeded version was published on (e.g. "plan2430.scot"):
    pages, feeds and the API then date it by `last_updated`, as the source does, and not by
    the moment it was loaded here."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if edition.state != Edition.State.DRAFT:
        raise ValueError("Only a draft can be published.")
    route_map = RouteMap.objects.select_for_update().get(pk=edition.route_map_id)
    if not route_map.is_listed:  # a route map made in the editor goes public with its content
        route_map.is_listed = True
        route_map.save(update_fields=["is_listed"])
    previous = Edition.objects.filter(route_map=route_map, state=Edition.State.PUBLISHED).first()
    if previous is not None:
        previous.state = Edition.State.SUPERSEDED
        previous.save(update_fields=["state", "updated_at"])
    latest = Edition.objects.filter(route_map=route_map).aggregate(n=Max("number"))["n"] or 0
    now = clock.now()
    edition.state = Edition.State.PUBLISHED
    edition.number = latest + 1
    edition.change_note = note
    edition.published_at = now
    edition.published_by = user
    edition.imported_from = imported_from
    edition.last_updated = last_updated or timezone.localdate(now)
    edition.save()
    # Invalidate cached public pages now and again after commit (through the signal), so no
    # request can re-cache the old version in between.
    bump_published_version()
    transaction.on_commit(lambda: _announce_publish(edition, previous))
    return edition


def _announce_publish(edition: Edition, previous: Edition | None) -> None:
    """Tell listeners after commit; a failing listener is logged and never undoes a publish."""
    for receiver, result in edition_published.send_robust(
        sender=Edition, edition=edition, previous=previous
    ):
        if isinstance(result, Exception):
            logger.error("edition_published listener %r failed", receiver, exc_info=result)
