"""One clock: the application asks `core.clock` what day it is, and the suite sets it."""

import ast
import datetime
import os
from pathlib import Path

import pytest

from core import clock as site_clock
from tests.days import suite_day

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "venv", ".git", "migrations", "tests", "bench", "static", "node_modules"}
CLOCK_MODULE = ROOT / "core" / "clock.py"

# Reading the real clock: `date.today()`, `datetime.now()`, `timezone.now()` (called or passed as
# a default), and `timezone.localdate()` / `localtime()` without a value to convert.
CLOCK_READS = {"today", "now", "utcnow"}
CLOCK_OWNERS = {"date", "datetime", "timezone"}
LOCAL_CONVERTERS = {"localdate", "localtime"}


def _owner(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _reads_real_clock(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in CLOCK_READS and _owner(node.value) in CLOCK_OWNERS
    if isinstance(node, ast.Call):
        return not node.args and not node.keywords and _owner(node.func) in LOCAL_CONVERTERS
    if isinstance(node, ast.ImportFrom) and node.module == "django.utils.timezone":
        return bool({alias.name for alias in node.names} & (CLOCK_READS | LOCAL_CONVERTERS))
    return False


def real_clock_reads(source: str) -> list[int]:
    """Line numbers where `source` reads the real clock instead of `core.clock`."""
    return sorted({node.lineno for node in ast.walk(ast.parse(source)) if _reads_real_clock(node)})


def application_modules():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        for name in files:
            path = Path(folder) / name
            if name.endswith(".py") and path != CLOCK_MODULE:
                yield path


@pytest.mark.parametrize(
    "source",
    [
        "import datetime\ndatetime.date.today()",
        "from datetime import date\ndate.today()",
        "import datetime\ndatetime.datetime.now()",
        "from django.utils import timezone\ntimezone.now()",
        "from django.utils import timezone\ntimezone.localdate()",
        "from django.utils import timezone\nfield = Field(default=timezone.now)",
        "from django.utils.timezone import now",
    ],
)
def test_the_guard_spots_a_real_clock_read(source):
    assert real_clock_reads(source)


@pytest.mark.parametrize(
    "source",
    [
        "from core import clock\nclock.today()\nclock.now()",
        "from django.utils import timezone\ntimezone.localdate(edition.published_at)",
        "today = today or clock.today()",
    ],
)
def test_the_guard_lets_the_one_clock_through(source):
    assert not real_clock_reads(source)


def test_application_code_asks_the_one_clock_what_day_it_is():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in application_modules()
        for line in real_clock_reads(path.read_text())
    ]
    assert offenders == [], "Use core.clock.today() / now() instead: " + ", ".join(offenders)


def test_the_scan_covers_the_apps():
    scanned = {path.relative_to(ROOT).parts[0] for path in application_modules()}
    assert {
        "core",
        "public",
        "routemap",
        "milestones",
        "sources",
        "partners",
        "subscriptions",
    } <= scanned


def test_the_suite_runs_on_its_set_day_with_time_still_passing():
    assert site_clock.today() == suite_day()
    before = site_clock.now()
    later = site_clock.now()
    assert later > before


def test_a_test_can_move_the_clock(clock):
    clock.move_to(datetime.date(2027, 1, 4))
    assert clock.today() == datetime.date(2027, 1, 4)
    clock.shift(datetime.timedelta(days=361))
    assert clock.today() == datetime.date(2027, 12, 31)
