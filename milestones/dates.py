"""When a milestone is due, and how precisely its words say so.

Milestones belong to a plan year, but many say more precisely when: "April 2026: ...",
"February 9th 2026: ...", "By April 2027 at the latest", "November – December 2026: ...",
"Early 2026: ...", "This will be published early 2026". `read_due` finds such a phrase at the
start of the text, after "by" / "before" / "no later than" / "until" anywhere in it, or after
"will be <done> (in)" anywhere in it, and uses it only when it falls in the milestone's own
year: a date from another year is usually a past event the text mentions ("testing took place
in March 2025", "regulations published in early 2026" in a 2027 milestone). Where the text
names no date, a milestone is due by the end of its year (`milestone_due`).

The due date is always the LAST day of the period named, so nothing is called overdue while
the period it was promised for is still running:

- a day: that day ("9 February 2026"); a month: its last day ("April 2026" -> 30 April);
- a range: the end of the range ("November – December 2026" -> 31 December);
- a season, kept within the year: spring -> 31 May, summer -> 31 August, autumn -> 30 November,
  winter -> 31 December (winter 2026 runs into 2027, but a milestone of 2026 is due in 2026;
  31 December is the latest day that is still the milestone's year);
- part of a year: early -> 30 April, mid -> 31 August, late -> 31 December; "end of 2026" and
  a bare "2026" are the year itself (31 December, "Due by end of 2026");
- a financial year ("2026-27 financial year", "the last quarter of the 2026-27 financial
  year") -> 31 March at its end.

`parse_due` reads the same phrases typed by an editor ("9 February 2026", "April 2026",
"Autumn 2026", "late 2026", "2026", or 2026-02-09), and refuses anything else with a message
saying what it can read. `Due.label` is the one way a due date is written on the site.
"""

import calendar
import datetime
import re
from typing import NamedTuple

from django.db import models

from outcomes.dates import MONTHS, PART_ENDS, SEASON_ENDS


class DuePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    SEASON = "season", "Season"
    PART = "part", "Part of the year (early, mid or late)"
    FINANCIAL_YEAR = "financial_year", "Financial year"
    YEAR = "year", "Year"


# A season or part of the year by the month it ends in (SEASON_ENDS, PART_ENDS: outcomes.dates).
_SEASON_BY_MONTH = {month: name for name, (month, _) in SEASON_ENDS.items()}
_PART_BY_MONTH = {month: name for name, (month, _) in PART_ENDS.items()}
# Not strftime("%B"): that follows the process's locale.
MONTH_NAMES = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_PART_PHRASES = {"early": "early {year}", "mid": "mid-{year}", "late": "late {year}"}

EXAMPLES = "“9 February 2026”, “April 2026”, “autumn 2026”, “late 2026” or “2026”"


class DueDateError(ValueError):
    """Text that is not a date or period this module can read."""


class Due(NamedTuple):
    date: datetime.date
    precision: str

    @property
    def phrase(self) -> str:
        """The period as an editor would type it: "9 February 2026", "April 2026", "Autumn
        2026", "late 2026", "2026-27 financial year" or "2026"."""
        day, precision = self.date, self.precision
        if precision == DuePrecision.DAY:
            return f"{day.day} {MONTH_NAMES[day.month]} {day.year}"
        if precision == DuePrecision.MONTH:
            return f"{MONTH_NAMES[day.month]} {day.year}"
        if precision == DuePrecision.SEASON and day.month in _SEASON_BY_MONTH:
            return f"{_SEASON_BY_MONTH[day.month].capitalize()} {day.year}"
        if precision == DuePrecision.PART and day.month in _PART_BY_MONTH:
            return _PART_PHRASES[_PART_BY_MONTH[day.month]].format(year=day.year)
        if precision == DuePrecision.FINANCIAL_YEAR:
            return f"{day.year - 1}-{day.year % 100:02d} financial year"
        return str(day.year)

    @property
    def label(self) -> str:
        """ "Due 9 February 2026", "Due April 2026", "Due autumn 2026", "Due late 2026",
        "Due by end of financial year 2026-27", "Due by end of 2026"."""
        precision = self.precision
        if precision == DuePrecision.YEAR:
            return f"Due by end of {self.date.year}"
        if precision == DuePrecision.FINANCIAL_YEAR:
            return f"Due by end of financial year {self.date.year - 1}-{self.date.year % 100:02d}"
        phrase = self.phrase
        if precision == DuePrecision.SEASON:
            phrase = phrase[0].lower() + phrase[1:]
        return f"Due {phrase}"


