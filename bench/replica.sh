#!/usr/bin/env bash
# A real streaming read replica of this machine's PostgreSQL, on 127.0.0.1:5433, for the benchmarks
# (never CI). `bench/replica.sh start` copies the cluster with pg_basebackup (streaming WAL) and
# starts it as a hot standby; `status` prints its lag; `stop` stops it; `destroy` also deletes it.
# Then: DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/sd_scale_bench bench/run ...
set -euo pipefail
VERSION=$(ls /etc/postgresql | sort -n | tail -1)
PGBIN=/usr/lib/postgresql/$VERSION/bin
HBA=/etc/postgresql/$VERSION/main/pg_hba.conf
DIR=${REPLICA_DIR:-/var/tmp/servicedesk-replica}
PORT=${REPLICA_PORT:-5433}
as_postgres() { runuser -u postgres -- "$@"; }

case ${1:-start} in
start)
  # pg_basebackup streams over a replication connection, which "all" in pg_hba.conf does not cover.
  if ! grep -qE '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$HBA"; then
    echo "host replication all 127.0.0.1/32 trust" >>"$HBA"
    pg_ctlcluster --skip-systemctl-redirect "$VERSION" main reload
    echo "added 'host replication all 127.0.0.1/32 trust' to $HBA"
  fi
  if [ ! -f "$DIR/standby.signal" ]; then
    rm -rf "$DIR"
    echo "copying the cluster into $DIR (pg_basebackup, streaming WAL)..."
    as_postgres "$PGBIN/pg_basebackup" -h 127.0.0.1 -U postgres -D "$DIR" -R -X stream -c fast
    # Debian keeps the configuration outside the data directory: give the copy its own, with the
    # primary's memory settings so that a figure on the replica compares with one on the primary.
    shared_buffers=$(psql -h 127.0.0.1 -U postgres -Atc "SHOW shared_buffers")
    work_mem=$(psql -h 127.0.0.1 -U postgres -Atc "SHOW work_mem")
    as_postgres tee "$DIR/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '/tmp'
hot_standby = on
shared_buffers = '$shared_buffers'
work_mem = '$work_mem'
CONF
    as_postgres tee "$DIR/pg_hba.conf" >/dev/null <<CONF
local all all trust
host all all 127.0.0.1/32 trust
CONF
    as_postgres touch "$DIR/pg_ident.conf"
  fi
  as_postgres "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w start
  "$0" status
  ;;
status)
  psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc "SELECT 'in recovery: ' || pg_is_in_recovery() || ', replayed up to ' || pg_last_wal_replay_lsn() || ', lag ' || COALESCE(now() - pg_last_xact_replay_timestamp(), '0'::interval)"
  ;;
stop)
  as_postgres "$PGBIN/pg_ctl" -D "$DIR" -w stop || true
  ;;
destroy)
  "$0" stop
  rm -rf "$DIR"
  ;;
*)
  echo "usage: bench/replica.sh start|status|stop|destroy" >&2
  exit 2
  ;;
esac
