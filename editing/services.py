"""Editing a route map's draft: start it, change it piece by piece, publish or discard it.

Every change goes to the draft edition (created on the first save by copying the live one,
keeping each item's `key`) and is written to the change record with its before and after
values. Milestones, outcomes, progress entries and the draft's own details carry a revision
number (core.models.Revised) so that two editors cannot silently overwrite each other.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from accounts.roles import editable_route_map_ids
from core.text import unique_slug
from core.validation import validation_message
from milestones.dates import DueDateError
from milestones.models import Milestone, MilestoneOrganisation, stamp_status
from organisations.models import Organisation, Sector, in_kept_order
from outcomes.models import Outcome, OutcomeOrganisation, ProgressEntry
from publishing.edits import EditConflict as EditConflict  # the refusal the views catch
from publishing.edits import NotEditable, OrganisationChoice, refuse_if_changed
from publishing.models import ChangeRecord
from publishing.records import record_change, record_field_changes
from publishing.services import EditionData, edition_create_draft, edition_publish
from routemap.models import Edition, Foundation, RouteMap, WhatMatters
from routemap.signals import draft_discarded

Action = ChangeRecord.Action


# ---------------------------------------------------------------------------------- drafts


def editable_edition(route_map: RouteMap) -> Edition | None:
    """What editors work on: the draft if there is one, otherwise the live edition."""
    return (
        route_map.editions.filter(state=Edition.State.DRAFT).first()
        or route_map.editions.filter(state=Edition.State.PUBLISHED).first()
    )


@transaction.atomic
def edition_ensure_draft(*, route_map: RouteMap) -> Edition:
    """The route map's draft, copied from the live edition the first time it is needed."""
    RouteMap.objects.select_for_update().get(pk=route_map.pk)
    draft = route_map.editions.filter(state=Edition.State.DRAFT).first()
    if draft is not None:
        return draft
    live = route_map.editions.filter(state=Edition.State.PUBLISHED).first()
    return edition_copy(source=live, route_map=route_map)


def edition_copy(*, source: Edition | None, route_map: RouteMap) -> Edition:
    """A draft copy of `source` (or an empty draft), in a fixed number of queries."""
    draft = Edition.objects.create(
        route_map=route_map,
        state=Edition.State.DRAFT,
        introduction=source.introduction if source else "",
        summary=source.summary if source else "",
        summary_detail=source.summary_detail if source else "",
        vision=source.vision if source else "",
        last_updated=source.last_updated if source else None,
        revision=source.revision if source else 1,
    )
    if source is None:
        return draft
    WhatMatters.objects.bulk_create(
        WhatMatters(edition=draft, order=w.order, text=w.text) for w in source.what_matters.all()
    )
    old_outcomes = list(source.outcomes.all())
    new_outcomes = Outcome.objects.bulk_create(
        Outcome(
            edition=draft,
            key=o.key,
            order=o.order,
            slug=o.slug,
            title=o.title,
            statement=o.statement,
            revision=o.revision,
        )
        for o in old_outcomes
    )
    outcome_map = {old.pk: new for old, new in zip(old_outcomes, new_outcomes, strict=True)}
    _copy_links(OutcomeOrganisation, "outcome", outcome_map, outcome__edition=source)
    Links = Outcome.linked_route_maps.through
    Links.objects.bulk_create(
        Links(outcome=outcome_map[link.outcome_id], routemap_id=link.routemap_id)
        for link in Links.objects.filter(outcome__edition=source)
    )
    ProgressEntry.objects.bulk_create(
        ProgressEntry(
            outcome=outcome_map[p.outcome_id],
            key=p.key,
            order=p.order,
            date=p.date,
            date_label=p.date_label,
            text=p.text,
            revision=p.revision,
        )
        for p in ProgressEntry.objects.filter(outcome__edition=source)
    )
    old_milestones = list(Milestone.objects.filter(outcome__edition=source))
    new_milestones = Milestone.objects.bulk_create(
        Milestone(
            outcome=outcome_map[m.outcome_id],
            key=m.key,
            year=m.year,
            order=m.order,
            text=m.text,
            status=m.status,
            status_updated_on=m.status_updated_on,
            status_updated_by_id=m.status_updated_by_id,
            progress_note=m.progress_note,
            subject_to_decisions_after_may_2026=m.subject_to_decisions_after_may_2026,
            due_date=m.due_date,
            due_precision=m.due_precision,
            due_set_by_editor=m.due_set_by_editor,
            revision=m.revision,
        )
        for m in old_milestones
    )
    milestone_map = {old.pk: new for old, new in zip(old_milestones, new_milestones, strict=True)}
    _copy_links(
        MilestoneOrganisation, "milestone", milestone_map, milestone__outcome__edition=source
    )
    return draft


