"""The day the test suite runs on, and a way to spend part of a test on another day."""

import datetime
import os
import zoneinfo

import time_machine

TEST_DAY = datetime.date(2026, 11, 30)
SITE_ZONE = zoneinfo.ZoneInfo("Europe/London")


def noon(day: datetime.date) -> datetime.datetime:
    """Noon on `day` in the site's time zone, given in UTC so that time-machine leaves the
    process time zone alone, and far enough from midnight that a run never crosses a day."""
    return datetime.datetime.combine(day, datetime.time(12), SITE_ZONE).astimezone(datetime.UTC)


def suite_day() -> datetime.date:
    """TEST_DAY, or the ISO date in the environment variable TEST_TODAY."""
    value = os.environ.get("TEST_TODAY", "").strip()
    return datetime.date.fromisoformat(value) if value else TEST_DAY


def on(day: datetime.date) -> time_machine.travel:
    """`with on(date(2026, 3, 1)):` runs the block at noon that day, with time passing."""
    return time_machine.travel(noon(day), tick=True)
