"""Write bench/RESULTS.md from the raw output of bench/run.sh (bench/out/).

.venv/bin/python bench/report.py bench/out bench/RESULTS.md --command "make bench" ...
"""

import argparse
import csv
import json
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUSY_LOAD = 1.0


@dataclass
class Run:
    kind: str  # page, proxied, baseline, uncached, ceiling, nginx or gunicorn
    name: str
    path: str
    status: str
    size: int
    cache: str
    encoding: str  # as served: gzip or identity
    alone: float  # seconds for one request with nothing else running
    stats: dict | None  # wrk's figures, or None when the page was not load-tested

    @property
    def rps(self) -> float:
        if not self.stats or not self.stats["duration_us"]:
            return 0.0
        return self.stats["requests"] / (self.stats["duration_us"] / 1_000_000)

    @property
    def socket_errors(self) -> int:
        s = self.stats or {}
        return sum(s.get(f"errors_{kind}", 0) for kind in ("connect", "read", "write", "timeout"))


def parse_wrk(text: str) -> dict | None:
    """The JSON line bench/report.lua prints at the end of a wrk run."""
    match = re.search(r"^BENCH_JSON (\{.*\})$", text, re.MULTILINE)
    return json.loads(match.group(1)) if match else None


def read_runs(out: Path) -> list[Run]:
    runs = []
    with (out / "runs.tsv").open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            raw = ROOT / row["raw"]
            runs.append(
                Run(
                    kind=row["kind"],
                    name=row["name"],
                    path=row["path"],
                    status=row["status"],
                    size=int(row["bytes"] or 0),
                    cache=row["cache"],
                    encoding=row.get("encoding") or "identity",
                    alone=float(row["alone"] or 0),
                    stats=parse_wrk(raw.read_text()) if raw.exists() else None,
                )
            )
    return runs


def latency(us: float) -> str:
    if us >= 1_000_000:
        return f"{us / 1_000_000:.2f} s"
    return f"{us / 1000:.1f} ms"


def size(n: int, encoding: str = "identity") -> str:
    text = f"{n / 1024:.0f} KiB" if n >= 10_240 else f"{n:,} B"
    return text if encoding == "identity" else f"{text} ({encoding})"


def ratio(value: float, limit: float) -> str:
    if not limit:
        return "n/a"
    share = 100 * value / limit
    return f"{share:.1f} %" if share < 10 else f"{share:.0f} %"