def _copy_links(link_model, owner_field: str, copies: dict, **source) -> None:
    """The bodies of the outcomes or milestones in `source`, linked to their copies (`copies`:
    each original's pk to its copy), in one query to read and one to write."""
    link_model.objects.bulk_create(
        link_model(
            **{owner_field: copies[getattr(link, f"{owner_field}_id")]},
            organisation_id=link.organisation_id,
            role=link.role,
            order=link.order,
        )
        for link in link_model.objects.filter(**source)
    )


def paste_refusal(route_map: RouteMap) -> str:
    """Why a pasted page may not become this route map's draft ("" when it may): only a
    route map with no content takes one, so nothing an editor wrote is replaced."""
    if route_map.editions.filter(state=Edition.State.PUBLISHED).exists():
        return "This route map is published, so a pasted page cannot replace its content."
    if Outcome.objects.filter(edition__route_map=route_map).exists():
        return "This route map's draft already has outcomes, so a pasted page cannot replace them."
    return ""


@transaction.atomic
def route_map_draft_from_paste(
    *, route_map: RouteMap, user, data: EditionData, new_bodies: list[Organisation]
) -> Edition:
    """The route map's draft made from a reviewed paste, with the new bodies it names: all
    of it or nothing (NotEditable if the route map gained content meanwhile)."""
    RouteMap.objects.select_for_update().get(pk=route_map.pk)
    if refusal := paste_refusal(route_map):
        raise NotEditable(refusal)
    route_map.editions.filter(state=Edition.State.DRAFT).delete()  # an empty draft
    for organisation in new_bodies:
        organisation_save_new(organisation)
    draft = edition_create_draft(route_map=route_map, data=data)
    paragraphs = sum(len(o.progress) + len(o.milestones) for o in data.outcomes)
    record_change(
        route_map=route_map,
        edition=draft,
        user=user,
        action=Action.ADDED,
        object_type="route map",
        object_label=route_map.title,
        after=(
            f"Draft made from a pasted page: {len(data.outcomes)} outcomes, "
            f"{paragraphs} paragraphs" + (f", {len(new_bodies)} new bodies" if new_bodies else "")
        ),
    )
    return draft


def draft_has_changes(route_map: RouteMap) -> bool:
    return route_map.editions.filter(state=Edition.State.DRAFT).exists()


# Where a new route map goes among the others (`route_map_create`'s `after`).
FIRST, LAST = "first", "last"


def _new_position(foundation: Foundation | None, after: "RouteMap | str") -> int:
    """The `order` a new route map takes: right after `after`, or first or last (LAST) among
    the route maps under `foundation`. With none there yet, after those of the foundations
    before it; a route map under no foundation goes after all. Orders run across the whole
    plan, so those from the position on move one down (`route_map_create` does that)."""
    if isinstance(after, RouteMap):
        return after.order + 1
    route_maps = list(RouteMap.objects.order_by("order", "title").only("order", "foundation"))
    siblings = [rm for rm in route_maps if rm.foundation_id == (foundation and foundation.pk)]
    if siblings:
        return siblings[0].order if after == FIRST else siblings[-1].order + 1
    if foundation is None:
        earlier = route_maps
    else:
        ranks = {pk: i for i, pk in enumerate(Foundation.objects.values_list("pk", flat=True))}
        mine = ranks[foundation.pk]
        earlier = [rm for rm in route_maps if rm.foundation_id and ranks[rm.foundation_id] < mine]
    return max((rm.order for rm in earlier), default=0) + 1


