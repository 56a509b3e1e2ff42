#!/usr/bin/env bash
# Database outage drill: serve the site with gunicorn on PostgreSQL, keep requesting public
# pages and new searches, stop PostgreSQL part-way, then start it again. Passes when, during
# the outage, every request that needs the database (a new search) gets the friendly 503 page
# and no answer is a 500 or a traceback (cached pages may still be served), and, once the
# database is back, everything answers 200 again without restarting the app. Writes its
# section of bench/SOAK.md.
# Run as `make soak` (about a minute). It stops and restarts the local PostgreSQL cluster,
# so do not run it while anything else uses that server.
set -euo pipefail
source "$(dirname "$0")/common.sh"
REPORT=$ROOT/bench/SOAK.md
CLUSTER=$(ls /etc/postgresql | head -n 1)
BEFORE=${SOAK_BEFORE:-10}   # seconds of normal traffic
OUTAGE=${SOAK_OUTAGE:-15}   # seconds with the database stopped
AFTER=${SOAK_AFTER:-15}     # seconds after it is back
mkdir -p "$OUT"

export DATABASE_URL=${SOAK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/soak}
production_settings

pg_up() { pg_ctlcluster --skip-systemctl-redirect "$CLUSTER" main start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && return 0; sleep 1; done; return 1; }
pg_down() { pg_ctlcluster --skip-systemctl-redirect "$CLUSTER" main stop -m fast; }

pg_up
psql -h 127.0.0.1 -U postgres -lqtA | cut -d'|' -f1 | grep -qx soak \
  || createdb -h 127.0.0.1 -U postgres soak
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py createcachetable
"$PY" manage.py load_seed >/dev/null
"$PY" manage.py collectstatic --no-input -v0

PORT=$(free_port)
"$GUNICORN" --workers 2 --bind "127.0.0.1:$PORT" config.wsgi:application \
  >"$OUT/soak-gunicorn.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; pg_up >/dev/null' EXIT
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done

URLS=(/ /route-maps/where-children-live/ /organisations/cosla/ /timeline/?year=2027 /api/route-maps/where-children-live/)
LOG=$OUT/soak-requests.log
: >"$LOG"
probe() {  # phase seconds
  local phase=$1 end=$((SECONDS + $2)) i=0
  while [ $SECONDS -lt $end ]; do
    # Every third request is a search no one has made before: never cached, so it needs the
    # database. The others are pages the site has cached, which it may serve without it.
    if [ $((i % 3)) -eq 2 ]; then
      url="/search/?q=soak-$phase-$i" kind=new
    else
      url=${URLS[$((i % ${#URLS[@]}))]} kind=cached
    fi
    body=$OUT/soak-body.html
    code=$(curl -s -o "$body" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT$url" || echo 000)
    friendly=no
    grep -q "Sorry, the service is unavailable" "$body" 2>/dev/null && friendly=yes
    trace=no
    grep -qi "traceback\|OperationalError" "$body" 2>/dev/null && trace=yes
    echo "$phase $code $friendly $trace $kind $url" >>"$LOG"
    i=$((i + 1))
    sleep 0.1
  done
}
SECONDS=0
probe before "$BEFORE"
pg_down
probe outage "$OUTAGE"
pg_up
RECOVERED_AT=$SECONDS
probe after "$AFTER"
kill $SERVER; wait $SERVER 2>/dev/null || true

"$PY" - "$LOG" "$REPORT" "$RECOVERED_AT" <<'PYEOF'
import collections, datetime, pathlib, subprocess, sys
log, report, recovered_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [line.split() for line in open(log)]
counts = collections.defaultdict(collections.Counter)
for phase, code, friendly, trace, kind, url in rows:
    counts[phase][code] += 1
outage = [r for r in rows if r[0] == "outage"]
after = [r for r in rows if r[0] == "after"]
# During the outage: cached pages may still be served (200); anything that needs the
# database (a new search) gets the friendly 503 page; never a 500 or a traceback.
new_searches = [r for r in outage if r[4] == "new"]
ok_outage = (
    all(r[1] in ("503", "200") and r[3] == "no" for r in outage)
    and bool(new_searches)
    and all(r[1] == "503" and r[2] == "yes" for r in new_searches)
)
served_cached = sum(1 for r in outage if r[4] == "cached" and r[1] == "200")
first_ok = next((i for i, r in enumerate(after) if r[1] == "200"), None)
ok_after = first_ok is not None and all(r[1] == "200" for r in after[first_ok:])
ok_before = all(r[1] == "200" for r in rows if r[0] == "before")
passed = ok_before and ok_outage and ok_after
lines = [
    "<!-- soak:begin -->",
    "## Database outage",
    "",
    f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC with `make soak` (bench/soak.sh): "
    "gunicorn (2 workers, production settings) on PostgreSQL; PostgreSQL stopped with "
    "`pg_ctlcluster ... stop -m fast` during the run and started again; the app was not restarted.",
    "",
    "| phase | requests | answers |",
    "| --- | ---: | --- |",
]
for phase in ("before", "outage", "after"):
    answers = ", ".join(f"{code}: {n}" for code, n in sorted(counts[phase].items()))
    lines.append(f"| {phase} | {sum(counts[phase].values())} | {answers} |")
lines += [
    "",
    f"- During the outage every request that needed the database (a new search, {len(new_searches)} of them) got the friendly 503 page, and no answer was a 500 or a traceback: {'yes' if ok_outage else 'NO'}",
    f"- Cached pages still served during the outage: {served_cached} of {sum(1 for r in outage if r[4] == 'cached')}",
    f"- After PostgreSQL came back, requests until the first 200: {first_ok if first_ok is not None else 'never'}; all 200 from then on: {'yes' if ok_after else 'NO'}",
    f"- Result: **{'PASS' if passed else 'FAIL'}**",
    "<!-- soak:end -->",
]
# Its own section of the file: the two-server drill (bench/drill.py) writes another.
sys.path.insert(0, ".")
from bench.standalone import write_section
write_section(pathlib.Path(report), "\n".join(lines) + "\n", lines[0], lines[-1])
print("\n".join(lines))
sys.exit(0 if passed else 1)
PYEOF
