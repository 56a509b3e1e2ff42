"""Time the editors' CSV import with files of the largest size it accepts, on SQLite and on
PostgreSQL, each in a new database of its own that is deleted afterwards.

A route map with 6,000 published milestones (no draft yet, so applying also starts one) and
two files, each the costliest of its kind:

- "2 MB of changes": every existing milestone changed (status, and for some the year, text or
  responsible bodies), then new milestones until the file is 2 MB;
- "most rows": the most rows the import accepts (imports.MAX_ROWS), as short as rows can be,
  all new milestones.

Each file goes through the pages as an editor uses them (upload, preview page, apply), with
the functions behind them timed on their own too: reading the file (`import_preview`) and
writing it (`route_map_import_apply`, rolled back, before the real apply request).

    .venv/bin/python bench/import_apply.py [--postgres postgres://postgres@127.0.0.1:5432/]
                                           [--results bench/RESULTS.md] [--skip-postgres]

Writes its section of bench/RESULTS.md (between the "import-bench" markers; the rest of the
file is left alone) and prints the figures. Run as `make bench-import`.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from standalone import postgres_database, run_facts, run_measure, write_section  # bench/

ROOT = Path(__file__).resolve().parent.parent
EXISTING = 6000
OUTCOMES = 20
ORGANISATIONS = 60
SEED = 2430
BEGIN = "<!-- import-bench: written by bench/import_apply.py -->"
END = "<!-- /import-bench -->"
WORDS = [
    "publish", "agree", "deliver", "review", "test", "introduce", "evaluate", "fund", "extend",
    "embed", "guidance", "kinship", "carers", "foster", "families", "advocacy", "records",
    "training", "housing", "support", "children", "young", "people", "national", "framework",
    "standards", "plan", "local", "partnership", "assessment", "data",
]  # fmt: skip


# ---------------------------------------------------------------------------------- measuring


def _plan(rng: random.Random):
    """One published route map of EXISTING milestones, written in bulk."""
    from milestones.models import Milestone, MilestoneOrganisation
    from organisations.models import Organisation, Role
    from outcomes.models import Outcome, OutcomeOrganisation
    from routemap.models import Edition, Foundation, RouteMap

    foundation = Foundation.objects.create(slug="care", name="Care", order=1)
    route_map = RouteMap.objects.create(
        slug="where-children-live", title="Where children live", foundation=foundation, order=1
    )
    edition = Edition.objects.create(route_map=route_map, state=Edition.State.PUBLISHED, number=1)
    organisations = Organisation.objects.bulk_create(
        Organisation(slug=f"body-{n}", name=f"Body {n}", sector="other")
        for n in range(ORGANISATIONS)
    )
    outcomes = Outcome.objects.bulk_create(
        Outcome(edition=edition, order=n, slug=f"outcome-{n}", title=f"Outcome {n}", statement=".")
        for n in range(1, OUTCOMES + 1)
    )
    OutcomeOrganisation.objects.bulk_create(
        OutcomeOrganisation(outcome=o, organisation=org, role=Role.LEAD, order=1)
        for o, org in zip(outcomes, rng.sample(organisations, OUTCOMES), strict=True)
    )
    milestones = Milestone.objects.bulk_create(
        (
            Milestone(
                outcome=outcomes[n % OUTCOMES],
                year=2024 + n % 7,
                order=n // (OUTCOMES * 7) + 1,
                text=_text(rng),
                status="not_started",
            )
            for n in range(EXISTING)
        ),
        batch_size=1000,
    )
    MilestoneOrganisation.objects.bulk_create(
        (
            MilestoneOrganisation(milestone=m, organisation=org, role=Role.CONTRIBUTOR, order=1)
            for m in milestones[::2]
            for org in [rng.choice(organisations)]
        ),
        batch_size=1000,
    )
    return route_map, outcomes, organisations, milestones


def _text(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(5, 10))).capitalize() + "."


def _csv(rows: list[list[str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _changes_file(rng, outcomes, organisations, milestones, limit: int) -> str:
    """Every milestone changed, then new ones until the file is `limit` bytes."""
    header = ["milestone_id", "outcome_id", "year", "status", "text", "organisations"]
    rows = [header]
    for n, m in enumerate(milestones):
        year, text, bodies = m.year, m.text, ""
        if n % 4 == 1:
            year = 2024 + (m.year - 2023) % 7
        if n % 4 == 2:
            text = _text(rng)
        if n % 4 == 3:
            bodies = "; ".join(o.slug for o in rng.sample(organisations, 2))
        rows.append([str(m.key), str(m.outcome.key), str(year), "in_progress", text, bodies])
    text = _csv(rows)
    size = len(text.encode())
    while True:
        outcome = rng.choice(outcomes)
        row = _csv(
            [["", str(outcome.key), str(rng.randint(2024, 2030)), "not_started", _text(rng), ""]]
        )
        if size + len(row.encode()) > limit:
            return text
        text += row
        size += len(row.encode())


def _most_rows_file(outcomes, rows: int) -> str:
    lines = ["milestone_id,outcome,year,status,text"]
    lines += [f",{outcomes[n % len(outcomes)].slug},2030,achieved,x" for n in range(rows)]
    return "\n".join(lines) + "\n"


class _Rollback(Exception):
    pass


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _cpu_timed(action) -> tuple[float, float, object]:
    """Wall time and this process's CPU time: on a busy machine the second is the work done."""
    cpu, started = time.process_time(), time.perf_counter()
    result = action()
    return time.perf_counter() - started, time.process_time() - cpu, result