@transaction.atomic
def route_map_create(
    *,
    user,
    title: str,
    foundation: Foundation | None,
    after: "RouteMap | str" = LAST,
    source_url: str = "",
) -> RouteMap:
    """A new route map with an empty draft to fill in (nothing public until it is published),
    placed in the plan by `after` (`_new_position`). Its creator is assigned to edit it unless
    they may edit every route map already; its history starts with its creation."""
    title = title.strip()
    existing = RouteMap.objects.titled(title)
    if existing is not None:
        raise ValidationError({"title": f"There is already a route map called “{existing}”."})
    # Every route map's place may move: hold them all still while this one is put in.
    list(RouteMap.objects.select_for_update().values_list("pk", flat=True))
    position = _new_position(foundation, after)
    route_map = RouteMap(
        title=title,
        slug=unique_slug(
            title,
            # "new" is the address of the page creating one.
            lambda s: s == "new" or RouteMap.objects.filter(slug=s).exists(),
            fallback="route-map",
        ),
        foundation=foundation,
        order=position,
        source_url=source_url,
        is_listed=False,  # until its first version is published
    )
    route_map.full_clean()
    RouteMap.objects.filter(order__gte=position).update(order=F("order") + 1)
    route_map.save()
    draft = edition_copy(source=None, route_map=route_map)
    if editable_route_map_ids(user) is not None:
        route_map.editors.add(user)
    record_change(
        route_map=route_map,
        edition=draft,
        user=user,
        action=Action.ADDED,
        object_type="route map",
        object_label=route_map.title,
    )
    return route_map


@transaction.atomic
def route_map_publish(*, route_map: RouteMap, user, note: str) -> Edition:
    """Publish the draft: all of it or nothing. The previous version stays as it was.

    Every write to a route map locks its RouteMap row first (see edition_ensure_draft), so a
    save that arrives during a publish waits, then lands in a fresh draft: nothing is lost
    and a published edition is never written to."""
    RouteMap.objects.select_for_update().get(pk=route_map.pk)
    draft = route_map.editions.select_for_update().filter(state=Edition.State.DRAFT).first()
    if draft is None:
        raise NotEditable("There are no unpublished changes to publish.")
    edition = edition_publish(edition=draft, user=user, note=note)
    record_change(
        route_map=route_map,
        edition=edition,
        user=user,
        action=Action.PUBLISHED,
        object_type="route map",
        object_label=route_map.title,
        after=note,
    )
    return edition


@transaction.atomic
def route_map_discard_draft(*, route_map: RouteMap, user) -> None:
    RouteMap.objects.select_for_update().get(pk=route_map.pk)
    draft = route_map.editions.select_for_update().filter(state=Edition.State.DRAFT).first()
    if draft is None:
        raise NotEditable("There is no draft to discard.")
    record_change(
        route_map=route_map,
        user=user,
        action=Action.DISCARDED,
        object_type="route map",
        object_label=route_map.title,
    )
    draft_discarded.send(sender=RouteMap, route_map=route_map)
    draft.delete()


# ---------------------------------------------------------------------------------- history


def about_item(route_map: RouteMap, draft: Edition, user, kind: str, item) -> dict:
    """How a change record names a milestone or progress entry (`kind`) changed in the
    draft: the arguments of publishing.records' helpers, less what changed."""
    return {
        "route_map": route_map,
        "edition": draft,
        "user": user,
        "object_type": kind,
        "object_key": item.key,
        "object_label": item.text[:80],
    }


def organisations_value(links) -> str:
    """Responsible bodies as stored in the change record: "slug:role; slug:role"."""
    return "; ".join(f"{link.organisation.slug}:{link.role}" for link in links)


