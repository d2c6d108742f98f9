#!/usr/bin/env bash
# Load test: 50 simulated staff users (bench/locustfile.py) against gunicorn with 4 workers
# and a Celery worker, on the demo data, with production's settings (bench/load_settings.py).
#
#   bench/load.sh                       # 50 users, 10 new a second, 60 s
#   USERS=20 RUN_TIME=30s bench/load.sh
#   KEEP=1 bench/load.sh; REUSE=1 bench/load.sh   # keep iop_load, then run again on it
#
# Everything runs on the loopback: a throwaway PostgreSQL database «iop_load» on the machine's
# server (created, and dropped at the end; no other database is touched), Redis databases 5
# (cache) and 6 (Celery broker) on 127.0.0.1:6379, gunicorn on a free port of 127.0.0.1.
# Prints p50/p95/p99 and the errors per page, and stops everything it started, also on
# failure and on Ctrl-C. About 2½ minutes.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
USERS=${USERS:-50}
SPAWN_RATE=${SPAWN_RATE:-10}
RUN_TIME=${RUN_TIME:-60s}
DB_NAME=iop_load
PG_HOST=${PG_HOST:-localhost}
REDIS=${REDIS:-redis://127.0.0.1:6379}
TARGET_P95_MS=${TARGET_P95_MS:-150}

if [ "$USERS" -gt 200 ]; then echo "USERS is at most 200" >&2; exit 2; fi
case $RUN_TIME in *h*|*m*) echo "RUN_TIME is in seconds (e.g. 60s), at most 180s" >&2; exit 2;; esac
if [ "${RUN_TIME%s}" -gt 180 ]; then echo "RUN_TIME is at most 180s" >&2; exit 2; fi
for tool in createdb dropdb psql redis-cli curl pgrep /usr/bin/time; do
  command -v $tool >/dev/null || { echo "bench/load.sh needs $tool" >&2; exit 2; }
done
[ -x "$ROOT/.venv/bin/locust" ] || { echo "locust missing: install the dev extra" >&2; exit 2; }
redis-cli -u "$REDIS" ping >/dev/null || { echo "no Redis at $REDIS" >&2; exit 2; }

WORK=$(mktemp -d -t iop-load-XXXXXX)
PIDS=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -z "${KEEP:-}" ]; then dropdb -h "$PG_HOST" --if-exists --force "$DB_NAME" 2>/dev/null || true; fi
  redis-cli -u "$REDIS/5" flushdb >/dev/null 2>&1 || true
  redis-cli -u "$REDIS/6" flushdb >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT INT TERM

export DJANGO_SETTINGS_MODULE=bench.load_settings
export PYTHONPATH=$ROOT
export DATABASE_URL="postgres://$PG_HOST/$DB_NAME"
export SECRET_KEY
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=0
export CACHE_URL="$REDIS/5"
export CELERY_BROKER_URL="$REDIS/6"
export STATIC_ROOT=$WORK/static MEDIA_ROOT=$WORK/media AUDIT_LOG_FILE=$WORK/audit.jsonl
export LOG_LEVEL=WARNING
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SITE_URL="http://127.0.0.1:$PORT"

redis-cli -u "$REDIS/5" flushdb >/dev/null
redis-cli -u "$REDIS/6" flushdb >/dev/null
if [ -n "${REUSE:-}" ] && psql -h "$PG_HOST" -d "$DB_NAME" -Atc "select 1 from iop_case limit 1" 2>/dev/null | grep -q 1; then
  echo "== database $DB_NAME reused (REUSE=1): migrations, static files"
  "$PY" manage.py migrate --verbosity 0
else
  echo "== database $DB_NAME, demo data, static files"
  dropdb -h "$PG_HOST" --if-exists --force "$DB_NAME"
  createdb -h "$PG_HOST" "$DB_NAME"
  "$PY" manage.py migrate --verbosity 0
  "$PY" manage.py demo_data --allow-production >"$WORK/demo.log" 2>&1
fi
"$PY" manage.py collectstatic --noinput --verbosity 0

