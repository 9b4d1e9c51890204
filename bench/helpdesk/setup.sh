#!/usr/bin/env bash
# A throwaway django-helpdesk install, outside the project's dependencies, for the side-by-side
# benchmark: its own virtualenv, its own small Django project, its own database.
# Usage: bench/helpdesk/setup.sh [HOME_DIR]   (default /work/helpdesk-bench)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
HOME_DIR="${1:-${HELPDESK_HOME:-/work/helpdesk-bench}}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$HOME_DIR"
if [ ! -x "$HOME_DIR/venv/bin/python" ]; then
    "$PYTHON" -m venv "$HOME_DIR/venv"
fi
"$HOME_DIR/venv/bin/pip" install --quiet --upgrade pip
"$HOME_DIR/venv/bin/pip" install --quiet "django-helpdesk==2.6.1" gunicorn psycopg2-binary
# The small Django project lives in bench/helpdesk/hdproject (settings, urls, the seeder).
echo "django-helpdesk installed in $HOME_DIR/venv"
"$HOME_DIR/venv/bin/pip" freeze | grep -i -E "^(django|django-helpdesk)=="
