# Shared by scripts/run and scripts/test. Sourced, not run.

# A Python of at least 3.12 (Django 6 needs it): on PATH, or any pyenv-installed one.
find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 \
      "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      command -v "$candidate" || echo "$candidate"
      return 0
    fi
  done
  echo "Python 3.12 or newer is needed (set PYTHON=/path/to/python3.12)." >&2
  return 1
}

# Create .venv and install the project's dependencies (with an extra, e.g. "test"); reinstall
# only when pyproject.toml changed since the last install.
ensure_venv() {
  local python_bin=$1 extra=${2:-}
  local stamp=".venv/.installed${extra:+-$extra}"
  if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtualenv in .venv ..."
    "$python_bin" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing dependencies ..."
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet ".${extra:+[$extra]}"
    touch "$stamp"
  fi
}

# Start the local PostgreSQL and Redis when they are installed but stopped.
start_services() {
  if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if command -v pg_ctlcluster >/dev/null; then
      echo "Starting PostgreSQL ..."
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
      for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
  fi
  if command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "Starting Redis ..."
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
}

# Debian's Chromium for the Playwright browser tests (never a downloaded browser build).
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's Chromium for the browser tests ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

# The inbound mail poller's tests run against a real IMAP server: Debian's Dovecot, started by the
# tests themselves in a temporary directory (tests/inbound/dovecot.py). Its service is not started.
ensure_dovecot() {
  if [ ! -x /usr/sbin/dovecot ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's Dovecot for the IMAP poller's tests ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null
  fi
}

# Run each argument (a command line) as its own process group, until Ctrl-C, a TERM, or one of
# them ending; then stop them all: TERM to every group, up to STOP_GRACE_SECONDS (10) for them to
# finish, then KILL whatever is left, children included. A Celery worker in warm shutdown waits
# for its running tasks (up to their time limit); its unacknowledged tasks go back to the queue,
# so killing it loses nothing. Ctrl-C therefore ends everything within about 11 seconds.
supervise() {
  local command
  SUPERVISED=()
  set -m  # each background job gets its own process group, signalled as one below
  for command in "$@"; do
    bash -c "exec $command" &
    SUPERVISED+=("$!")
  done
  set +m
  trap 'stop_supervised; exit 130' INT
  trap 'stop_supervised; exit 143' TERM
  trap 'stop_supervised' EXIT
  while all_supervised_running; do
    sleep 1 &
    wait $! 2>/dev/null || true
  done
  echo "A process ended; stopping the others." >&2
  stop_supervised
}

all_supervised_running() {
  local pid
  for pid in "${SUPERVISED[@]}"; do kill -0 "$pid" 2>/dev/null || return 1; done
}

any_supervised_group_alive() {
  local pid
  for pid in "${SUPERVISED[@]}"; do kill -0 -- "-$pid" 2>/dev/null && return 0; done
  return 1
}

stop_supervised() {
  local pid grace=${STOP_GRACE_SECONDS:-10}
  local deadline=$((SECONDS + grace))  # wall-clock seconds: a busy machine slows each sleep
  trap - INT TERM EXIT
  [ "${#SUPERVISED[@]}" -gt 0 ] || return 0
  for pid in "${SUPERVISED[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  while any_supervised_group_alive && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.2
  done
  if any_supervised_group_alive; then
    echo "Still running after ${grace} s: killing them." >&2
    for pid in "${SUPERVISED[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  fi
  wait 2>/dev/null || true
  SUPERVISED=()
}