def _measure_file(client, route_map, name: str, text: str) -> dict:
    from django.db import transaction
    from django.urls import reverse

    from editing import imports
    from milestones.models import Milestone
    from publishing.models import ChangeRecord
    from routemap.models import Edition

    slug = route_map.slug
    data = text.encode()
    result = {"file": name, "bytes": len(data)}
    preview_s, preview_cpu_s, preview = _cpu_timed(
        lambda: imports.import_preview(route_map=route_map, text=imports.decode_upload(data))
    )
    assert not preview.errors, preview.errors[:3]
    result.update(
        rows=preview.rows,
        added=len(preview.added),
        changed=len(preview.changed),
        preview_s=preview_s,
        preview_cpu_s=preview_cpu_s,
    )

    def apply_then_undo():
        with transaction.atomic():
            imports.route_map_import_apply(route_map=route_map, user=None, preview=preview)
            raise _Rollback

    cpu, started = time.process_time(), time.perf_counter()
    try:
        apply_then_undo()
    except _Rollback:
        result["apply_s"] = time.perf_counter() - started
        result["apply_cpu_s"] = time.process_time() - cpu

    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(f"{name}.csv", data, content_type="text/csv")
    result["upload_request_s"], response = _timed(
        lambda: client.post(reverse("editing:import", args=[slug]), {"file": upload})
    )
    assert response.status_code == 302, response.status_code
    result["preview_request_s"], response = _timed(
        lambda: client.get(reverse("editing:import_preview", args=[slug]))
    )
    assert response.status_code == 200, response.status_code
    token = preview.fingerprint()
    result["apply_request_s"], response = _timed(
        lambda: client.post(reverse("editing:import_apply", args=[slug]), {"token": token})
    )
    assert response.status_code == 302, (response.status_code, response.content[:2000])
    draft = Edition.objects.get(route_map=route_map, state=Edition.State.DRAFT)
    result["draft_milestones"] = Milestone.objects.filter(outcome__edition=draft).count()
    result["change_records"] = ChangeRecord.objects.filter(route_map=route_map).count()
    draft.delete()  # the next file starts again from the published edition
    ChangeRecord.objects.all().delete()
    return result


