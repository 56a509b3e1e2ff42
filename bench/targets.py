"""What bench/run.sh should load-test, read from the generated plan and this checkout's URLs.

Writes OUT/targets.tsv (name, path: one page a line, only pages whose URL exists here) and
OUT/plan.json (the plan's size, the slugs chosen and the database's version).

    DJANGO_SETTINGS_MODULE=... .venv/bin/python bench/targets.py OUT
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlencode


def _exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def choose_targets() -> tuple[list[tuple[str, str]], dict]:
    """(name, path) pairs for the public pages, and a description of the data behind them."""
    from django.db import connection
    from django.db.models import Count

    from milestones.models import Milestone
    from organisations.models import Organisation
    from routemap.models import RouteMap

    # Every route map is the same size; the first in plan order stands for all of them.
    route_map = RouteMap.objects.order_by("order", "title").first()
    if route_map is None:
        raise SystemExit("targets: no route maps: generate the plan first (bench/generate.py).")
    # The body named on the most milestones: the heaviest organisation page a reader can open.
    organisation = (
        Organisation.objects.annotate(named=Count("milestoneorganisation"))
        .order_by("-named", "name")
        .first()
    )
    year = 2027
    candidates = [
        ("home", "/"),
        ("route map", route_map.get_absolute_url()),
        ("organisation", organisation.get_absolute_url()),
        ("timeline", "/timeline/?" + urlencode({"organisation": organisation.slug, "year": year})),
        ("search", "/search/?" + urlencode({"q": "kinship"})),
        ("API route map", f"/api/route-maps/{route_map.slug}/"),
    ]
    targets = [(name, path) for name, path in candidates if _exists(path.split("?")[0])]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            database = connection.vendor
    plan = {
        "route_maps": RouteMap.objects.count(),
        "milestones": Milestone.objects.count(),
        "published_milestones": Milestone.objects.published().count(),
        "organisations": Organisation.objects.count(),
        "route_map": route_map.slug,
        "route_map_milestones": Milestone.objects.published()
        .filter(outcome__edition__route_map=route_map)
        .count(),
        "organisation": organisation.slug,
        "organisation_milestones": Milestone.objects.published()
        .for_organisation(organisation)
        .count(),
        "missing_pages": [name for name, _ in candidates if name not in dict(targets)],
        "database": database,
    }
    return targets, plan


def main() -> int:
    out = Path(sys.argv[1])
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    import django

    django.setup()
    targets, plan = choose_targets()
    out.mkdir(parents=True, exist_ok=True)
    (out / "targets.tsv").write_text("".join(f"{name}\t{path}\n" for name, path in targets))
    (out / "plan.json").write_text(json.dumps(plan, indent=2))
    for name, path in targets:
        print(f"  {name:<14} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
