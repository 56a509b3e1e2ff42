"""The date a milestone's own words give, for calendars.

Milestones belong to a plan year, but many say more precisely when: "April 2026: ...",
"By April 2027 at the latest", "November – December 2026: ...". `stated_date` reads such a
month (or day) at the start of the text, or after "by" / "no later than" anywhere in it,
and only when it falls in the milestone's own year: a month from another year is usually a
past event the text mentions ("testing took place in March 2025").
"""

import calendar
import datetime
import re

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"(?:\d{1,2})(?:st|nd|rd|th)?"
# "9 February", "February 9th" or "February".
_DAY_MONTH = rf"(?:{_DAY}\s+)?{_MONTH}(?:\s+{_DAY}\b)?"
_RANGE = r"\s*(?:-|–|—|to|and)\s*"
_YEAR = r"(?:19|20)\d\d\b"
# "April 2026", "November – December 2026", "April 2026 – March 2027".
_WHEN = (
    rf"{_DAY_MONTH}(?:,?\s+{_YEAR})?(?:{_RANGE}{_DAY_MONTH})?,?\s+{_YEAR}"
    rf"(?:{_RANGE}{_DAY_MONTH},?\s+{_YEAR})?"
)
_DEADLINE = r"(?:by|before|no later than|until)\s+(?:the\s+end\s+of\s+)?"
_LEADING = re.compile(
    rf"^\W*(?:{_DEADLINE})?(?:(?:early|mid|late|end(?:\s+of)?)[\s-]+)?(?P<when>{_WHEN})",
    re.IGNORECASE,
)
_STATED = re.compile(rf"\b{_DEADLINE}(?P<when>{_WHEN})", re.IGNORECASE)
_PART = re.compile(
    rf"(?:(?P<day_before>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<month>{_MONTH})"
    rf"(?:\s+(?P<day_after>\d{{1,2}})(?:st|nd|rd|th)?\b)?|(?P<year>{_YEAR})",
    re.IGNORECASE,
)


def _dates(when: str) -> list[datetime.date]:
    """Each month (or day) named in a matched phrase, with the year that follows it."""
    pending: list[tuple[int, int | None]] = []
    dates = []
    for part in _PART.finditer(when):
        if part["year"]:
            year = int(part["year"])
            for month, day in pending:
                last = calendar.monthrange(year, month)[1]
                day = day if day and day <= last else last
                dates.append(datetime.date(year, month, day))
            pending = []
        else:
            day = part["day_before"] or part["day_after"]
            pending.append((_MONTHS[part["month"][:3].lower()], int(day) if day else None))
    return dates


def stated_date(text: str, year: int) -> datetime.date | None:
    """The last day of the last month the text names in `year` (or the day, when it names
    one), or None when it states no month of that year."""
    for pattern in (_LEADING, _STATED):
        for match in pattern.finditer(text or ""):
            in_year = [d for d in _dates(match["when"]) if d.year == year]
            if in_year:
                return in_year[-1]
    return None
