"""Read the timescale printed beside a commitment ("Autumn 2025", "2025-26", "2025-28")
as the span of calendar years it touches, so commitments sit on the same timeline as
milestones, and as the date it is due by. Pure functions: no database.

Government documents write financial years ("2025-26" runs April 2025 to March 2026) and
spans of them ("2025-26 – 2027-28"); a span is read from the first year it starts in to the
last year it reaches, so "2025-26" is 2025-2026 and "2028/29-2029/30" is 2028-2030.

The due date (`timescale_due`) is the end of the last period printed, read like a milestone's
date (milestones.dates): "Autumn 2025" is due 30 November 2025, "by April 2026" 30 April 2026,
"early 2026" 30 April 2026. A financial year is written with two digits after the dash, one
year on ("2025-26", "2028/29"), and ends on 31 March ("2025-26" -> 31 March 2026,
"2025-26 – 2027-28" -> 31 March 2028); any other span of years ends on 31 December of its last
year ("2025-28", "2024-2030"). A timescale that only says when work starts ("from 2026") has
no due date.
"""

import datetime
import re
from typing import NamedTuple

from milestones.dates import Due, DuePrecision, named_dues, year_end

EARLIEST_YEAR = 1990
LATEST_YEAR = 2100

# Words that may qualify a year without changing which year it is ("by April 2026").
QUALIFIERS = (
    "by|from|until|till|to|before|after|in|during|the|of|end|start|beginning|early|mid|late"
    "|spring|summer|autumn|winter|q1|q2|q3|q4|quarter|first|second|third|fourth|half"
    "|january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|financial|year|academic|calendar"
)
_PERIOD = r"(\d{4})(?:\s*[-/]\s*(\d{4}|\d{2}))?"
_WORDS = rf"(?:(?:{QUALIFIERS})\s+)*"
_PATTERN = re.compile(
    rf"^{_WORDS}{_PERIOD}(?:\s*(?:-|to|until)\s*{_WORDS}{_PERIOD})?$", re.IGNORECASE
)
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})

EXAMPLES = '"Autumn 2025", "by April 2026", "2025-26", "2025-28" or "2028/29-2029/30"'


class TimescaleError(ValueError):
    """The text is not a timescale this module can place on the plan's years."""


class YearSpan(NamedTuple):
    year_from: int
    year_to: int


def _period(start: str, end: str | None, text: str) -> YearSpan:
    first = int(start)
    if not EARLIEST_YEAR <= first <= LATEST_YEAR:
        raise TimescaleError(f'Cannot read the timescale "{text}": {first} is not a likely year.')
    if end is None:
        return YearSpan(first, first)
    last = int(end) if len(end) == 4 else first // 100 * 100 + int(end)
    if last <= first:
        raise TimescaleError(
            f'Cannot read the timescale "{text}": {start}-{end} ends before it starts.'
        )
    return YearSpan(first, last)


def parse_timescale(text: str | None) -> YearSpan | None:
    """The years a printed timescale covers; None when nothing is printed.

    Raises TimescaleError for text that is not a timescale ("soon", "2027-25").
    """
    cleaned = " ".join((text or "").translate(_DASHES).replace(",", " ").split())
    if not cleaned:
        return None
    match = _PATTERN.match(cleaned)
    if match is None:
        raise TimescaleError(
            f'Cannot read the timescale "{text}": write it as printed, e.g. {EXAMPLES}.'
        )
    first = _period(match.group(1), match.group(2), text)
    if match.group(3) is None:
        return first
    second = _period(match.group(3), match.group(4), text)
    if second.year_from < first.year_from:
        raise TimescaleError(f'Cannot read the timescale "{text}": it ends before it starts.')
    return YearSpan(first.year_from, max(first.year_to, second.year_to))


_START_ONLY = re.compile(r"^(?:from|after|starting|beginning)\b", re.IGNORECASE)


def timescale_due(text: str | None) -> Due | None:
    """When a printed timescale says the work is due; None when nothing is printed or it
    gives only a start.

    Raises TimescaleError for text that is not a timescale (as `parse_timescale`)."""
    span = parse_timescale(text)
    if span is None:
        return None
    cleaned = " ".join((text or "").translate(_DASHES).replace(",", " ").split())
    match = _PATTERN.match(cleaned)
    start, end = match.group(3, 4) if match.group(3) else match.group(1, 2)
    if end is None:
        if match.group(3) is None and _START_ONLY.match(cleaned):
            return None
        dues = named_dues(cleaned)
        return dues[-1] if dues else year_end(span.year_to)
    if len(end) == 2 and int(end) == (int(start) + 1) % 100:
        return Due(datetime.date(int(start) + 1, 3, 31), DuePrecision.FINANCIAL_YEAR)
    return year_end(span.year_to)


def describe_span(span: YearSpan | None) -> str:
    """ "2025 to 2028", "2025" or "" for display and exports."""
    if span is None:
        return ""
    if span.year_from == span.year_to:
        return str(span.year_from)
    return f"{span.year_from} to {span.year_to}"