def table(runs: list[Run], ceiling: float, nginx: dict[str, float]) -> list[str]:
    """nginx: its requests/s for the route map page in each encoding; each row is compared
    with nginx sending the same encoding."""
    lines = [
        "| Page | Requests/s | vs Django ceiling | vs nginx | p50 | p99 | Completed "
        "| HTTP errors (≥ 400) | Socket errors | One request alone | Response |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        if run.stats is None:
            lines.append(f"| {run.name} | not measured: HTTP {run.status} |" + " |" * 9)
            continue
        s = run.stats
        done = s["p50_us"] > 0  # no percentiles when every answer came after the timeout
        socket = str(run.socket_errors)
        if s["errors_timeout"]:
            plural = "s" if s["errors_timeout"] != 1 else ""
            socket += f" ({s['errors_timeout']} timeout{plural})"
        lines.append(
            f"| {run.name} | {run.rps:,.1f} | {ratio(run.rps, ceiling)} "
            f"| {ratio(run.rps, nginx.get(run.encoding, 0.0))} "
            f"| {latency(s['p50_us']) if done else '—'} | {latency(s['p99_us']) if done else '—'} "
            f"| {s['requests']:,} | {s['errors_status']} | {socket} "
            f"| {latency(run.alone * 1_000_000)} | {size(run.size, run.encoding)} |"
        )
    return lines


def targets(pages: list[Run], ceiling: float, publish: dict | None) -> list[str]:
    """The issue's targets for the route map page and for publishing, met or not."""
    rows = []
    for run in pages:
        if not run.name.startswith("route map") or run.stats is None or not ceiling:
            continue
        share = run.rps / ceiling
        p99 = run.stats["p99_us"] / 1000
        errors = run.stats["errors_status"] + run.socket_errors
        rows.append(
            f"| {run.name} ({run.encoding}) | {share:.2f}x {'met' if share >= 0.7 else 'NOT met'} "
            f"| {p99:.0f} ms {'met' if 0 < p99 < 100 else 'NOT met'} "
            f"| {errors} {'met' if errors == 0 else 'NOT met'} |"
        )
    lines = [
        "",
        "## Targets",
        "",
        "For the route map page on 2 cores: at least 0.7x the Django ceiling, p99 under "
        "100 ms at 50 connections, and no error under load.",
        "",
        "| Route map page | vs Django ceiling | p99 | errors |",
        "| --- | ---: | ---: | ---: |",
        *rows,
    ]
    if publish:
        seconds = next(
            (step["seconds"] for step in publish["steps"] if step["step"] == "publish"), 0.0
        )
        verdict = "met" if seconds < 1 else "NOT met"
        lines += [
            "",
            f"Publishing a route map at 100x data: {seconds:.3f} s (under 1 s: {verdict}).",
        ]
    return lines


def comparison(pages: list[Run], proxied: list[Run], baseline: list[Run], commit: str):
    """The cached pages now, gunicorn alone and behind nginx, against the baseline commit's
    code on the same run. The rule: code of the site's own in place of a standard part is
    kept only where the standard arrangement is more than 20 % slower."""
    now = {r.name: r for r in pages}
    behind = {r.name: r for r in proxied}
    lines = [
        "",
        "## Before and after: the standard arrangement against the home-made cache",
        "",
        f"The same pages served by the code of commit `{commit}` (its own page cache: a "
        "per-worker memory store with its own gzip and conditional GETs, a LISTEN/NOTIFY "
        "listener and a WSGI layer answering cached pages before Django), on the same data, "
        "the same gunicorn setup and in the same run. *Now* is this code: Django's cache "
        "framework (the database cache, with each process's pages in its local-memory cache), "
        "GZipMiddleware and ConditionalGetMiddleware, and the LISTEN/NOTIFY listener kept "
        "from the baseline. "
        "*Change* compares *now, gunicorn alone* with the baseline; the rule is that "
        "home-made code may stay only where the standard arrangement is more than 20 % "
        "slower.",
        "",
        "| Page | Baseline requests/s | Now, gunicorn alone | Change | Now, behind nginx "
        "| Behind nginx vs baseline | Baseline p99 | Now p99 (alone / nginx) "
        "| Within 20 % (alone / nginx) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]

    def change(run: Run | None, old: Run) -> str:
        if run is None or run.stats is None or not old.rps:
            return "n/a"
        return f"{100 * (run.rps - old.rps) / old.rps:+.0f} %"

    def p99(run: Run | None) -> str:
        return latency(run.stats["p99_us"]) if run and run.stats else "n/a"

    def within(run: Run | None, old: Run) -> str:
        if run is None or run.stats is None:
            return "n/a"
        return "yes" if run.rps >= 0.8 * old.rps else "NO"

    for old in baseline:
        new, proxy = now.get(old.name), behind.get(old.name)
        if old.stats is None or new is None or new.stats is None:
            continue
        lines.append(
            f"| {old.name} | {old.rps:,.1f} | {new.rps:,.1f} | {change(new, old)} "
            f"| {proxy.rps if proxy and proxy.stats else 0:,.1f} | {change(proxy, old)} "
            f"| {p99(old)} | {p99(new)} / {p99(proxy)} "
            f"| {within(new, old)} / {within(proxy, old)} |"
        )
    return lines


def command_output(*args: str) -> str:
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (result.stdout or result.stderr).rstrip()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions() -> dict[str, str]:
    import django
    import gunicorn

    wrk = command_output("wrk", "-v").splitlines()
    nginx = command_output(os.environ.get("NGINX", "nginx"), "-v")
    return {
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": wrk[0].split(" [")[0] if wrk else "unknown",
        "nginx": nginx.split("/")[-1] if "/" in nginx else nginx,
    }


def render(args) -> str:
    out = Path(args.out)
    runs = read_runs(out)
    plan = json.loads((out / "plan.json").read_text())
    publish_file = out / "publish.json"
    publish = json.loads(publish_file.read_text()) if publish_file.exists() else None
    ceiling = next((r.rps for r in runs if r.kind == "ceiling"), 0.0)
    nginx = {r.encoding: r.rps for r in runs if r.kind == "nginx"}
    pages = [r for r in runs if r.kind == "page"]
    proxied = [r for r in runs if r.kind == "proxied"]
    baseline = [r for r in runs if r.kind == "baseline"]
    uncached = [r for r in runs if r.kind == "uncached"]
    limits = [r for r in runs if r.kind in ("ceiling", "nginx", "gunicorn")]
    load_start = float(args.load_start)
    cached = any(r.cache != "-" for r in pages)
    ceiling_size = next((r.size for r in runs if r.kind == "ceiling"), 0)
    memory = command_output("free", "-h")
    v = versions()

    lines = [
        "# Benchmark results",
        "",
        f"Measured on {args.started} (code: {args.code}) by `{args.command}` "
        f"({args.elapsed} s in all), with "
        f"`{args.settings}`. Every page was requested by `{args.wrk}`: "
        "requests per second over the run, latency percentiles at that concurrency, and "
        "errors. Re-run it to measure your own machine; it replaces this file.",
        "",
    ]
    if load_start > BUSY_LOAD:
        lines += [
            f"> **Measured while other work was running on this machine** (load average "
            f"{load_start:.2f} at the start, on {command_output('nproc')} cores). The "
            "figures are lower and noisier than an idle machine would give; compare pages "
            "with each other and with the limits, measured in the same conditions, "
            "rather than with other runs.",
            "",
        ]
    lines += [
        "## Data",
        "",
        f"A generated plan (`bench/generate.py --scale {args.scale}`, fixed seed): "
        f"**{plan['route_maps']} route maps, {plan['milestones']:,} milestones, "
        f"{plan['organisations']} organisations**, each route map with one published edition "
        f"({plan['route_map_milestones']:,} milestones per route map). The organisation page "
        f"and timeline use the body named on the most milestones (`{plan['organisation']}`, "
        f"responsible for {plan['organisation_milestones']:,} published milestones). "
        f"Database: {plan['database']} on the same machine.",
        "",
    ]
    lines += ["Pages requested:", ""]
    lines += [f"- {run.name}: `{run.path}`" for run in pages]
    lines.append("")
    if plan["missing_pages"]:
        lines += [
            "Not measured, because this checkout has no such URL yet: "
            + ", ".join(plan["missing_pages"])
            + ".",
            "",
        ]
    lines += [
        "## Public pages",
        "",
        f"Served by gunicorn ({args.workers} sync workers, `config.settings.production`, "
        "plain HTTP on 127.0.0.1), a freshly started server for each page. *Requests/s*, "
        "*p50* and *p99* are wrk's over the run; *Completed* counts the answers received "
        "within it; *One request alone* is the median time of a single request with nothing "
        "else running (curl, before the load test). Each page is requested with "
        "`Accept-Encoding: gzip`, as browsers ask, so *Response* is the size sent; the route "
        "map page is requested once more without it. nginx serves the route map page's HTML, "
        "so *vs nginx* compares every page with that one file, in the same encoding.",
        "",
    ]
    if cached:
        lines += [
            "The site caches public pages until the next publish (`X-Cache` header). This "
            "first table is what a reader gets once a page is cached; the next one renders "
            "the page on every request, as on a cache miss.",
            "",
        ]
    lines += table(pages, ceiling, nginx)
    if proxied:
        lines += [
            "",
            "### Behind nginx",
            "",
            "The production arrangement: nginx configured as `deploy/nginx.conf` (only its "
            "addresses changed, and as many worker processes as gunicorn has) in front of the "
            "same gunicorn. nginx keeps readers' connections open (keep-alive) and buffers "
            "answers, so a worker is free as soon as it has handed the page over; it caches "
            "no pages itself.",
            "",
        ]
        lines += table(proxied, ceiling, nginx)
    if uncached:
        lines += [
            "",
            "### Rendered on every request",
            "",
            "The same pages with a session cookie, which the page cache skips, so each request "
            "runs the view, its queries and its template.",
            "",
        ]
        lines += table(uncached, ceiling, nginx)
    lines += [
        "",
        "## The limits",
        "",
        "- **Django ceiling**: `bench/ceiling.py`, a Django view returning a fixed "
        f"{ceiling_size}-byte response with no middleware or database, on the same gunicorn "
        "setup. No page that Django renders or answers from gunicorn alone can beat it, "
        "cached ones included (the page cache is middleware inside Django).",
        "- **nginx static**: the route map page's HTML saved to a file and served by nginx "
        f"({v['nginx']}, same number of worker processes, keep-alive on, which gunicorn's "
        "sync workers do not offer) on loopback: the machine's physical limit for that page. "
        "With `gzip_static` and the file compressed beside it, so a request asking for gzip "
        "gets compressed bytes as from the site.",
        "- **gunicorn static**: the same file answered by a WSGI application without Django "
        "(`bench/rawpage.py`) on the same gunicorn setup: the most gunicorn's sync workers can "
        "send of that page, whatever the code behind them.",
        "",
    ]
    lines += table(limits, ceiling, nginx)
    if baseline:
        lines += comparison(pages, proxied, baseline, args.baseline)
    lines += targets(pages, ceiling, publish)
    if publish:
        lines += [
            "",
            "## Publishing a route map",
            "",
            f"One editor's publish on the big plan (`bench/publish.py`): route map "
            f"`{publish['route_map']}` ({publish['milestones']:,} milestones; the real "
            '"Where children live" route map has about 110) becomes version '
            f"{publish['version']}. Times include every query and, for the publish, the work "
            "run after it commits (cache invalidation, subscriber emails).",
            "",
            "| Step | Time | SQL queries |",
            "| --- | ---: | ---: |",
        ]
        for step in publish["steps"]:
            lines.append(f"| {step['step']} | {step['seconds']:.3f} s | {step['queries']} |")
        lines.append(
            f"| **total** | **{publish['total_seconds']:.3f} s** | **{publish['total_queries']}** |"
        )
    lines += [
        "",
        "## Machine",
        "",
        f"- CPU: {cpu_model()}, {command_output('nproc')} cores (`nproc`)",
        f"- Load average at the start: {load_start:.2f}",
        f"- {plan['database']}; Python {v['Python']}; Django {v['Django']}; "
        f"gunicorn {v['gunicorn']}; {v['wrk']}; nginx {v['nginx']}",
        f"- Kernel: {platform.system()} {platform.release()}",
        "- Memory (`free -h`):",
        "",
        "```",
        memory,
        "```",
        "",
        "wrk, gunicorn, PostgreSQL and nginx all share these cores, so absolute figures are "
        "pessimistic next to a server with the database elsewhere; the ratios are the point. "
        "An answer slower than the wrk timeout counts as a socket error (timeout) and is left "
        "out of the latency percentiles (— where no answer came in time). Raw wrk output "
        "of the last run is in `bench/out/` (not kept in git).",
        "",
    ]
    return "\n".join(lines)


IMPORT_BEGIN = "<!-- import-bench: written by bench/import_apply.py -->"
IMPORT_END = "<!-- /import-bench -->"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("results")
    parser.add_argument("--command", required=True)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--scale", required=True)
    parser.add_argument("--workers", required=True)
    parser.add_argument("--wrk", required=True)
    parser.add_argument("--load-start", required=True)
    parser.add_argument("--started", required=True)
    parser.add_argument("--code", required=True, help="the commit measured")
    parser.add_argument("--elapsed", required=True)
    parser.add_argument("--baseline", default="", help="the commit compared with, if any")
    args = parser.parse_args()
    results = Path(args.results)
    text = render(args)
    old = results.read_text() if results.exists() else ""
    if IMPORT_BEGIN in old and IMPORT_END in old:
        # The CSV import's figures come from bench/import_apply.py: keep them.
        kept = IMPORT_BEGIN + old.split(IMPORT_BEGIN, 1)[1].split(IMPORT_END, 1)[0] + IMPORT_END
        text = text.rstrip("\n") + "\n\n" + kept + "\n"
    results.write_text(text)
    print(Path(args.results).read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
