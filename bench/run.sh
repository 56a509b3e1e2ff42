#!/usr/bin/env bash
# Load-test the public pages on a large generated plan (24,500 milestones) on PostgreSQL,
# next to limits measured in the same run: the framework's ceiling (a minimal Django view,
# same gunicorn setup), the physical limit (the route map page as a static file served by
# nginx) and gunicorn's own (that file from a WSGI application without Django). Pages are
# requested with Accept-Encoding: gzip, as browsers ask; the route map page once more
# without. Each page is measured twice: gunicorn alone, and behind nginx configured as
# deploy/nginx.conf (the production arrangement). Also times one publish. Writes
# bench/RESULTS.md; raw output goes to bench/out/. Run as `make bench`; it takes about nine
# minutes on a 2-core machine.
#
# BENCH_BASELINE=<git commit> also measures that commit's code on the same data and server
# setup (home, route map and timeline, cached, gunicorn alone), for a before-and-after table.
#
# Settings (environment): DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench),
# BENCH_SCALE (1), BENCH_DURATION (15s), BENCH_CONNECTIONS (50), BENCH_THREADS (2),
# BENCH_WORKERS (2 gunicorn workers), BENCH_TIMEOUT (10s). The plan in the database is
# replaced on every run; a database not named "bench" is only replaced with BENCH_RESET=1.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RESULTS=$ROOT/bench/RESULTS.md

SCALE=${BENCH_SCALE:-1}
DURATION=${BENCH_DURATION:-15s}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
THREADS=${BENCH_THREADS:-2}
WORKERS=${BENCH_WORKERS:-2}
TIMEOUT=${BENCH_TIMEOUT:-10s}
WARMUP=2s
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench}

LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
STARTED_AT=$(date -u +"%Y-%m-%d %H:%M UTC")
CODE=$(git rev-parse --short HEAD 2>/dev/null || echo "unknown")
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  CODE="$CODE plus uncommitted changes"
fi
SECONDS=0

