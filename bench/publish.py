"""Time an editor's publish on the benchmark plan: start a draft (a copy of the live edition),
change one milestone, publish. Each step is timed and its SQL queries counted.

    DJANGO_SETTINGS_MODULE=... .venv/bin/python bench/publish.py OUT/publish.json

It changes the database (a new published version of one route map), so bench/run.sh runs it
after the load tests.
"""

import json
import os
import sys
import time
from pathlib import Path


class QueryCounter:
    """Counts the queries run through a connection (works with DEBUG off)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def time_publish() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from editing.services import (
        OrganisationChoice,
        edition_ensure_draft,
        milestone_update,
        route_map_publish,
    )
    from milestones.models import Milestone
    from routemap.models import RouteMap

    route_maps = list(RouteMap.objects.order_by("order", "title"))
    route_map = route_maps[len(route_maps) // 2]  # not the one the load test read
    user, _ = get_user_model().objects.get_or_create(username="bench-publisher")
    live = Milestone.objects.published().filter(outcome__edition__route_map=route_map)
    size = live.count()
    key = live.order_by("outcome__order", "year", "order").values_list("key", flat=True)[0]

    steps: list[dict] = []

    def step(name: str, action):
        counter = QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            result = action()
        steps.append(
            {
                "step": name,
                "seconds": round(time.perf_counter() - started, 3),
                "queries": counter.count,
            }
        )
        return result

    draft = step(
        "start a draft (copy the live edition)", lambda: edition_ensure_draft(route_map=route_map)
    )
    milestone = Milestone.objects.get(outcome__edition=draft, key=key)
    organisations = [
        OrganisationChoice(link.organisation, link.role)
        for link in milestone.organisation_links.select_related("organisation")
    ]
    step(
        "change one milestone's status",
        lambda: milestone_update(
            route_map=route_map,
            key=key,
            user=user,
            values={"status": "delayed", "progress_note": "Timed by the benchmark."},
            organisations=organisations,
            expected_revision=milestone.revision,
        ),
    )
    edition = step(
        "publish",
        lambda: route_map_publish(route_map=route_map, user=user, note="Benchmark publish."),
    )
    return {
        "route_map": route_map.slug,
        "milestones": size,
        "version": edition.number,
        "steps": steps,
        "total_seconds": round(sum(s["seconds"] for s in steps), 3),
        "total_queries": sum(s["queries"] for s in steps),
    }


def main() -> int:
    out = Path(sys.argv[1])
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    import django

    django.setup()
    result = time_publish()
    out.write_text(json.dumps(result, indent=2))
    for s in result["steps"]:
        print(f"  {s['step']:<40} {s['seconds']:>7.3f} s  {s['queries']:>5} queries")
    print(
        f"  {'total':<40} {result['total_seconds']:>7.3f} s  {result['total_queries']:>5} queries"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
