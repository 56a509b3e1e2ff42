"""What changed between two editions of a route map, in plain words.

Outcomes, milestones and progress entries keep a `key` across editions, so an item can be
followed from one version to the next even when its text, year or order changes. The same
descriptions are read on the Changes page, in the Atom feeds and in subscribers' emails, so
each says what happened in full: one entry per milestone (a new status comes with its new
progress note under it, never the same quote twice), the progress note itself rather than
"updated", and a reworded text as its old and new words for a word-level difference.
Texts are compared with `textdiff.changed`, so different line endings alone are no change.
"""

from dataclasses import dataclass, field, replace
from uuid import UUID

from django.db.models import Q
from django.urls import reverse

from core.text import clean_text
from core.textdiff import changed, word_diff
from routemap.models import Edition, RouteMap

# Pass to prefetch_related() on an Edition queryset before describing many editions.
CONTENT_PREFETCH = (
    "what_matters",
    "outcomes__milestones__status_updated_by",
    "outcomes__progress_entries",
)


@dataclass(frozen=True)
class Change:
    """One thing that changed. `kind` is the first of `kinds`, which lists every aspect of
    one milestone that changed (a milestone moved, reworded and given a new status is one
    Change). `description` is one plain sentence; `note` (the new progress note or the text
    of a progress entry, whole) and the difference between `old_text` and `new_text` are
    shown under it."""

    kind: str  # added, removed, reworded, moved, due, status, progress_note, updated
    subject: str  # "milestone", "outcome", "progress", "route map"
    outcome: str  # outcome title ("" for route-map-level changes)
    description: str
    year: int | None = None
    key: UUID | None = None  # the milestone's key, for milestone changes
    outcome_key: UUID | None = None  # the outcome's key ("" changes of the route map have none)
    anchor: str = ""  # the route map page's section, for changes of the route map itself
    url: str = ""  # where a reader sees what changed: set by `with_links`
    kinds: tuple[str, ...] = field(default=())
    note_label: str = ""  # "Progress note", "Progress (May 2026)"...
    note: str = ""  # the note or text as it now reads, whole
    old_text: str = ""  # a reworded text before...
    new_text: str = ""  # ...and after: shown as a word-level difference
    # The progress note `note` replaced, so a publisher sees what goes (an accepted partner
    # update replaces the note in the draft).
    old_note: str = ""

    def __post_init__(self):
        if not self.kinds:
            object.__setattr__(self, "kinds", (self.kind,))

    @property
    def reworded(self) -> bool:
        return bool(self.old_text or self.new_text)

    @property
    def marked_text(self) -> str:
        """The word-level difference in plain text: [-removed words-]{+added words+}."""
        return marked_diff(self.old_text, self.new_text) if self.reworded else ""


def marked_diff(old: str, new: str) -> str:
    """`old` turned into `new` in plain text, with removed words as [-...-] and added words
    as {+...+} (the marks of `git diff --word-diff=plain`), for emails."""
    marks = {"delete": "[-{}-]", "insert": "{{+{}+}}", "equal": "{}"}
    return "".join(marks[piece.kind].format(piece.text) for piece in word_diff(old, new))


def _excerpt(text: str, length: int = 90) -> str:
    """`text` on one line, cut at a word boundary with an ellipsis when longer than
    `length`. A first word longer than `length` is quoted whole rather than cut."""
    words = clean_text(text or "").split()
    text = " ".join(words)
    if len(text) <= length:
        return text
    kept: list[str] = []
    for word in words:
        if kept and len(" ".join([*kept, word])) > length - 1:
            break
        kept.append(word)
    if len(kept) == len(words):
        return text
    return " ".join(kept).rstrip(",;:.–—-") + "…"


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


def with_previous(editions: list[Edition], *, known: list[Edition] | None = None) -> list[Edition]:
    """`editions` (published versions, their content prefetched), each with `previous` set:
    the version numbered one before it of the same route map, or None for a first version.
    Versions in `known` (default `editions`) serve as they are; the others are fetched, with
    their content, in one query. The Changes page and the feeds both compare each version
    with the one before, and this is how they find it."""
    pool = {(e.route_map_id, e.number): e for e in (editions if known is None else known)}
    wanted = Q(pk__in=[])
    for edition in editions:
        if edition.number > 1 and (edition.route_map_id, edition.number - 1) not in pool:
            wanted |= Q(route_map_id=edition.route_map_id, number=edition.number - 1)
    pool.update(
        ((e.route_map_id, e.number), e)
        for e in Edition.objects.filter(wanted)
        .exclude(state=Edition.State.DRAFT)
        .prefetch_related(*CONTENT_PREFETCH)
    )
    for edition in editions:
        edition.previous = pool.get((edition.route_map_id, edition.number - 1))
    return editions