def year_end(year: int) -> Due:
    """What a milestone with no stated date is due by: the end of its plan year."""
    return Due(datetime.date(year, 12, 31), DuePrecision.YEAR)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"(?:\d{1,2})(?:st|nd|rd|th)?"
# "9 February", "February 9th" or "February".
_DAY_MONTH = rf"(?:{_DAY}\s+)?{_MONTH}(?:\s+{_DAY}\b)?"
_SEASON = r"(?:spring|summer|autumn|winter)\b"
_PART = r"(?:early|mid|late)"
# What waits for the year that follows it: a month (or day), or a season; "late April" and
# "the end of June" are the month.
_ITEM = rf"(?:(?:{_PART}|(?:the\s+)?end\s+of)[\s-]+)?(?:{_DAY_MONTH}|{_SEASON})"
_RANGE = r"\s*(?:-|–|—|to|and)\s*"
_YEAR = r"(?:19|20)\d\d\b"
_FY = (
    r"(?:(?:the\s+)?end\s+of\s+)?(?:the\s+)?"
    r"(?:(?:last|final|fourth)\s+quarter\s+of\s+(?:the\s+)?)?"
    r"(?:(?:19|20)\d\d\s*[-/–]\s*\d\d\s+financial\s+year"
    r"|financial\s+year\s+(?:19|20)\d\d\s*[-/–]\s*\d\d\b)"
)
# "April 2026", "November – December 2026", "April 2026 – March 2027", "Autumn 2026",
# "early 2026", "mid-2026", "the 2026-27 financial year", "end of 2026", "2026".
_WHEN = (
    rf"(?:{_ITEM}(?:,?\s+{_YEAR})?(?:{_RANGE}{_ITEM})?,?\s+{_YEAR}"
    rf"(?:{_RANGE}{_ITEM},?\s+{_YEAR})?"
    rf"|{_FY}"
    rf"|{_PART}[\s-]+{_YEAR}"
    rf"|(?:the\s+)?end\s+of\s+{_YEAR}"
    rf"|{_YEAR}(?!\s*[-/–]\s*\d))"
)
_DEADLINE = r"(?:by|before|no later than|until)\s+(?:the\s+end\s+of\s+)?"
_LEADING = re.compile(rf"^\W*(?:{_DEADLINE})?(?P<when>{_WHEN})", re.IGNORECASE)
_STATED = re.compile(rf"\b{_DEADLINE}(?P<when>{_WHEN})", re.IGNORECASE)
# "This will be published early 2026", "will take place in April 2026".
_PROMISED = re.compile(
    rf"\bwill\s+(?:be\s+)?[a-z]+\s+(?:(?:in|during|by)\s+)?(?P<when>{_WHEN})", re.IGNORECASE
)
_TOKEN = re.compile(
    rf"(?P<fy_start>(?:19|20)\d\d)\s*[-/–]\s*(?P<fy_end>\d\d)\s+financial\s+year"
    rf"|financial\s+year\s+(?P<fy_start2>(?:19|20)\d\d)\s*[-/–]\s*(?P<fy_end2>\d\d)\b"
    rf"|(?P<part>{_PART})(?=[\s-]+{_YEAR})"
    rf"|(?P<season>{_SEASON})"
    rf"|(?:(?P<day_before>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<month>{_MONTH})"
    rf"(?:\s+(?P<day_after>\d{{1,2}})(?:st|nd|rd|th)?\b)?"
    rf"|(?P<year>{_YEAR})",
    re.IGNORECASE,
)