_organisations_value = organisations_value


def organisation_pairs(value: str) -> list[tuple[str, str]]:
    """(slug, role) of each body in a change record's "slug:role; slug:role"."""
    return [(slug, role) for slug, _, role in (i.partition(":") for i in value.split("; ") if i)]


def _parse_organisations(value: str) -> list[OrganisationChoice]:
    pairs = organisation_pairs(value)
    by_slug = Organisation.objects.in_bulk([slug for slug, _ in pairs], field_name="slug")
    return [OrganisationChoice(by_slug[slug], role) for slug, role in pairs if slug in by_slug]


def _set_organisations(owner, link_model, owner_field: str, choices: list[OrganisationChoice]):
    """Bodies already linked keep their order (the order the source names them in); the forms'
    ticked boxes carry no order, so saving them unchanged must not reorder or record a change.
    Newly chosen bodies follow, in the order given."""
    existing = link_model.objects.filter(**{owner_field: owner})
    current = existing.order_by("order", "pk").values_list("organisation_id", flat=True)
    choices = in_kept_order(choices, current, key=lambda c: c.organisation.pk)
    existing.delete()
    link_model.objects.bulk_create(
        link_model(**{owner_field: owner}, organisation=c.organisation, role=c.role, order=i)
        for i, c in enumerate(choices, start=1)
    )


# ---------------------------------------------------------------------------------- milestones

MILESTONE_FIELDS = [
    "text",
    "year",
    "status",
    "progress_note",
    "subject_to_decisions_after_may_2026",
]


def milestone_snapshot(milestone: Milestone, links=None) -> dict[str, str]:
    """The milestone's fields as its change records hold them; `links` (its own bodies, in
    order) saves a query when the caller already has them."""
    data = {field: str(getattr(milestone, field)) for field in MILESTONE_FIELDS}
    # Only a date an editor set is recorded: one read from the text changes with the text.
    data["due"] = milestone.due_phrase if milestone.due_set_by_editor else ""
    if links is None:
        links = milestone.organisation_links.select_related("organisation").order_by("order", "pk")
    data["organisations"] = _organisations_value(links)
    return data


def _item_records(key):
    """The newest changes to the item with `key`, to tell an editor refused by
    refuse_if_changed what someone else changed."""
    return ChangeRecord.objects.for_object(key).newest_first()[:5]


def _next_order(queryset) -> int:
    return (queryset.aggregate(n=Max("order"))["n"] or 0) + 1


def _set_values(milestone: Milestone, values: dict) -> None:
    """The fields in `values`, and "due" (an editor's due date as typed, blank to read it from
    the text) once the year and text it depends on are set."""
    for field, value in values.items():
        if field != "due":
            setattr(milestone, field, value)
    if "due" in values:
        milestone.set_due(values["due"])


@transaction.atomic
def milestone_update(
    *,
    route_map: RouteMap,
    key: uuid.UUID,
    user,
    values: dict,
    organisations: list[OrganisationChoice],
    expected_revision: int,
    action=Action.CHANGED,
    status_by: Organisation | None = None,
    status_on: datetime.date | None = None,
) -> Milestone:
    """Save an editor's changes to one milestone, refusing if someone saved it meanwhile.

    A changed status is stamped with `status_on` (default today) and `status_by` (default
    None: Promise Scotland); an accepted partner update passes the partner's."""
    draft, milestone = _draft_item(route_map, "milestone", key)
    refuse_if_changed(milestone, expected_revision, _item_records(key))
    before = milestone_snapshot(milestone)
    old_year, old_status = milestone.year, milestone.status
    _set_values(milestone, values)
    stamp_status(milestone, old_status, by=status_by, on=status_on)
    if milestone.year != old_year:
        milestone.order = _next_order(
            Milestone.objects.filter(outcome=milestone.outcome, year=milestone.year)
        )
    milestone.full_clean()
    milestone.revision += 1
    milestone.save()
    _set_organisations(milestone, MilestoneOrganisation, "milestone", organisations)
    after = milestone_snapshot(milestone)
    record_field_changes(
        **about_item(route_map, draft, user, "milestone", milestone),
        action=action,
        before=before,
        after=after,
    )
    return milestone


