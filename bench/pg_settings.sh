#!/usr/bin/env bash
# Give this machine's PostgreSQL the settings docker-compose.yml ships, so the benchmarks measure
# what a deployment runs (docs/benchmarks.md records them beside every table). ALTER SYSTEM writes
# postgresql.auto.conf; shared_buffers needs a restart, which this does only with --restart.
# `bench/pg_settings.sh --reset` returns to the packaged defaults.
set -euo pipefail
SETTINGS=(shared_buffers=1GB effective_cache_size=3GB work_mem=16MB maintenance_work_mem=256MB
  random_page_cost=1.1 jit=off)
VERSION=$(ls /etc/postgresql | sort -n | tail -1)
psql_() { psql -h 127.0.0.1 -U postgres -Atq "$@"; }
if [ "${1:-}" = "--reset" ]; then
  for setting in "${SETTINGS[@]}"; do psql_ -c "ALTER SYSTEM RESET ${setting%%=*}"; done
else
  for setting in "${SETTINGS[@]}"; do psql_ -c "ALTER SYSTEM SET ${setting%%=*} = '${setting#*=}'"; done
fi
psql_ -c "SELECT pg_reload_conf()" >/dev/null
if [ "${1:-}" = "--restart" ] || [ "${2:-}" = "--restart" ]; then
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" main restart
fi
# As SHOW prints them (pg_settings' own column counts shared_buffers in 8 kB pages).
psql_ -c "SELECT name || ' = ' || current_setting(name) || CASE WHEN pending_restart THEN ' (restart pending)' ELSE '' END FROM pg_settings WHERE name IN ('shared_buffers','effective_cache_size','work_mem','maintenance_work_mem','random_page_cost','jit') ORDER BY name"