def _financial_year(start: str, end: str) -> Due:
    first = int(start)
    if int(end) != (first + 1) % 100:
        raise DueDateError(f"{start}-{end} is not a financial year: write it as “2026-27”.")
    return Due(datetime.date(first + 1, 3, 31), DuePrecision.FINANCIAL_YEAR)


def named_dues(when: str, *, strict: bool = False) -> list[Due]:
    """Each date or period named in a matched phrase, with the year that follows it. A day
    past the month's end is read as its last day, or refused when `strict`."""
    pending: list[tuple[str, object, int | None]] = []
    dues: list[Due] = []
    for token in _TOKEN.finditer(when):
        if token["fy_start"] or token["fy_start2"]:
            start = token["fy_start"] or token["fy_start2"]
            dues.append(_financial_year(start, token["fy_end"] or token["fy_end2"]))
        elif token["part"]:
            pending.append(("part", token["part"].lower(), None))
        elif token["season"]:
            pending.append(("season", token["season"].lower(), None))
        elif token["month"]:
            day = token["day_before"] or token["day_after"]
            month = MONTHS[token["month"][:3].lower()]
            pending.append(("month", month, int(day) if day else None))
        else:
            year = int(token["year"])
            if not pending:
                dues.append(year_end(year))
            for kind, value, day in pending:
                dues.append(_due(kind, value, day, year, strict=strict))
            pending = []
    return dues


def _due(kind: str, value, day: int | None, year: int, *, strict: bool) -> Due:
    if kind == "part":
        month, last = PART_ENDS[value]
        return Due(datetime.date(year, month, last), DuePrecision.PART)
    if kind == "season":
        month, last = SEASON_ENDS[value]
        return Due(datetime.date(year, month, last), DuePrecision.SEASON)
    last = calendar.monthrange(year, value)[1]
    if day is None:
        return Due(datetime.date(year, value, last), DuePrecision.MONTH)
    if not 1 <= day <= last:
        if strict:
            raise DueDateError(f"{MONTH_NAMES[value]} {year} has no day {day}: it has {last} days.")
        day = last
    return Due(datetime.date(year, value, day), DuePrecision.DAY)


def read_due(text: str, year: int) -> Due | None:
    """The date or period the text states for `year` (the last one, when it names a range or
    several), or None when it states none in that year."""
    for pattern in (_LEADING, _STATED, _PROMISED):
        for match in pattern.finditer(text or ""):
            try:
                in_year = [due for due in named_dues(match["when"]) if due.date.year == year]
            except DueDateError:
                continue
            if in_year:
                return in_year[-1]
    return None


def milestone_due(text: str, year: int) -> Due:
    """When a milestone is due: the date its text states in its year, else the year's end."""
    return read_due(text, year) or year_end(year)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_INTRODUCTION = re.compile(r"^(?:due\s+)?(?:by\s+)?(?:the\s+)?", re.IGNORECASE)
_WHOLE = re.compile(rf"^(?:{_WHEN})$", re.IGNORECASE)


def parse_due(text: str) -> Due | None:
    """A due date typed by an editor; None for blank text.

    Raises DueDateError, with a message for the editor, for anything else it cannot read."""
    cleaned = " ".join((text or "").replace(",", " ").split()).rstrip(".")
    if not cleaned:
        return None
    cleaned = _INTRODUCTION.sub("", cleaned, count=1)
    numeric = _ISO_DATE.match(cleaned) or _UK_DATE.match(cleaned)
    if numeric:
        parts = [int(part) for part in numeric.groups()]
        year, month, day = parts if numeric.re is _ISO_DATE else reversed(parts)
        try:
            return Due(datetime.date(year, month, day), DuePrecision.DAY)
        except ValueError:
            raise DueDateError(f"“{text.strip()}” is not a real date.") from None
    if _WHOLE.match(cleaned):
        dues = named_dues(cleaned, strict=True)
        if dues:
            return dues[-1]
    raise DueDateError(
        f"Cannot read “{text.strip()}” as a date. Write a day, month, season, part of a year "
        f"or year, for example {EXAMPLES}."
    )
