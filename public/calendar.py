"""An organisation's published actions as an iCalendar feed its staff can subscribe to.

The actions are those of sources.actions. Each is an all-day event on its due date: for a
milestone, the last day of the period its text states ("April 2026: ..." is 30 April) or an
editor set, or else 31 December of its plan year; for a commitment, the end of its printed
timescale ("by April 2026"). A commitment printed without a timescale (or with only a start)
has no due date, so it cannot be an event and is left out (the calendar's description says
so). UIDs come from the milestone's key, which stays the same across editions, or the
commitment's document and reference, so a calendar app updates an event rather than
duplicating it.
"""

import datetime

import icalendar
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from core import clock
from core.templatetags.richtext import plaintext
from core.text import clean_text
from milestones.models import Milestone
from organisations.models import Organisation
from sources.actions import organisation_actions
from sources.models import Commitment

SUMMARY_WORDS = 12


def _first_words(text: str, count: int = SUMMARY_WORDS) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _status(item: Milestone | Commitment) -> str:
    """ "In progress, updated 12 March 2026 by COSLA (overdue)"."""
    if item.overdue:
        return f"{item.status_summary} (overdue)"
    if item.due_soon:
        return f"{item.status_summary} (due soon)"
    return item.status_summary


def _progress_and_bodies(item: Milestone | Commitment) -> list[str]:
    lines = []
    if item.progress_note:
        lines.append(f"Progress: {plaintext(item.progress_note)}")
    bodies = ", ".join(clean_text(link.organisation.name) for link in item.responsible_links)
    if bodies:
        lines.append(f"Who needs to work on this: {bodies}")
    return lines


def _event(*, uid: str, stamp, day: datetime.date, summary: str, lines: list[str], url: str):
    """An all-day event on `day`; iCalendar text may hold no control characters, so the
    callers pass text through plaintext() or clean_text()."""
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def milestone_event(milestone: Milestone, url: str) -> icalendar.Event:
    outcome = milestone.outcome
    edition = outcome.edition
    text = plaintext(milestone.text)
    lines = [text, "", f"{milestone.due_label}.", f"Status: {_status(milestone)}"]
    if milestone.subject_to_decisions_after_may_2026:
        lines.append("Subject to decisions after May 2026.")
    lines += [*_progress_and_bodies(milestone), "", url]
    title = clean_text(f"{edition.route_map.title} – {outcome.title}")
    return _event(
        uid=f"milestone-{milestone.key}@route-map-tracker",
        stamp=edition.published_at or clock.now(),
        day=milestone.due_date,
        summary=f"{title}: {_first_words(text)}",
        lines=lines,
        url=url,
    )


def commitment_event(commitment: Commitment, url: str) -> icalendar.Event:
    text = plaintext(commitment.text)
    lines = [
        clean_text(commitment.heading),
        text,
        "",
        f"{commitment.due_label}.",
        f"Status: {_status(commitment)}",
        f"Timescale: {clean_text(commitment.timescale)} (as printed in the document)",
        *_progress_and_bodies(commitment),
        f"Commitment in {clean_text(commitment.document.title)}",
        "",
        url,
    ]
    return _event(
        uid=f"commitment-{commitment.document.slug}/{commitment.reference}@route-map-tracker",
        stamp=clock.now(),
        day=commitment.due_date,
        summary=f"Commitment {clean_text(commitment.heading)}: {_first_words(text)}",
        lines=lines,
        url=url,
    )


def organisation_calendar(
    organisation: Organisation, milestones, absolute_url, commitments=()
) -> bytes:
    """The calendar as bytes; `absolute_url` turns a path into a full address. `commitments`
    are those with a due date (the others have no date to put an event on)."""
    calendar = icalendar.Calendar()
    name = clean_text(organisation.name)
    calendar.add("prodid", "-//Route Map Tracker//Plan 24-30 milestones//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{name}: Plan 24-30 milestones")
    calendar.add(
        "x-wr-caldesc",
        f"Plan 24-30 milestones and source-document commitments {name} needs to work on, "
        "alone or with others. Commitments printed without a timescale, or with only a start, "
        "have no date and are not in this calendar. "
        f"More: {absolute_url(organisation.get_absolute_url())}",
    )
    calendar.add("refresh-interval", datetime.timedelta(days=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "P1D")
    for milestone in milestones:
        calendar.add_component(
            milestone_event(milestone, absolute_url(milestone.get_absolute_url()))
        )
    for commitment in commitments:
        calendar.add_component(
            commitment_event(commitment, absolute_url(commitment.get_absolute_url()))
        )
    return calendar.to_ical()


@require_safe
def organisation_calendar_ics(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    actions = organisation_actions(organisation)
    milestones = actions.milestones.with_context().in_plan_order()
    dated = actions.commitments.filter(due_date__isnull=False).with_context().in_due_order()
    response = HttpResponse(
        organisation_calendar(
            organisation, milestones, request.build_absolute_uri, commitments=dated
        ),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{organisation.slug}.ics"'
    return response
