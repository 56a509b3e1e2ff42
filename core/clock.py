"""The one place the application asks what day and time it is.

Everything that depends on "today" (overdue milestones, the current year, open consultations,
export file names, cache keys of date-dependent pages) calls these functions rather than
`datetime.date.today()`, so the test suite can set the clock (time-machine) and nothing
depends on the real date. Days are in the site's time zone (settings.TIME_ZONE).
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """The current moment, timezone-aware."""
    return timezone.now()


def today() -> datetime.date:
    """Today's date in the site's time zone."""
    return timezone.localdate()