@transaction.atomic
def milestone_add(
    *, route_map: RouteMap, outcome_key, user, values: dict, organisations: list[OrganisationChoice]
) -> Milestone:
    draft = edition_ensure_draft(route_map=route_map)
    outcome = Outcome.objects.filter(edition=draft, key=outcome_key).first()
    if outcome is None:
        raise NotEditable("That outcome is not in this route map.")
    milestone = Milestone(outcome=outcome)
    _set_values(milestone, values)
    stamp_status(milestone, None)
    milestone.order = _next_order(Milestone.objects.filter(outcome=outcome, year=milestone.year))
    milestone.full_clean()
    milestone.save()
    _set_organisations(milestone, MilestoneOrganisation, "milestone", organisations)
    record_change(
        **about_item(route_map, draft, user, "milestone", milestone),
        action=Action.ADDED,
        field="text",
        after=milestone.text,
    )
    return milestone


# ---------------------------------------------------------------------------------- outcomes


def outcome_snapshot(outcome: Outcome) -> dict[str, str]:
    links = outcome.organisation_links.select_related("organisation").order_by("order", "pk")
    return {
        "title": outcome.title,
        "statement": outcome.statement,
        "organisations": _organisations_value(links),
        "linked_route_maps": ", ".join(
            sorted(outcome.linked_route_maps.values_list("slug", flat=True))
        ),
    }


@transaction.atomic
def outcome_update(
    *,
    route_map: RouteMap,
    key,
    user,
    values: dict,
    organisations: list[OrganisationChoice],
    linked_route_maps,
    expected_revision: int,
) -> Outcome:
    """Save an editor's changes to an outcome, refusing if someone saved it meanwhile."""
    draft = edition_ensure_draft(route_map=route_map)
    outcome = Outcome.objects.select_for_update().filter(edition=draft, key=key).first()
    if outcome is None:
        raise NotEditable("That outcome is not in this route map.")
    refuse_if_changed(outcome, expected_revision, _item_records(key))
    before = outcome_snapshot(outcome)
    for field, value in values.items():
        setattr(outcome, field, value)
    outcome.full_clean()
    outcome.revision += 1
    outcome.save()
    _set_organisations(outcome, OutcomeOrganisation, "outcome", organisations)
    outcome.linked_route_maps.set(linked_route_maps)
    record_field_changes(
        route_map=route_map,
        edition=draft,
        user=user,
        object_type="outcome",
        object_key=key,
        object_label=outcome.title,
        before=before,
        after=outcome_snapshot(outcome),
    )
    return outcome


OUTCOME_FIELDS = ["title", "statement"]


def _outcome_in_draft(draft: Edition, key) -> Outcome:
    outcome = Outcome.objects.select_for_update().filter(edition=draft, key=key).first()
    if outcome is None:
        raise NotEditable("That outcome is not in this route map.")
    return outcome


@transaction.atomic
def outcome_add(
    *,
    route_map: RouteMap,
    user,
    values: dict,
    organisations: list[OrganisationChoice],
    linked_route_maps,
) -> Outcome:
    """A new outcome, last in the draft; its web address comes from its title."""
    draft = edition_ensure_draft(route_map=route_map)
    outcome = Outcome(edition=draft, order=_next_order(draft.outcomes.all()))
    for field in OUTCOME_FIELDS:
        setattr(outcome, field, values[field])
    outcome.slug = unique_slug(
        outcome.title,
        lambda s: Outcome.objects.filter(edition=draft, slug=s).exists(),
        fallback="outcome",
    )
    outcome.full_clean()
    outcome.save()
    _set_organisations(outcome, OutcomeOrganisation, "outcome", organisations)
    outcome.linked_route_maps.set(linked_route_maps)
    after = outcome_snapshot(outcome)
    record_field_changes(
        route_map=route_map,
        edition=draft,
        user=user,
        action=Action.ADDED,
        object_type="outcome",
        object_key=outcome.key,
        object_label=outcome.title,
        before=dict.fromkeys(after, ""),
        after=after,
    )
    return outcome


