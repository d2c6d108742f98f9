#!/usr/bin/env bash
# The run command (`make run`): install what is missing, migrate, load the demo data, then run
# the web server and a Celery worker with embedded beat until Ctrl-C.
#
# No server is needed: SQLite in var/, Celery on kombu's filesystem broker in var/celery/, and
# e-mails written as files to var/mail/. DATABASE_URL, CELERY_BROKER_URL and EMAIL_URL override.
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-iop.settings.dev}"
port="${PORT:-8000}"
# Only this machine reaches the development server unless HOST says otherwise (HOST=0.0.0.0).
host="${HOST:-127.0.0.1}"
python=.venv/bin/python

scripts/setup.sh run
"$python" manage.py migrate --noinput
logins="$("$python" manage.py demo_data)"
echo "$logins"

echo "==> Starting the web server on port $port and a Celery worker with embedded beat"
export PYTHONUNBUFFERED=1  # the two logs interleave in order
# Both services run in one process group of their own (job control gives the subshell one).
# To stop, the subshell asks each service to shut down cleanly (Django's autoreloader takes
# its child along, Celery its beat and pool processes); whatever is left after a grace period
# is killed with the whole group. If either service dies, the other is stopped too.
set -m
(
  "$python" manage.py runserver "$host:$port" &
  web=$!
  .venv/bin/celery -A iop worker -B --loglevel=INFO -c 1 &
  worker=$!
  stopping=0
  trap 'stopping=1; kill -TERM "$web" "$worker" 2>/dev/null' TERM
  wait -n || true
  [ "$stopping" -eq 1 ] || kill -TERM "$web" "$worker" 2>/dev/null || true
  wait
) &
group=$!
set +m

stopped=0
stop() {
  [ "$stopped" -eq 1 ] && return
  stopped=1
  # Signal first, talk after: with `make run | tee log`, Ctrl-C ends tee too, and a write to
  # its pipe must not end this script before the services are stopped.
  trap '' PIPE
  kill -TERM "$group" 2>/dev/null || true
  echo "==> Stopping the web server and the Celery worker" 2>/dev/null || true
  for _ in $(seq 150); do
    kill -0 -- "-$group" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$group" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

url="http://127.0.0.1:$port/"
for _ in $(seq 600); do
  "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "${url}halsa/" 2>/dev/null && break
  kill -0 "$group" 2>/dev/null || break
  sleep 0.2
done

if [ -n "${EMAIL_URL:-}" ]; then
  mail="E-mails go to the backend EMAIL_URL names."
else
  mail="E-mails are written as files to $PWD/var/mail/ (one .log file per sending)."
fi
cat <<EOF

================================================================================
  IOP-stöd is running:  $url   (log in at ${url}konto/logga-in/)
$(echo "$logins" | sed -n '/^Demo logins/,$p')

  $mail
  Press Ctrl-C to stop.
================================================================================

EOF

wait "$group" || true
