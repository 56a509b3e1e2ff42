"""Small helpers shared by several test modules: the seed files copied so a test can break
them, and what the seed is known to hold."""

import re
import threading
from pathlib import Path

import yaml
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from seeding.routemaps import FIXTURES_DIR

# The outcomes of the seeded "Where children live" route map, in their order.
WHERE_CHILDREN_LIVE_OUTCOMES = [
    "Kinship care",
    "Adoption",
    "Foster care",
    "Residential care",
    "Secure care",
    "Unaccompanied asylum-seeking children",
    "Cross-border placements",
]


def copy_fixtures(tmp_path: Path) -> Path:
    """A copy of the seed's YAML files under `tmp_path`, for a test to change."""
    for path in FIXTURES_DIR.rglob("*.yaml"):
        target = tmp_path / path.relative_to(FIXTURES_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def edit_yaml(path: Path, change) -> Path:
    """Read the YAML file at `path`, let `change(data)` alter it in place, and write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def subscription_link(message, kind: str, *, site: str = "http://testserver") -> str:
    """The path of the `/subscriptions/<kind>/<token>/` link that `message` gives on `site`."""
    match = re.search(rf"{re.escape(site)}(/subscriptions/{kind}/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def page_text(html: str) -> str:
    """The page's words without tags, as a reader sees them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def milestone_item(response, milestone) -> str:
    """The milestone's item on the page, from its id to the end of its list item."""
    page = response.content.decode()
    start = page.index(f'id="milestone-{milestone.key}"')
    return page[start : page.index("</li>", start)]


def migrate_to_latest() -> None:
    """Migrate the test database forward to the latest migrations, after a test took it back."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def run_together(jobs) -> list[Exception]:
    """Run each job in a thread of its own, all let go at the same moment, each with its own
    database connection (closed when it ends); what the jobs raised, for the test to check."""
    barrier = threading.Barrier(len(jobs))
    errors: list[Exception] = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # collected and asserted on by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
