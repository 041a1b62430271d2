#!/usr/bin/env bash
# Load run of issue 9: 50 users on a realistic mix for 5 minutes against gunicorn with
# production settings on loopback; p95 under 500 ms and no error, or exit status 1.
#
#   bench/load.sh                                   # demo data (SQLite), 5 minutes
#   DURATION=30s bench/load.sh                      # a smoke run
#   DATABASE_URL=postgresql://… FIELD_ENCRYPTION_KEYS=… BLIND_INDEX_KEY=… \
#       TEMPLATES_FILE=bench-users.txt bench/load.sh # a generated nation (PostgreSQL)
#
# Environment (all optional):
#   DURATION=5m  USERS=50  SPAWN_RATE=1 (users started per second: 50 logins spread over
#   the first 50 s, as people arrive)  P95_LIMIT_MS=500
#   WAIT_MIN=1 WAIT_MAX=5   think time between two pages of one user, seconds
#   WORKERS=<2 x cores + 1> gunicorn processes (deploy/gunicorn.conf.py); THREADS=1
#   DATABASE_URL            the database to load; without it, a SQLite database with the
#                           demo data (MEMBERS=3000) made once in LOAD_DIR and reused
#   FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY
#                           the keys the data were encrypted with (required with
#                           DATABASE_URL; for the demo database made once and kept in
#                           LOAD_DIR/keys.env)
#   TEMPLATES=a,b,… or TEMPLATES_FILE=path
#                           users whose roles the bench users copy (default: the demo
#                           users); bench/load_users.py
#   OWNER_DATABASE_URL      the owner's URL, when DATABASE_URL is the application role
#                           (row-level security on): the bench accounts are made with it
#   LOAD_DIR=/tmp/dangvien-load   scratch folder: plan, logs, CSV of the run
#   WSGI_APP=dangvien.wsgi        the WSGI module gunicorn loads (e.g. a profiling wrapper)
#
# What runs: bench/load_users.py prepares USERS accounts (bench.load.001…, each with a
# TOTP device) and the plan; gunicorn starts with DANGVIEN_ENV=production, DEBUG=0, a
# random SECRET_KEY, the second factor required, and only what plain HTTP on loopback
# needs switched off (HTTPS redirect, Secure cookies, HSTS, upgrade-insecure-requests);
# locust runs bench/locustfile.py headless and prints p50/p95/p99 per page and the
# verdict. gunicorn is stopped at the end whatever happens.
set -euo pipefail