echo "== gunicorn (4 workers) on 127.0.0.1:$PORT and a Celery worker"
"$ROOT/.venv/bin/gunicorn" iop.wsgi:application --bind "127.0.0.1:$PORT" --workers 4 \
  --graceful-timeout 5 --log-level warning >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)
GUNICORN_PID=$!
# The Celery worker runs niced: in production the workers run on machines of their own, so
# here, on one machine, the meeting packages they make must not take the web server's CPU.
nice -n 10 "$ROOT/.venv/bin/celery" -A iop worker --concurrency 2 --loglevel WARNING \
  >"$WORK/celery.log" 2>&1 &
PIDS+=($!)
CELERY_PID=$!
for _ in $(seq 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/halsa/" && break
  sleep 0.5
done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/halsa/" || { cat "$WORK/gunicorn.log" >&2; exit 1; }

# --reset-stats: the figures are the steady state once every user has logged in (each login
# costs ~110 ms of Argon2 by design; 50 of them in 5 s would otherwise dominate the p95).
echo "== locust: $USERS users, $SPAWN_RATE new a second, $RUN_TIME"
machine_busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
tree_ticks() {  # the CPU ticks (user + system) of process $1 and its children
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
BUSY_BEFORE=$(machine_busy_ticks)
WEB_BEFORE=$(tree_ticks "$GUNICORN_PID")
CELERY_BEFORE=$(tree_ticks "$CELERY_PID")
/usr/bin/time -f "%U %S" -o "$WORK/locust.cpu" \
  timeout $(( ${RUN_TIME%s} + 60 )) "$ROOT/.venv/bin/locust" -f bench/locustfile.py --headless \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 5 \
  --host "http://127.0.0.1:$PORT" --csv "$WORK/locust" --only-summary --reset-stats \
  --loglevel WARNING >"$WORK/locust.log" 2>&1 || true

# Where the machine's CPU went during the run, in CPU seconds (user + system): the whole
# machine (/proc/stat), gunicorn's workers and the Celery worker; the rest is PostgreSQL,
# locust itself and anything else running.
HZ=$(getconf CLK_TCK)
BUSY=$(( ($(machine_busy_ticks) - BUSY_BEFORE) / HZ ))
WEB=$(( ($(tree_ticks "$GUNICORN_PID") - WEB_BEFORE) / HZ ))
CELERY=$(( ($(tree_ticks "$CELERY_PID") - CELERY_BEFORE) / HZ ))
LOCUST=$(awk 'NF == 2 {printf "%d", $1 + $2}' "$WORK/locust.cpu" 2>/dev/null || echo 0)
echo "== CPU seconds during the run: machine $BUSY, gunicorn $WEB, Celery $CELERY," \
  "locust ${LOCUST:-0}, the rest (PostgreSQL, anything else) $((BUSY - WEB - CELERY - ${LOCUST:-0}))"

"$PY" - "$WORK/locust" "$TARGET_P95_MS" <<'EOF'
import csv
import sys

prefix, target = sys.argv[1], float(sys.argv[2])
with open(f"{prefix}_stats.csv", newline="") as f:
    rows = list(csv.DictReader(f))
print(f"\n{'page':<58} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
for row in rows:
    name = row["Name"] if row["Name"] != "Aggregated" else "all requests"
    print(
        f"{name:<58} {row['Request Count']:>8} {row['Failure Count']:>6} "
        f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
    )
with open(f"{prefix}_failures.csv", newline="") as f:
    failures = list(csv.DictReader(f))
for failure in failures:
    print(f"  error: {failure['Method']} {failure['Name']}: {failure['Error']} ×{failure['Occurrences']}")
total = next(r for r in rows if r["Name"] == "Aggregated")
case = next((r for r in rows if r["Name"].startswith("/arenden/[id]/")), None)
errors = int(total["Failure Count"])
p95 = float(case["95%"]) if case else float("nan")
print(
    f"\ncase page p95 {p95:.0f} ms (target ≤ {target:.0f} ms), errors {errors} (target 0), "
    f"{float(total['Requests/s']):.1f} requests/s"
)
sys.exit(0 if errors == 0 and p95 <= target else 1)
EOF