def outcome_contents(outcome: Outcome) -> str:
    """What goes with an outcome when it is removed, in words: "3 milestones and 1 progress
    entry"."""
    milestones = outcome.milestones.count()
    entries = outcome.progress_entries.count()
    return (
        f"{milestones} milestone{'' if milestones == 1 else 's'} and "
        f"{entries} progress entr{'y' if entries == 1 else 'ies'}"
    )


@transaction.atomic
def outcome_remove(*, route_map: RouteMap, user, key, expected_revision: int) -> Outcome:
    """Remove an outcome, with its milestones and progress entries, from the draft, refusing
    if someone saved it since the editor was shown it. Its record keeps its title, statement,
    bodies and links, and says what went with it."""
    draft = edition_ensure_draft(route_map=route_map)
    outcome = _outcome_in_draft(draft, key)
    refuse_if_changed(outcome, expected_revision, _item_records(key))
    before = {**outcome_snapshot(outcome), "contents": outcome_contents(outcome)}
    record_field_changes(
        route_map=route_map,
        edition=draft,
        user=user,
        action=Action.REMOVED,
        object_type="outcome",
        object_key=key,
        object_label=outcome.title,
        before=before,
        after=dict.fromkeys(before, ""),
    )
    outcome.delete()
    return outcome


@transaction.atomic
def outcome_move(*, route_map: RouteMap, user, key, direction: str) -> Outcome:
    """Swap an outcome with the one before ("up") or after it in the draft."""
    draft = edition_ensure_draft(route_map=route_map)
    outcome = _outcome_in_draft(draft, key)
    siblings = list(
        Outcome.objects.filter(edition=draft).select_for_update().order_by("order", "pk")
    )
    moved = _swap_with_neighbour(siblings, outcome, direction)
    if moved:
        record_change(
            route_map=route_map,
            edition=draft,
            user=user,
            action=Action.MOVED,
            object_type="outcome",
            object_key=key,
            object_label=outcome.title,
            field="order",
            before=moved[0],
            after=moved[1],
        )
    return outcome


# ---------------------------------------------------------------------------------- progress

PROGRESS_FIELDS = ["date_label", "date", "text"]


def _progress_snapshot(entry: ProgressEntry) -> dict[str, str]:
    return {f: "" if getattr(entry, f) is None else str(getattr(entry, f)) for f in PROGRESS_FIELDS}


@transaction.atomic
def progress_update(*, route_map, key, user, values: dict, expected_revision: int) -> ProgressEntry:
    """Save an editor's changes to a progress entry, refusing if someone saved it meanwhile."""
    draft, entry = _draft_item(route_map, "progress", key)
    refuse_if_changed(entry, expected_revision, _item_records(key))
    before = _progress_snapshot(entry)
    for field, value in values.items():
        setattr(entry, field, value)
    entry.full_clean()
    entry.revision += 1
    entry.save()
    record_field_changes(
        **about_item(route_map, draft, user, "progress", entry),
        before=before,
        after=_progress_snapshot(entry),
    )
    return entry


@transaction.atomic
def progress_add(*, route_map, outcome_key, user, values: dict) -> ProgressEntry:
    draft = edition_ensure_draft(route_map=route_map)
    outcome = Outcome.objects.filter(edition=draft, key=outcome_key).first()
    if outcome is None:
        raise NotEditable("That outcome is not in this route map.")
    entry = ProgressEntry(outcome=outcome, **values)
    entry.order = _next_order(outcome.progress_entries.all())
    entry.full_clean()
    entry.save()
    record_change(
        **about_item(route_map, draft, user, "progress", entry),
        action=Action.ADDED,
        field="text",
        after=entry.text,
    )
    return entry