say() { printf 'load: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py=.venv/bin/python
[[ -x $py ]] || die "no .venv: run scripts/bootstrap-venv first"

DURATION=${DURATION:-5m}
USERS=${USERS:-50}
SPAWN_RATE=${SPAWN_RATE:-1}
export P95_LIMIT_MS=${P95_LIMIT_MS:-500}
export WAIT_MIN=${WAIT_MIN:-1} WAIT_MAX=${WAIT_MAX:-5}
LOAD_DIR=${LOAD_DIR:-/tmp/dangvien-load}
MEMBERS=${MEMBERS:-3000}
mkdir -p "$LOAD_DIR"
chmod 700 "$LOAD_DIR"

# ---- the database and its keys ----------------------------------------------------------
if [[ -z "${DATABASE_URL:-}" ]]; then
    export DATABASE_URL="sqlite:///$LOAD_DIR/dangvien.sqlite3"
    if [[ -z "${FIELD_ENCRYPTION_KEYS:-}" ]]; then
        if [[ ! -f "$LOAD_DIR/keys.env" ]]; then
            (
                umask 077
                printf 'export FIELD_ENCRYPTION_KEYS=load=%s\nexport BLIND_INDEX_KEY=%s\n' \
                    "$(head -c 32 /dev/urandom | base64)" "$(head -c 32 /dev/urandom | base64)" \
                    >"$LOAD_DIR/keys.env"
            )
        fi
        # shellcheck disable=SC1091
        source "$LOAD_DIR/keys.env"
    fi
    if [[ ! -f "$LOAD_DIR/dangvien.sqlite3" ]]; then
        say "making the demo database ($MEMBERS members) in $LOAD_DIR: a few minutes, once"
        DEBUG=1 $py manage.py migrate --noinput -v 0
        DEBUG=1 $py manage.py demo_data --members "$MEMBERS" >"$LOAD_DIR/demo_data.log" ||
            die "demo_data failed: see $LOAD_DIR/demo_data.log"
    fi
else
    [[ -n "${FIELD_ENCRYPTION_KEYS:-}" && -n "${BLIND_INDEX_KEY:-}" ]] ||
        die "with DATABASE_URL set FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY: the keys its data were encrypted with"
fi
export FIELD_ENCRYPTION_KEYS BLIND_INDEX_KEY

# ---- production settings, minus what plain HTTP on loopback cannot do -------------------
export DANGVIEN_ENV=production DEBUG=0
SECRET_KEY=$($py -c 'import secrets; print(secrets.token_urlsafe(64))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1 CSRF_TRUSTED_ORIGINS=
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0
export CSP_UPGRADE_INSECURE_REQUESTS=0 SECURE_PROXY_SSL_HEADER=
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-600}
export DANGVIEN_VAR_DIR="$LOAD_DIR/var"
export LOG_LEVEL=WARNING
export SECOND_FACTOR_REQUIRED=1

$py manage.py collectstatic --noinput -v 0
say "preparing $USERS bench users and the plan"
templates=()
[[ -n "${TEMPLATES:-}" ]] && templates=(--templates "$TEMPLATES")
[[ -n "${TEMPLATES_FILE:-}" ]] && templates=(--templates-file "$TEMPLATES_FILE")
# The bench accounts and the plan are written as the tables' owner when OWNER_DATABASE_URL
# is given (the app role sees no member without a scope); the pages run as DATABASE_URL.
DATABASE_URL=${OWNER_DATABASE_URL:-$DATABASE_URL} \
    $py bench/load_users.py --count "$USERS" --out "$LOAD_DIR/plan.json" "${templates[@]}"
export LOAD_PLAN="$LOAD_DIR/plan.json"

# ---- gunicorn ------------------------------------------------------------------------------
port=${PORT:-$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
export GUNICORN_BIND="127.0.0.1:$port"
[[ -n "${WORKERS:-}" ]] && export GUNICORN_WORKERS=$WORKERS
[[ -n "${THREADS:-}" ]] && export GUNICORN_THREADS=$THREADS
export GUNICORN_ACCESSLOG="$LOAD_DIR/access.log" GUNICORN_ERRORLOG="$LOAD_DIR/gunicorn.log"
: >"$LOAD_DIR/access.log"
: >"$LOAD_DIR/gunicorn.log"
.venv/bin/gunicorn -c deploy/gunicorn.conf.py "${WSGI_APP:-dangvien.wsgi}" >>"$LOAD_DIR/gunicorn.log" 2>&1 &
gunicorn_pid=$!
stop_gunicorn() {
    if kill -0 "$gunicorn_pid" 2>/dev/null; then
        kill -TERM "$gunicorn_pid"
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
}
trap stop_gunicorn EXIT

url="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
    if $py -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('$url/dang-nhap/', timeout=2).status != 200)" 2>/dev/null; then
        break
    fi
    kill -0 "$gunicorn_pid" 2>/dev/null || die "gunicorn stopped: see $LOAD_DIR/gunicorn.log"
    sleep 0.5
done
workers=${GUNICORN_WORKERS:-$($py -c 'import multiprocessing as m; print(2 * m.cpu_count() + 1)')}
say "gunicorn on $url ($workers workers); locust: $USERS users, $DURATION, think time ${WAIT_MIN}-${WAIT_MAX} s"

# ---- locust --------------------------------------------------------------------------------
status=0
.venv/bin/locust -f bench/locustfile.py --headless --only-summary \
    --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$DURATION" --stop-timeout 10 \
    --host "$url" --csv "$LOAD_DIR/run" --loglevel WARNING || status=$?

errors=$(grep -c -E ' (Error|Traceback)' "$LOAD_DIR/gunicorn.log" || true)
if [[ "$errors" != 0 ]]; then
    say "gunicorn logged $errors errors: $LOAD_DIR/gunicorn.log"
    status=1
fi
say "CSV: $LOAD_DIR/run_stats.csv; access log: $LOAD_DIR/access.log"
exit "$status"
