#!/usr/bin/env bash
# Prepare this checkout to run (scripts/setup.sh run) or to test (scripts/setup.sh test).
#
# Idempotent and fast the second time: it installs only what is missing. System packages come
# from apt (as root; otherwise it prints the apt-get line to run and stops), Python packages go
# into .venv with uv, exactly as requirements.lock pins them, and are reinstalled only when
# the lock changes.
set -euo pipefail

mode="${1:-run}"
case "$mode" in
  run | test) ;;
  *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."
venv=.venv
python="$venv/bin/python"

# --- System packages -----------------------------------------------------------------------
# WeasyPrint's libraries and a font for the PDFs; gettext compiles the Swedish translations.
packages=(libglib2.0-0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  libfontconfig1 fonts-dejavu-core gettext)
if [ "$mode" = test ]; then
  # pdftotext for tests that read the PDFs, Chromium for the browser tests, Redis for the
  # tests that run a real Celery worker (only where there is no Redis server at all).
  packages+=(poppler-utils chromium)
  command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
  # Java and npm for the Nu Html Checker (npm's vnu-jar), which validates the browser tests' pages.
  command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  install_line="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "These system packages are missing: ${missing[*]}" >&2
    echo "Install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo $install_line" >&2
    exit 1
  fi
  echo "==> Installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $install_line
fi

# --- Python packages -------------------------------------------------------------------------
if [ ! -x "$python" ]; then
  echo "==> Creating $venv"
  python3 -m venv "$venv"
fi
if [ ! -x "$venv/bin/uv" ]; then
  # The installer itself at the version the lock pins (the lock keeps it in the venv).
  "$python" -m pip install --quiet "uv==$(sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements.lock)"
fi
# Exactly the versions CI tested: requirements.lock pins every package, the dependencies'
# dependencies included, with the hashes of their files (`make lock` re-pins it from
# pyproject.toml); `uv pip sync` refuses a file whose hash differs and removes what the lock
# does not list.
stamp="$venv/.installed-lock.sha256"
wanted="$(sha256sum requirements.lock | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
  echo "==> Installing Python packages into $venv (requirements.lock)"
  VIRTUAL_ENV="$PWD/$venv" "$venv/bin/uv" pip sync --quiet --python "$python" --require-hashes \
    requirements.lock
  echo "$wanted" >"$stamp"
fi

# --- Node packages (test mode) -----------------------------------------------------------------
# The Nu Html Checker (vnu-jar) for the browser tests, as package-lock.json pins it; again only
# when the lock changes. --ignore-scripts: vnu-jar's postinstall would download a Java runtime.
if [ "$mode" = test ]; then
  node_stamp=node_modules/.installed-lock.sha256
  node_wanted="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ "$(cat "$node_stamp" 2>/dev/null || true)" != "$node_wanted" ]; then
    echo "==> Installing Node packages (npm ci)"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    echo "$node_wanted" >"$node_stamp"
  fi
fi

# --- Folders the embedded mode writes to -------------------------------------------------------
# The filesystem Celery broker, e-mails as files, uploaded documents.
mkdir -p var/celery/broker var/celery/processed var/celery/control var/mail var/media var/static

# --- Translations ----------------------------------------------------------------------------
# Compile only when a .po file is newer than its .mo (msgfmt is quick, Django's start is not).
stale=0
while IFS= read -r po; do
  [ "${po%.po}.mo" -nt "$po" ] || stale=1
done < <(find . -path ./.venv -prune -o -path ./node_modules -prune -o -name '*.po' -print 2>/dev/null)
if [ "$stale" -eq 1 ]; then
  echo "==> Compiling translations"
  "$python" manage.py compilemessages --ignore=.venv -v 0
fi

if [ "$mode" = run ]; then
  "$python" manage.py collectstatic --noinput -v 0
fi