# ---------------------------------------------------------------------------------- items


@dataclass(frozen=True)
class ItemKind:
    """A kind of item listed in order under an outcome. Milestones and progress entries are
    removed and reordered by the same rules, so one service serves both."""

    model: type[Milestone] | type[ProgressEntry]
    name: str  # what editors are told it is
    siblings: Callable  # the items it is ordered among, given one of them


# Keyed by the item's `object_type` in the change record.
ITEM_KINDS = {
    "milestone": ItemKind(
        Milestone,
        "milestone",
        lambda m: Milestone.objects.filter(outcome_id=m.outcome_id, year=m.year),
    ),
    "progress": ItemKind(
        ProgressEntry,
        "progress entry",
        lambda e: ProgressEntry.objects.filter(outcome_id=e.outcome_id),
    ),
}


def _draft_item(route_map: RouteMap, kind: str, key):
    """The draft and its item of `kind` with `key`, locked for this change."""
    draft = edition_ensure_draft(route_map=route_map)
    item_kind = ITEM_KINDS[kind]
    item = (
        item_kind.model.objects.select_for_update()
        .select_related("outcome")
        .filter(outcome__edition=draft, key=key)
        .first()
    )
    if item is None:
        raise NotEditable(f"That {item_kind.name} is not in this route map.")
    return draft, item


def _swap_with_neighbour(siblings: list, item, direction: str) -> tuple[str, str] | None:
    """Swap `item` with the sibling before ("up") or after it and renumber; returns the old
    and new positions, or None at either end of the list."""
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return None
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for order, sibling in enumerate(siblings, start=1):
        if sibling.order != order:
            sibling.order = order
            if isinstance(sibling, Milestone):
                sibling.revision += 1 if sibling.pk == item.pk else 0
                sibling.save(update_fields=["order", "revision", "updated_at"])
            else:
                sibling.save(update_fields=["order"])
    return str(index + 1), str(other + 1)


@transaction.atomic
def item_remove(*, route_map: RouteMap, kind: str, key, user) -> None:
    """Remove a milestone or progress entry from the draft; its record keeps the text."""
    draft, item = _draft_item(route_map, kind, key)
    record_change(
        **about_item(route_map, draft, user, kind, item),
        action=Action.REMOVED,
        field="text",
        before=item.text,
    )
    item.delete()


@transaction.atomic
def item_move(*, route_map: RouteMap, kind: str, key, user, direction: str):
    """Swap an item with its neighbour ("up" or "down"): a milestone within its year, a
    progress entry within its outcome."""
    draft, item = _draft_item(route_map, kind, key)
    siblings = list(ITEM_KINDS[kind].siblings(item).select_for_update().order_by("order", "pk"))
    moved = _swap_with_neighbour(siblings, item, direction)
    if moved:
        record_change(
            **about_item(route_map, draft, user, kind, item),
            action=Action.MOVED,
            field="order",
            before=moved[0],
            after=moved[1],
        )
    return item


# ---------------------------------------------------------------------------------- route map

ROUTE_MAP_FIELDS = ["introduction", "summary", "summary_detail", "vision"]


@transaction.atomic
def route_map_update(
    *, route_map, user, values: dict, what_matters: list[str], expected_revision: int
) -> Edition:
    """Save an editor's changes to the route map's details (the draft edition's own fields
    and its "what matters"), refusing if someone saved them meanwhile."""
    draft = edition_ensure_draft(route_map=route_map)
    draft = Edition.objects.select_for_update().get(pk=draft.pk)
    refuse_if_changed(
        draft,
        expected_revision,
        ChangeRecord.objects.filter(route_map=route_map, object_type="route map")
        .exclude(field="")
        .newest_first()[:5],
    )
    before = {f: getattr(draft, f) for f in ROUTE_MAP_FIELDS}
    before["what_matters"] = "\n".join(w.text for w in draft.what_matters.all())
    for field, value in values.items():
        setattr(draft, field, value)
    draft.full_clean()
    draft.revision += 1
    draft.save()
    if before["what_matters"] != "\n".join(what_matters):
        draft.what_matters.all().delete()
        WhatMatters.objects.bulk_create(
            WhatMatters(edition=draft, order=i, text=t) for i, t in enumerate(what_matters, 1)
        )
    after = {f: getattr(draft, f) for f in ROUTE_MAP_FIELDS}
    after["what_matters"] = "\n".join(what_matters)
    record_field_changes(
        route_map=route_map,
        edition=draft,
        user=user,
        object_type="route map",
        object_label=route_map.title,
        before=before,
        after=after,
    )
    return draft


