#!/usr/bin/env bash
# The test command (`make test`): install what is missing, make sure Redis answers, run pytest.
# Arguments go to pytest: scripts/test.sh -k workflow -x
#
# Without arguments the whole suite runs in parallel (pytest-xdist), one worker per core, each
# with its own test database (test_<name>_gw0, _gw1, …). With arguments pytest runs in this one
# process, as a developer running one file wants (and as a debugger needs), unless they ask for
# workers themselves: scripts/test.sh -n 2 decisions.
#
# The database is SQLite unless DATABASE_URL says otherwise (CI uses PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh test

# The tests that run a real Celery worker need Redis. Start the local one if it is not up.
redis_answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1
  else
    (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null
  fi
}
if command -v redis-server >/dev/null 2>&1 && ! redis_answers; then
  echo "==> Starting Redis on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log ||
    echo "Could not start Redis: the tests that need a real worker will be skipped."
  for _ in $(seq 50); do redis_answers && break; sleep 0.1; done
fi

# `--dist load` hands each worker the tests in the order pytest-django sorted them (the tests
# in a rolled-back transaction before those that commit and flush), which the suite relies on;
# conftest.py refuses the modes that reorder (loadscope, loadfile, loadgroup, worksteal).
xdist=()
workers="$(nproc 2>/dev/null || echo 1)"
if [ "$#" -eq 0 ] && [ "$workers" -gt 1 ]; then
  # The whole suite also names its 15 slowest steps, so a test that grows shows in CI's log.
  xdist=(-n "$workers" --dist load --durations=15)
fi

status=0
.venv/bin/pytest "${xdist[@]}" "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests (exit code 5): nothing to run, which is not a failure."
  exit 0
fi
exit "$status"
