"""What changed between two editions of a route map, in plain words.

Outcomes, milestones and progress entries keep a `key` across editions, so an item can be
followed from one version to the next even when its text, year or order changes.
"""

from dataclasses import dataclass, replace
from uuid import UUID

from django.urls import reverse

from routemap.models import Edition, RouteMap
from routemap.text import clean_text

# Pass to prefetch_related() on an Edition queryset before describing many editions.
CONTENT_PREFETCH = (
    "what_matters",
    "outcomes__milestones__status_updated_by",
    "outcomes__progress_entries",
)


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, reworded, moved, due, status, progress_note, updated
    subject: str  # "milestone", "outcome", "progress", "route map"
    outcome: str  # outcome title ("" for route-map-level changes)
    description: str
    year: int | None = None
    key: UUID | None = None  # the milestone's key, for milestone changes
    outcome_key: UUID | None = None  # the outcome's key ("" changes of the route map have none)
    anchor: str = ""  # the route map page's section, for changes of the route map itself
    url: str = ""  # where a reader sees what changed: set by `with_links`
    # A progress note's text before and after, so a publisher sees the note being replaced
    # (an accepted partner update replaces the note in the draft).
    old_text: str = ""
    new_text: str = ""


def _excerpt(text: str, length: int = 90) -> str:
    text = " ".join(clean_text(text).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _content(edition: Edition | None) -> dict:
    """Outcomes keyed by `key`, each with its milestones and progress keyed by `key`."""
    if edition is None:
        return {"summary": "", "vision": "", "what_matters": [], "outcomes": {}}
    outcomes = {}
    if "outcomes" in getattr(edition, "_prefetched_objects_cache", {}):
        # Fetched with CONTENT_PREFETCH, so listing many editions stays bounded.
        outcome_list = edition.outcomes.all()
    else:
        outcome_list = edition.outcomes.prefetch_related(
            "milestones__status_updated_by", "progress_entries"
        )
    for outcome in outcome_list:
        outcomes[outcome.key] = {
            "outcome": outcome,
            "milestones": {m.key: m for m in outcome.milestones.all()},
            "progress": {p.key: p for p in outcome.progress_entries.all()},
        }
    return {
        "summary": edition.summary + edition.summary_detail,
        "vision": edition.vision,
        "what_matters": [w.text for w in edition.what_matters.all()],
        "outcomes": outcomes,
    }


def describe_changes(old: Edition | None, new: Edition) -> list[Change]:
    """Changes from `old` (None for the first version) to `new`, outcome by outcome."""
    before, after = _content(old), _content(new)
    changes: list[Change] = []
    if before["summary"] != after["summary"]:
        changes.append(
            Change(
                "updated",
                "route map",
                "",
                "“Where is Scotland now?” was updated.",
                anchor="where-now",
            )
        )
    if before["vision"] != after["vision"]:
        changes.append(
            Change(
                "updated",
                "route map",
                "",
                "“Where does Scotland need to be by 2030?” was updated.",
                anchor="where-by-2030",
            )
        )
    if before["what_matters"] != after["what_matters"]:
        changes.append(
            Change(
                "updated",
                "route map",
                "",
                "The “what matters” statements changed.",
                anchor="what-matters",
            )
        )

    for key, item in after["outcomes"].items():
        outcome = item["outcome"]
        previous = before["outcomes"].get(key)
        if previous is None:
            changes.append(
                Change(
                    "added",
                    "outcome",
                    outcome.title,
                    f"Outcome added: {outcome.title}.",
                    outcome_key=key,
                )
            )
            previous = {"outcome": None, "milestones": {}, "progress": {}}
        else:
            old_outcome = previous["outcome"]
            if old_outcome.title != outcome.title:
                changes.append(
                    Change(
                        "reworded",
                        "outcome",
                        outcome.title,
                        f"Outcome renamed from “{old_outcome.title}” to “{outcome.title}”.",
                        outcome_key=key,
                    )
                )
            if old_outcome.statement != outcome.statement:
                changes.append(
                    Change(
                        "reworded",
                        "outcome",
                        outcome.title,
                        "The outcome statement was reworded.",
                        outcome_key=key,
                    )
                )
        changes += _milestone_changes(outcome, previous["milestones"], item["milestones"])
        changes += _progress_changes(outcome, previous["progress"], item["progress"])

    for key, item in before["outcomes"].items():
        if key not in after["outcomes"]:
            title = item["outcome"].title
            changes.append(
                Change("removed", "outcome", title, f"Outcome removed: {title}.", outcome_key=key)
            )
    return changes


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _milestone_changes(outcome, before: dict, after: dict) -> list[Change]:
    changes = []

    def change(kind: str, description: str, milestone) -> Change:
        return Change(
            kind,
            "milestone",
            outcome.title,
            description,
            milestone.year,
            key=milestone.key,
            outcome_key=outcome.key,
        )

    for key, milestone in after.items():
        old = before.get(key)
        excerpt = _excerpt(milestone.text)
        if old is None:
            changes.append(
                change("added", f"Milestone added for {milestone.year}: “{excerpt}”", milestone)
            )
            continue
        if old.year != milestone.year:
            changes.append(
                change(
                    "moved",
                    f"Milestone moved from {old.year} to {milestone.year}: “{excerpt}”",
                    milestone,
                )
            )
        if old.text != milestone.text:
            changes.append(
                change(
                    "reworded",
                    f"Milestone for {milestone.year} reworded: now “{excerpt}”",
                    milestone,
                )
            )
        if old.year == milestone.year and old.due != milestone.due:
            changes.append(
                change(
                    "due",
                    f"{milestone.due_label} (was {_lower_first(old.due_label)}): “{excerpt}”",
                    milestone,
                )
            )
        if old.status != milestone.status:
            changes.append(
                change(
                    "status",
                    f"Status changed from {old.get_status_display()} to "
                    f"{milestone.status_summary}: “{excerpt}”",
                    milestone,
                )
            )
        if old.progress_note != milestone.progress_note:
            changes.append(
                replace(
                    change(
                        "progress_note",
                        f"Progress note updated for {milestone.year}: “{excerpt}”",
                        milestone,
                    ),
                    old_text=old.progress_note,
                    new_text=milestone.progress_note,
                )
            )
    for key, milestone in before.items():
        if key not in after:
            changes.append(
                change(
                    "removed",
                    f"Milestone removed from {milestone.year}: “{_excerpt(milestone.text)}”",
                    milestone,
                )
            )
    return changes


def _progress_changes(outcome, before: dict, after: dict) -> list[Change]:
    changes = []

    def change(kind: str, description: str) -> Change:
        return Change(kind, "progress", outcome.title, description, outcome_key=outcome.key)

    for key, entry in after.items():
        old = before.get(key)
        if old is None:
            changes.append(change("added", f"Progress added: “{_excerpt(entry.text)}”"))
        elif old.text != entry.text or old.date_label != entry.date_label:
            changes.append(change("reworded", f"Progress updated: “{_excerpt(entry.text)}”"))
    for key, entry in before.items():
        if key not in after:
            changes.append(change("removed", f"Progress removed: “{_excerpt(entry.text)}”"))
    return changes


def with_links(changes: list[Change], *, route_map: RouteMap, live: Edition | None) -> list[Change]:
    """Each change with the address where a reader sees it in the live version: the year of a
    milestone (where it is now, if it has moved since) or the progress of its outcome on the
    outcome's page, the outcome's page, or the route map page's section. Something removed
    since is linked to where it was: its outcome, or the route map. `live` should be fetched
    with CONTENT_PREFETCH."""
    page = route_map.get_absolute_url()
    outcomes = {o.key: o for o in live.outcomes.all()} if live is not None else {}
    years = {(o.key, m.key): m.year for o in outcomes.values() for m in o.milestones.all()}
    linked = []
    for change in changes:
        outcome = outcomes.get(change.outcome_key)
        if change.anchor:
            url = f"{page}#{change.anchor}"
        elif outcome is None:
            url = page
        else:
            url = reverse("routemap:outcome", args=[route_map.slug, outcome.slug])
            if change.subject == "milestone":
                year = years.get((outcome.key, change.key), change.year)
                url += f"#{outcome.anchor}-year-{year}"
            elif change.subject == "progress":
                url += f"#{outcome.anchor}-progress"
        linked.append(replace(change, url=url))
    return linked