# ---------------------------------------------------------------------------------- restore

RESTORABLE = {"milestone": set(MILESTONE_FIELDS) | {"due", "organisations"}}
RESTORABLE_ACTIONS = {Action.CHANGED, Action.RESTORED}


def is_restorable(records: list[ChangeRecord]) -> bool:
    """Whether a save (its records) can be put back: a change to a milestone's fields."""
    return bool(records) and all(
        record.action in RESTORABLE_ACTIONS
        and record.field in RESTORABLE.get(record.object_type, ())
        for record in records
    )


@transaction.atomic
def save_restore(
    *, record: ChangeRecord, user, expected_revision: int | None = None
) -> tuple[Milestone, list[ChangeRecord]]:
    """Put back every field the save `record` belongs to changed, to its value before that
    save, as one new save to the draft; returns the milestone and the save's records.

    Refuses (EditConflict) when the milestone was saved after the editor read the history
    at `expected_revision` (None: as it is now), and (NotEditable) when it is no longer in
    the draft or the save cannot be put back."""
    records = list(ChangeRecord.objects.of_save(record).filter(route_map=record.route_map))
    if not is_restorable(records):
        raise NotEditable("That change cannot be restored.")
    route_map = record.route_map
    _, milestone = _draft_item(route_map, "milestone", record.object_key)
    earlier = {r.field: r.before for r in records}
    if "organisations" in earlier:
        organisations = _parse_organisations(earlier.pop("organisations"))
    else:
        organisations = _parse_organisations(milestone_snapshot(milestone)["organisations"])
    values = {
        name: value if name == "due" else Milestone._meta.get_field(name).to_python(value)
        for name, value in earlier.items()
    }
    try:
        restored = milestone_update(
            route_map=route_map,
            key=record.object_key,
            user=user,
            values=values,
            organisations=organisations,
            expected_revision=(
                milestone.revision if expected_revision is None else expected_revision
            ),
            action=Action.RESTORED,
        )
    except DueDateError as error:  # a date for the year the milestone has since left
        raise NotEditable(f"That due date cannot be restored: {error}") from error
    except ValidationError as error:
        raise NotEditable(f"That save cannot be restored: {validation_message(error)}") from error
    return restored, records


# ---------------------------------------------------------------------------------- organisations


def organisation_create(*, name: str, sector: str = Sector.OTHER, abbreviation: str = ""):
    """A body not known yet. Bodies are shared by every route map and document, so this is no
    draft: it can be chosen at once. A name already taken (whatever its case) is refused."""
    return organisation_save_new(
        Organisation(name=name, sector=sector, abbreviation=abbreviation.strip())
    )


def organisation_save_new(organisation: Organisation) -> Organisation:
    """Save a body made elsewhere (a form, a reviewed paste) with its name tidied and a web
    address of its own; ValidationError if its name is taken, whatever its case."""
    organisation.name = " ".join(organisation.name.split())
    if Organisation.objects.filter(name__iexact=organisation.name).exists():
        raise ValidationError(
            {"name": f"There is already an organisation called “{organisation.name}”."}
        )
    organisation.slug = unique_slug(
        organisation.name,
        lambda s: Organisation.objects.filter(slug=s).exists(),
        fallback="organisation",
    )
    organisation.full_clean()
    organisation.save()
    return organisation
