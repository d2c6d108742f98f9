#!/usr/bin/env bash
# requirements.lock: every package (the dependencies' dependencies too) pinned to one version
# with the hashes of its files, resolved from pyproject.toml for Python 3.11.
#   scripts/lock.sh           re-pin (keeps the pins that still satisfy pyproject.toml)
#   scripts/lock.sh --check   fail if pyproject.toml asks for something the lock does not pin
set -euo pipefail
cd "$(dirname "$0")/.."

compile() {
  .venv/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --quiet \
    --python-version 3.11 --custom-compile-command "make lock" --output-file "$1"
}

if [ "${1:-}" = --check ]; then
  candidate="$(mktemp)"
  trap 'rm -f "$candidate"' EXIT
  cp requirements.lock "$candidate"
  compile "$candidate"
  if ! diff -u requirements.lock "$candidate"; then
    echo "requirements.lock does not match pyproject.toml: run \`make lock\` and commit it" >&2
    exit 1
  fi
  echo "requirements.lock matches pyproject.toml"
else
  compile requirements.lock
fi
