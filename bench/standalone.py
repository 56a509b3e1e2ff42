"""What the standalone benches (`make bench-import`, `make bench-edit`) share: measuring in a
child process on a database of its own, the facts about the run, and writing their own
section of bench/RESULTS.md between markers."""

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_measure(script: str, database_url: str, out: Path) -> dict:
    """Run `script --measure out` with DEBUG off on `database_url`; what it measured."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.development",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, str(Path(script).resolve()), "--measure", str(out)],
        env=env,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.read_text())


@contextlib.contextmanager
def postgres_database(server_url: str, name: str):
    """A PostgreSQL database of its own for one run, dropped afterwards; yields its URL."""
    import psycopg
    from psycopg import sql

    def execute(statement) -> None:
        with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as conn:
            conn.execute(statement)

    execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server_url.rstrip("/") + "/" + name
    finally:
        execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_facts() -> tuple[str, str, str]:
    """When the run started, which code it measured and the machine's load average then."""
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    code = (
        subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
        or "unknown"
    )
    if subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, cwd=ROOT,
    ).stdout.strip():  # fmt: skip
        code += " plus uncommitted changes"
    return started, code, load


def write_section(results: Path, section: str, begin: str, end: str) -> None:
    """Put `section` (which starts with `begin` and ends with `end`) in place of the one
    already between those markers, or at the end of the file."""
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    results.write_text(text)