def describe_changes(old: Edition | None, new: Edition) -> list[Change]:
    """Changes from `old` (None for the first version) to `new`, outcome by outcome."""
    before, after = _content(old), _content(new)
    changes: list[Change] = []
    if changed(before["summary"], after["summary"]):
        changes.append(
            Change(
                "updated",
                "route map",
                "",
                "“Where is Scotland now?” was updated.",
                anchor="where-now",
            )
        )
    if changed(before["vision"], after["vision"]):
        changes.append(
            Change(
                "updated",
                "route map",
                "",
                "“Where does Scotland need to be by 2030?” was updated.",
                anchor="where-by-2030",
            )
        )
    if len(before["what_matters"]) != len(after["what_matters"]) or any(
        changed(b, a) for b, a in zip(before["what_matters"], after["what_matters"], strict=False)
    ):
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
            if changed(old_outcome.title, outcome.title):
                changes.append(
                    Change(
                        "reworded",
                        "outcome",
                        outcome.title,
                        f"Outcome renamed from “{old_outcome.title}” to “{outcome.title}”.",
                        outcome_key=key,
                    )
                )
            if changed(old_outcome.statement, outcome.statement):
                changes.append(
                    Change(
                        "reworded",
                        "outcome",
                        outcome.title,
                        "The outcome statement was reworded:",
                        outcome_key=key,
                        old_text=old_outcome.statement,
                        new_text=outcome.statement,
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


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _about_milestone(kind: str, outcome, milestone, description: str, **details) -> Change:
    return Change(
        kind,
        "milestone",
        outcome.title,
        description,
        milestone.year,
        key=milestone.key,
        outcome_key=outcome.key,
        **details,
    )


def _milestone_change(outcome, old, milestone) -> Change | None:
    """Everything that changed about one milestone, as one Change (None if nothing did).

    The aspects are named in one sentence, the milestone quoted once at its end; a reworded
    milestone is not quoted, since its difference (the whole text) is shown under it."""
    parts: list[tuple[str, str]] = []
    reworded = changed(old.text, milestone.text)
    note_changed = changed(old.progress_note, milestone.progress_note)
    if old.year != milestone.year:
        parts.append(("moved", f"milestone moved from {old.year} to {milestone.year}"))
    if reworded:
        parts.append(
            ("reworded", "reworded" if parts else f"milestone for {milestone.year} reworded")
        )
    if old.year == milestone.year and old.due != milestone.due:
        parts.append(
            ("due", f"{_lower_first(milestone.due_label)} (was {_lower_first(old.due_label)})")
        )
    if old.status != milestone.status:
        summary = milestone.status_summary
        parts.append(("status", f"status changed from {old.get_status_display()} to {summary}"))
    note = clean_text(milestone.progress_note).strip() if note_changed else ""
    if note_changed and not note:
        parts.append(("progress_note", "progress note removed"))
    elif note_changed:
        # The note itself is shown under the sentence, whole.
        parts.append(("progress_note", "" if parts else f"new progress note for {milestone.year}"))
    if not parts:
        return None
    sentence = _upper_first("; ".join(text for _, text in parts if text))
    description = f"{sentence}:" if reworded else f"{sentence}: “{_excerpt(milestone.text)}”"
    return _about_milestone(
        parts[0][0],
        outcome,
        milestone,
        description,
        kinds=tuple(kind for kind, _ in parts),
        # Labelled when the sentence is about something else (a new status, say).
        note_label="Progress note" if note and parts[0][0] != "progress_note" else "",
        note=note,
        old_note=clean_text(old.progress_note).strip() if note_changed else "",
        old_text=old.text if reworded else "",
        new_text=milestone.text if reworded else "",
    )


def _milestone_changes(outcome, before: dict, after: dict) -> list[Change]:
    changes = []
    for key, milestone in after.items():
        old = before.get(key)
        if old is None:
            excerpt = _excerpt(milestone.text)
            description = f"Milestone added for {milestone.year}: “{excerpt}”"
            changes.append(_about_milestone("added", outcome, milestone, description))
            continue
        change = _milestone_change(outcome, old, milestone)
        if change is not None:
            changes.append(change)
    for key, milestone in before.items():
        if key not in after:
            description = f"Milestone removed from {milestone.year}: “{_excerpt(milestone.text)}”"
            changes.append(_about_milestone("removed", outcome, milestone, description))
    return changes


def _progress_changes(outcome, before: dict, after: dict) -> list[Change]:
    """Progress so far: an added entry is shown whole, a reworded one as its difference."""
    changes = []

    def change(kind: str, description: str, **kwargs) -> Change:
        return Change(
            kind, "progress", outcome.title, description, outcome_key=outcome.key, **kwargs
        )

    def dated(entry) -> str:
        return f" ({entry.date_label})" if entry.date_label else ""

    for key, entry in after.items():
        old = before.get(key)
        if old is None:
            changes.append(
                change(
                    "added",
                    f"Progress added{dated(entry)}:",
                    note_label="Progress",
                    note=clean_text(entry.text).strip(),
                )
            )
        elif changed(old.text, entry.text):
            changes.append(
                change(
                    "reworded",
                    f"Progress updated{dated(entry)}:",
                    old_text=old.text,
                    new_text=entry.text,
                )
            )
        elif changed(old.date_label, entry.date_label):
            was = old.date_label or "no date"
            changes.append(
                change(
                    "reworded",
                    f"Progress redated{dated(entry)}, was {was}: “{_excerpt(entry.text)}”",
                )
            )
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