def measure(out: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.roles import EDITORS
    from editing import imports

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    rng = random.Random(SEED)
    route_map, outcomes, organisations, milestones = _plan(rng)
    for m in milestones:  # the file names each milestone's outcome by key
        m.outcome = next(o for o in outcomes if o.pk == m.outcome_id)
    user = get_user_model().objects.create_user("bench-editor")
    user.groups.add(Group.objects.get_or_create(name=EDITORS)[0])
    route_map.editors.add(user)  # an editor edits only the route maps assigned to them
    client = Client()
    client.force_login(user)
    files = [
        (
            "2 MB of changes",
            _changes_file(rng, outcomes, organisations, milestones, imports.MAX_FILE_BYTES),
        ),
        ("most rows", _most_rows_file(outcomes, imports.MAX_ROWS)),
    ]
    results = [_measure_file(client, route_map, name, text) for name, text in files]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT 'PostgreSQL ' || current_setting('server_version')")
        else:
            cursor.execute("SELECT 'SQLite ' || sqlite_version()")
        version = cursor.fetchone()[0]
    out.write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "version": version.split(" (")[0],
                "debug": settings.DEBUG,
                "files": results,
            }
        )
    )


# ---------------------------------------------------------------------------------- running


def _section(runs: list[dict], started: str, code: str, load: str) -> str:
    from editing.imports import MAX_ROWS

    lines = [
        BEGIN,
        "## CSV import",
        "",
        f"Measured on {started} (code: {code}) by `make bench-import` (`bench/import_apply.py`); "
        f"load average at the start {load} on {os.cpu_count()} cores. A route map of "
        f"{EXISTING:,} published milestones in {OUTCOMES} outcomes, no draft yet (applying "
        "starts one), and two files: **2 MB of changes** (the size limit: every milestone "
        "changed, some moved to another year, renamed or given other bodies, then new "
        f"milestones up to 2 MB) and **most rows** ({MAX_ROWS:,} one-letter milestones, the "
        "most rows the import accepts). *Preview* is `import_preview` (reading and checking "
        "the file); *apply* is `route_map_import_apply` (all the writes, one transaction); "
        "rows/s is the file's rows over the apply time. The requests are the editor's pages "
        "through Django's test client with `DEBUG` off: the apply request checks the file "
        "again, then applies it. gunicorn's worker timeout is 30 s. *CPU of Django's "
        "process* is the CPU time the apply took in the Python process alone (the database "
        "server's work on PostgreSQL is not in it): on a shared, busy machine it is closer to "
        "what the apply costs than the wall time.",
        "",
        "| Database | File | Rows | Added / changed | Preview | Apply | Apply rows/s "
        "| Apply, CPU of Django's process | Upload request | Preview page | Apply request |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        for f in run["files"]:
            lines.append(
                f"| {run['version']} | {f['file']} ({f['bytes'] / 2**20:.2f} MiB) | {f['rows']:,} "
                f"| {f['added']:,} / {f['changed']:,} | {f['preview_s']:.2f} s "
                f"| {f['apply_s']:.2f} s | {f['rows'] / f['apply_s']:,.0f} "
                f"| {f['apply_cpu_s']:.2f} s ({f['rows'] / f['apply_cpu_s']:,.0f} rows/s) "
                f"| {f['upload_request_s']:.2f} s | {f['preview_request_s']:.2f} s "
                f"| {f['apply_request_s']:.2f} s |"
            )
    lines += [END]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/"),
        help="PostgreSQL server URL (a database of its own is created and dropped)",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.measure:
        measure(args.measure)
        return 0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    started, code, load = run_facts()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        print("SQLite ...", flush=True)
        runs.append(
            run_measure(__file__, f"sqlite:///{tmp}/bench.sqlite3", Path(tmp) / "sqlite.json")
        )
        if not args.skip_postgres:
            name = f"bench_import_{os.getpid()}"
            print(f"PostgreSQL (database {name}) ...", flush=True)
            with postgres_database(args.postgres, name) as url:
                runs.append(run_measure(__file__, url, Path(tmp) / "pg.json"))
    import django

    django.setup()
    section = _section(runs, started, code, load)
    print(section)
    write_section(args.results, section, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
