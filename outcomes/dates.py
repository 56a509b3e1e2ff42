"""The sort date of a progress entry: the last day of the period its printed date names.

A progress entry keeps its date as printed ("late 2024", "2025/26", "6th January 2022") in
`date_label`; its `date` is only for sorting. Taking the END of the stated period keeps each
date's precision in order: "June 2024" (30 June) sorts before "late 2024" (31 December), which
sorts before "2025" (31 December 2025), and nothing is placed earlier than its words allow.
A label that names no year ("3-7 November") gives no date: a default is not a fact.
"""

import calendar
import datetime
import re

# The plan's words for months and parts of a year, shared with milestones.dates (which reads
# a milestone's due date with them): a month's number, and the (month, day) each part ends on.
MONTHS = {
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
SEASON_ENDS = {"spring": (5, 31), "summer": (8, 31), "autumn": (11, 30), "winter": (12, 31)}
PART_ENDS = {"early": (4, 30), "mid": (8, 31), "late": (12, 31)}
_MONTH = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
# "2024", or a financial year "2025/26" (April 2025 to March 2026).
_YEAR = re.compile(r"\b(?P<year>(?:19|20)\d\d)(?:\s*/\s*(?P<next>\d\d)\b)?")
_DAY_AFTER = re.compile(r"\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?\b")
_DAY_BEFORE = re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*$")
# Parts of a year, as (month, day) of their last day, in the order they are looked for.
# "Winter" spans two years: no date (period_end checks it first).
_PARTS = [
    ("first half", (6, 30)),
    ("second half", (12, 31)),
    ("early", PART_ENDS["early"]),
    ("spring", SEASON_ENDS["spring"]),
    ("mid", PART_ENDS["mid"]),
    ("summer", SEASON_ENDS["summer"]),
    ("autumn", SEASON_ENDS["autumn"]),
    ("late", PART_ENDS["late"]),
    ("end", (12, 31)),
]


def period_end(label: str) -> datetime.date | None:
    """The last day of the period `label` states, or None when it names no year (or cannot
    be read: then an editor may still give a date by hand)."""
    text = " ".join(label.lower().replace("–", "-").replace("—", "-").split())
    years = list(_YEAR.finditer(text))
    if not years:
        return None
    last = years[-1]
    year = int(last["year"])
    if last["next"]:
        if int(last["next"]) != (year + 1) % 100:
            return None
        return datetime.date(year + 1, 3, 31)
    if "winter" in text:
        return None
    months = list(_MONTH.finditer(text))
    if months:
        found = months[-1]
        month = MONTHS[found.group()[:3]]
        last_day = calendar.monthrange(year, month)[1]
        day = _DAY_AFTER.match(text, found.end()) or _DAY_BEFORE.search(text[: found.start()])
        if day is None:
            return datetime.date(year, month, last_day)
        if not 1 <= int(day["day"]) <= last_day:
            return None
        return datetime.date(year, month, int(day["day"]))
    before = text[: last.start()]
    for words, (month, day) in _PARTS:
        if re.search(rf"\b{words}\b", before):
            return datetime.date(year, month, day)
    return datetime.date(year, 12, 31)