log() { printf '\n== %s\n' "$*"; }
fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------------ tools from Debian
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  log "Installing ${missing[*]} from Debian"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packaged nginx service from starting: only the one configured below runs.
  policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  $SUDO apt-get update -qq
  if ! $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; then
    # Newer Debian releases have no nginx-light.
    $SUDO apt-get install -y -qq "${missing[@]/nginx-light/nginx}" >/dev/null
  fi
  [ "$policy_added" -eq 0 ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$PY" ] || fail "no virtualenv: run 'make bench' (it installs the dev dependencies)."

# ------------------------------------------------------------------ PostgreSQL
read -r DB_HOST DB_PORT DB_USER DB_NAME DB_ENGINE < <("$PY" -c '
import os, dj_database_url
c = dj_database_url.parse(os.environ["DATABASE_URL"])
print(c["HOST"] or "127.0.0.1", c["PORT"] or 5432, c["USER"] or "postgres", c["NAME"], c["ENGINE"])
')
[[ $DB_ENGINE == *postgresql* ]] || fail "DATABASE_URL must point at PostgreSQL (got $DB_ENGINE)."
if ! pg_isready -q -h "$DB_HOST" -p "$DB_PORT"; then
  log "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h "$DB_HOST" -p "$DB_PORT" && break; sleep 1; done
fi
if ! psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -lqtA | cut -d'|' -f1 | grep -qx "$DB_NAME"; then
  log "Creating database $DB_NAME"
  createdb -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$DB_NAME"
fi
RESET=()
if [ "$DB_NAME" = bench ] || [ "${BENCH_RESET:-0}" = 1 ]; then RESET=(--reset); fi

production_settings  # wrk connects straight to gunicorn
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export LOG_LEVEL=WARNING

rm -rf "$OUT"
mkdir -p "$OUT/wrk"
log "Migrating $DB_NAME"
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py createcachetable
log "Generating the plan (scale $SCALE)"
"$PY" bench/generate.py --scale "$SCALE" "${RESET[@]}"
log "Collecting static files"
"$PY" manage.py collectstatic --no-input -v0
log "Pages to load-test"
"$PY" bench/targets.py "$OUT"

# ------------------------------------------------------------------ servers
# Each measurement gets a freshly started server: a slow page leaves many requests queued
# when wrk stops, and the old server would go on working through them during the next one.
PIDS=()
NGINX_DIR=$(mktemp -d /tmp/bench-nginx.XXXXXX)
BASELINE_DIR=""
UPSTREAM_PID=""
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$NGINX_DIR"
  [ -z "$BASELINE_DIR" ] || rm -rf "$BASELINE_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_until_up() {
  for _ in $(seq 1 150); do
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server for $BASE exited (see bench/out/)"
    if curl -s -o /dev/null --max-time 5 "$BASE/"; then return 0; fi
    sleep 0.2
  done
  fail "$BASE did not answer within 30 s"
}

stop_server() {
  local kept=() pid
  for pid in "$SERVER_PID" $UPSTREAM_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    [ "$pid" = "$SERVER_PID" ] || [ "$pid" = "$UPSTREAM_PID" ] || kept+=("$pid")
  done
  PIDS=("${kept[@]}")
  UPSTREAM_PID=""
}

serving() {  # port: the server just started in the background, once it answers there
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  BASE=http://127.0.0.1:$1
  wait_until_up
}

gunicorn_server() {  # log-name app [env...]: sets SERVER_PID and BASE
  local name=$1 app=$2 port
  shift 2
  port=$(free_port)
  env "$@" "$GUNICORN" --workers "$WORKERS" --bind "127.0.0.1:$port" --graceful-timeout 2 \
    --error-logfile "$OUT/$name.log" --log-level warning "$app" &
  serving "$port"
}
# The site with production's gunicorn settings (deploy/gunicorn.conf.py); the command line
# sets the workers and address for the bench.
site_server() {
  gunicorn_server site config.wsgi:application \
    "GUNICORN_CMD_ARGS=--config $ROOT/deploy/gunicorn.conf.py"
}
# The site behind nginx configured as in production (deploy/nginx.conf, only its addresses
# changed): nginx's address is BASE; gunicorn behind it is stopped with it.
proxied_server() {
  local upstream port
  site_server
  UPSTREAM_PID=$SERVER_PID
  upstream=${BASE#http://}
  port=$(free_port)
  sed -e "s|server 127.0.0.1:8000;|server $upstream;|" \
    -e "s|listen 80;|listen 127.0.0.1:$port;|" \
    -e "s|/srv/routemap/staticfiles/|$ROOT/staticfiles/|" \
    "$ROOT/deploy/nginx.conf" >"$NGINX_DIR/site.conf"
  nginx_start proxy "$port" <<EOF
    include /etc/nginx/mime.types;
    include $NGINX_DIR/site.conf;
EOF
}
# Another commit's code (BENCH_BASELINE), from a copy of its files, on the same setup.
# Its settings and WSGI module live where that commit kept them (routemap/ before config/).
baseline_package() { if [ -d "$BASELINE_DIR/config/settings" ]; then echo config; else echo routemap; fi; }
baseline_server() {
  gunicorn_server baseline "$(baseline_package).wsgi:application" \
    "GUNICORN_CMD_ARGS=--chdir $BASELINE_DIR" \
    "DJANGO_SETTINGS_MODULE=$(baseline_package).settings.production"
}
ceiling_server() { gunicorn_server ceiling bench.ceiling:application -u DJANGO_SETTINGS_MODULE; }
raw_page_server() {
  gunicorn_server rawpage bench.rawpage:application -u DJANGO_SETTINGS_MODULE \
    "BENCH_PAGE=$NGINX_DIR/www/page.html"
}
# nginx in the foreground, configured as NGINX_DIR/<name>.conf: what every nginx here shares,
# then the lines given on standard input, inside its http block. Sets SERVER_PID and BASE.
nginx_start() {  # name port <http-lines
  local name=$1 port=$2
  mkdir -p "$NGINX_DIR/tmp"
  {
    cat <<EOF
worker_processes $WORKERS;
pid $NGINX_DIR/$name.pid;
error_log $NGINX_DIR/$name-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $NGINX_DIR/tmp/body;
    proxy_temp_path $NGINX_DIR/tmp/proxy;
    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
    scgi_temp_path $NGINX_DIR/tmp/scgi;
EOF
    cat
    echo "}"
  } >"$NGINX_DIR/$name.conf"
  "$NGINX" -e "$NGINX_DIR/$name-error.log" -p "$NGINX_DIR" -c "$NGINX_DIR/$name.conf" \
    -g 'daemon off;' &
  serving "$port"
}
# The route map page's HTML as a static file (NGINX_DIR/www/page.html).
nginx_server() {
  local port
  port=$(free_port)
  nginx_start nginx "$port" <<EOF
    default_type text/html;
    server {
        listen 127.0.0.1:$port;
        root $NGINX_DIR/www;
        # page.html.gz beside it: a browser asking for gzip gets the same bytes as from the site.
        gzip_static on;
        location / { try_files /page.html =404; }
    }
EOF
}

# ------------------------------------------------------------------ measuring
WRK=(wrk "-t$THREADS" "-c$CONNECTIONS" "-d$DURATION" --latency --timeout "$TIMEOUT" -s bench/report.lua)
printf 'kind\tname\tpath\tstatus\tbytes\tcache\tencoding\talone\traw\n' >"$OUT/runs.tsv"

measure() {  # kind name server path [header]: time it alone, warm up, then load-test
  local kind=$1 name=$2 server=$3 path=$4 header=${5:-}
  local raw
  raw="$OUT/wrk/$(printf '%02d' "$(wc -l <"$OUT/runs.tsv")")-${kind}-${name// /-}"
  local common=(-s --max-time 60) wrk_args=()
  if [ -n "$header" ]; then common+=(-H "$header"); wrk_args+=(-H "$header"); fi
  local quiet=("${common[@]}" -o /dev/null) probe=("${common[@]}" -o "$raw.html" -D "$raw.headers")
  "$server"
  curl "${quiet[@]}" "$BASE$path" || true  # the first answer may fill a cache
  # One request at a time: the median of three (one if it takes over 2 s) is the page's
  # time with no queue.
  local status=000 bytes=0 seconds times=()
  for _ in 1 2 3; do
    read -r status bytes seconds < <(curl "${probe[@]}" \
      -w '%{http_code} %{size_download} %{time_total}\n' "$BASE$path" || echo "000 0 0")
    times+=("$seconds")
    if awk -v t="$seconds" 'BEGIN { exit !(t > 2) }'; then break; fi
  done
  local alone cache encoding
  alone=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((${#times[@]} + 1) / 2))p")
  cache=$(grep -i '^x-cache:' "$raw.headers" | tr -d '\r' | cut -d' ' -f2 || true)
  encoding=$(grep -i '^content-encoding:' "$raw.headers" | tr -d '\r' | cut -d' ' -f2 || true)
  printf '%-9s %-14s %s -> HTTP %s, %s bytes, %s s alone%s\n' "$kind" "$name" "$path" \
    "$status" "$bytes" "$alone" "${cache:+, X-Cache: $cache}"
  if [ "$status" = 200 ]; then
    # Warm every worker with a bounded number of requests, then load-test.
    local warm=() i
    for i in $(seq 1 $((WORKERS * 2))); do
      curl "${quiet[@]}" "$BASE$path" &
      warm+=($!)
    done
    wait "${warm[@]}" || true
    "${WRK[@]}" "${wrk_args[@]}" "$BASE$path" >"$raw.txt" 2>&1 || true
  else
    echo "not load-tested: HTTP $status" >"$raw.txt"
  fi
  stop_server
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$name" "$path" "$status" "$bytes" \
    "${cache:--}" "${encoding:-identity}" "$alone" "${raw#"$ROOT"/}.txt" >>"$OUT/runs.tsv"
}

# Browsers ask for compressed answers; every page is requested as they do, and the route map
# page once more without, as the largest answer the site can give.
GZIP="Accept-Encoding: gzip"
log "Site: gunicorn, $WORKERS workers, config.settings.production"
cached_pages=0
while IFS=$'\t' read -r name path; do
  measure page "$name" site_server "$path" "$GZIP"
  if [ "$(tail -n 1 "$OUT/runs.tsv" | cut -f6)" != - ]; then cached_pages=$((cached_pages + 1)); fi
done <"$OUT/targets.tsv"
route_map_path=$(awk -F'\t' '$1 == "route map" {print $2}' "$OUT/targets.tsv")
measure page "route map, uncompressed" site_server "$route_map_path"

log "Site behind nginx (deploy/nginx.conf), the same gunicorn behind it"
while IFS=$'\t' read -r name path; do
  measure proxied "$name" proxied_server "$path" "$GZIP"
done <"$OUT/targets.tsv"
measure proxied "route map, uncompressed" proxied_server "$route_map_path"

if [ -n "${BENCH_BASELINE:-}" ]; then
  BASELINE_DIR=$(mktemp -d /tmp/bench-baseline.XXXXXX)
  git archive "$BENCH_BASELINE" | tar -x -C "$BASELINE_DIR"
  (cd "$BASELINE_DIR" && DJANGO_SETTINGS_MODULE="$(baseline_package).settings.production" \
    "$PY" manage.py collectstatic --no-input -v0)
  log "Baseline: the code of $BENCH_BASELINE, gunicorn alone"
  while IFS=$'\t' read -r name path; do
    case $name in
      home | "route map" | timeline) measure baseline "$name" baseline_server "$path" "$GZIP" ;;
    esac
  done <"$OUT/targets.tsv"
fi
if [ "$cached_pages" -gt 0 ]; then
  # The site caches public pages; a session cookie makes each request render the page, as
  # on a cache miss, so both costs are known.
  log "The same pages rendered on every request (cache bypassed with a session cookie)"
  while IFS=$'\t' read -r name path; do
    measure uncached "$name" site_server "$path" "Cookie: sessionid=benchmark-bypasses-cache"
  done <"$OUT/targets.tsv"
fi

log "Framework ceiling: bench/ceiling.py on the same gunicorn setup"
measure ceiling "Django ceiling" ceiling_server /

log "Physical limit: the route map page as a file served by nginx"
chmod 755 "$NGINX_DIR"
mkdir -p "$NGINX_DIR/www"
route_map_html=$(awk -F'\t' '$1 == "page" && $2 == "route map, uncompressed" {print $NF}' \
  "$OUT/runs.tsv")
cp "$ROOT/${route_map_html%.txt}.html" "$NGINX_DIR/www/page.html"
gzip -6 -n -k "$NGINX_DIR/www/page.html"
chmod 644 "$NGINX_DIR/www/page.html" "$NGINX_DIR/www/page.html.gz"
measure nginx "nginx static" nginx_server / "$GZIP"
measure nginx "nginx static, uncompressed" nginx_server /

log "gunicorn's own limit: the same file from a WSGI application without Django"
measure gunicorn "gunicorn static" raw_page_server / "$GZIP"
measure gunicorn "gunicorn static, uncompressed" raw_page_server /

log "Publishing one route map of the plan"
"$PY" bench/publish.py "$OUT/publish.json"

# ------------------------------------------------------------------ report
COMMAND="make bench"
[ -n "${MAKELEVEL:-}" ] || COMMAND="bash bench/run.sh"
"$PY" bench/report.py "$OUT" "$RESULTS" \
  --command "$COMMAND" \
  --settings "BENCH_SCALE=$SCALE BENCH_DURATION=$DURATION BENCH_CONNECTIONS=$CONNECTIONS BENCH_THREADS=$THREADS BENCH_WORKERS=$WORKERS BENCH_TIMEOUT=$TIMEOUT" \
  --wrk "${WRK[*]} URL" \
  --scale "$SCALE" \
  --workers "$WORKERS" \
  --load-start "$LOAD_START" \
  --started "$STARTED_AT" \
  --code "$CODE" \
  --baseline "${BENCH_BASELINE:+$(git rev-parse --short "$BENCH_BASELINE")}" \
  --elapsed "$SECONDS"
log "Done in ${SECONDS} s: bench/RESULTS.md"
