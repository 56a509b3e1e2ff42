"""What changed between two editions of a route map, in plain words.

Outcomes, milestones and progress entries keep a `key` across editions, so an item can be
followed from one version to the next even when its text, year or order changes.
"""

from dataclasses import dataclass
from uuid import UUID

from routemap.models import Edition
from routemap.text import clean_text

# Pass to prefetch_related() on an Edition queryset before describing many editions.
CONTENT_PREFETCH = ("what_matters", "outcomes__milestones", "outcomes__progress_entries")


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, reworded, moved, due, status, progress_note, updated
    subject: str  # "milestone", "outcome", "progress", "route map"
    outcome: str  # outcome title ("" for route-map-level changes)
    description: str
    year: int | None = None
    key: UUID | None = None  # the milestone's key, for milestone changes


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
        outcome_list = edition.outcomes.prefetch_related("milestones", "progress_entries")
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
        changes.append(Change("updated", "route map", "", "“Where is Scotland now?” was updated."))
    if before["vision"] != after["vision"]:
        changes.append(
            Change(
                "updated", "route map", "", "“Where does Scotland need to be by 2030?” was updated."
            )
        )
    if before["what_matters"] != after["what_matters"]:
        changes.append(Change("updated", "route map", "", "The “what matters” statements changed."))

    for key, item in after["outcomes"].items():
        outcome = item["outcome"]
        previous = before["outcomes"].get(key)
        if previous is None:
            changes.append(
                Change("added", "outcome", outcome.title, f"Outcome added: {outcome.title}.")
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
                    )
                )
            if old_outcome.statement != outcome.statement:
                changes.append(
                    Change(
                        "reworded", "outcome", outcome.title, "The outcome statement was reworded."
                    )
                )
        changes += _milestone_changes(outcome.title, previous["milestones"], item["milestones"])
        changes += _progress_changes(outcome.title, previous["progress"], item["progress"])

    for key, item in before["outcomes"].items():
        if key not in after["outcomes"]:
            title = item["outcome"].title
            changes.append(Change("removed", "outcome", title, f"Outcome removed: {title}."))
    return changes


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _milestone_changes(outcome: str, before: dict, after: dict) -> list[Change]:
    changes = []
    for key, milestone in after.items():
        old = before.get(key)
        if old is None:
            changes.append(
                Change(
                    "added",
                    "milestone",
                    outcome,
                    f"Milestone added for {milestone.year}: “{_excerpt(milestone.text)}”",
                    milestone.year,
                    key=milestone.key,
                )
            )
            continue
        if old.year != milestone.year:
            changes.append(
                Change(
                    "moved",
                    "milestone",
                    outcome,
                    f"Milestone moved from {old.year} to {milestone.year}: "
                    f"“{_excerpt(milestone.text)}”",
                    milestone.year,
                    key=milestone.key,
                )
            )
        if old.text != milestone.text:
            changes.append(
                Change(
                    "reworded",
                    "milestone",
                    outcome,
                    f"Milestone for {milestone.year} reworded: now “{_excerpt(milestone.text)}”",
                    milestone.year,
                    key=milestone.key,
                )
            )
        if old.year == milestone.year and old.due != milestone.due:
            changes.append(
                Change(
                    "due",
                    "milestone",
                    outcome,
                    f"{milestone.due_label} (was {_lower_first(old.due_label)}): "
                    f"“{_excerpt(milestone.text)}”",
                    milestone.year,
                    key=milestone.key,
                )
            )
        if old.status != milestone.status:
            changes.append(
                Change(
                    "status",
                    "milestone",
                    outcome,
                    f"Status changed from {old.get_status_display()} to "
                    f"{milestone.get_status_display()}: “{_excerpt(milestone.text)}”",
                    milestone.year,
                    key=milestone.key,
                )
            )
        if old.progress_note != milestone.progress_note:
            changes.append(
                Change(
                    "progress_note",
                    "milestone",
                    outcome,
                    f"Progress note updated for {milestone.year}: “{_excerpt(milestone.text)}”",
                    milestone.year,
                    key=milestone.key,
                )
            )
    for key, milestone in before.items():
        if key not in after:
            changes.append(
                Change(
                    "removed",
                    "milestone",
                    outcome,
                    f"Milestone removed from {milestone.year}: “{_excerpt(milestone.text)}”",
                    milestone.year,
                    key=milestone.key,
                )
            )
    return changes


def _progress_changes(outcome: str, before: dict, after: dict) -> list[Change]:
    changes = []
    for key, entry in after.items():
        old = before.get(key)
        if old is None:
            changes.append(
                Change("added", "progress", outcome, f"Progress added: “{_excerpt(entry.text)}”")
            )
        elif old.text != entry.text or old.date_label != entry.date_label:
            changes.append(
                Change(
                    "reworded", "progress", outcome, f"Progress updated: “{_excerpt(entry.text)}”"
                )
            )
    for key, entry in before.items():
        if key not in after:
            changes.append(
                Change(
                    "removed", "progress", outcome, f"Progress removed: “{_excerpt(entry.text)}”"
                )
            )
    return changes
