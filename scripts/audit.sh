#!/usr/bin/env bash
# Known vulnerabilities in the pinned dependencies (requirements.lock), by pip-audit.
#
# pip-audit asks a vulnerability service about every pinned package: PyPI's JSON API by default,
# OSV (api.osv.dev) with AUDIT_SERVICE=osv. Where the service cannot be reached (these build
# machines reach only a package mirror, which has no JSON API), pip-audit "skips" every package
# and would still report "No known vulnerabilities found": this script refuses to call that a
# pass. It exits 0 only when every package was actually audited and none is vulnerable, 1 on a
# vulnerability, 2 when the service answered for no (or not every) package.
set -euo pipefail
cd "$(dirname "$0")/.."

service="${AUDIT_SERVICE:-pypi}"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT

status=0
.venv/bin/pip-audit --requirement requirements.lock --require-hashes --disable-pip \
  --vulnerability-service "$service" --progress-spinner off --format json --output "$report" ||
  status=$?

.venv/bin/python - "$report" "$service" "$status" <<'PY'
import json
import sys

path, service, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    with open(path) as handle:
        report = json.load(handle)
except (OSError, ValueError):
    print(f"pip-audit wrote no report (exit {status}): the service {service!r} is unreachable?")
    sys.exit(2)
dependencies = report.get("dependencies", [])
skipped = [d for d in dependencies if d.get("skip_reason")]
vulnerable = [d for d in dependencies if d.get("vulns")]
audited = len(dependencies) - len(skipped)
for dependency in vulnerable:
    for vuln in dependency["vulns"]:
        fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
        print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} ({fixed})")
print(f"pip-audit via {service}: {audited} of {len(dependencies)} packages audited, "
      f"{len(vulnerable)} vulnerable, {len(skipped)} not audited")
if vulnerable:
    sys.exit(1)
if skipped:
    print(f"NOT AUDITED: the vulnerability service ({service}) did not answer for "
          f"{len(skipped)} packages, e.g. {skipped[0]['name']}: {skipped[0]['skip_reason']}")
    print("This machine cannot reach it; run `make audit` where it can (AUDIT_SERVICE=osv "
          "asks api.osv.dev instead of PyPI).")
    sys.exit(2)
PY
