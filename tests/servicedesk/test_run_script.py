"""scripts/run's process supervisor (scripts/lib.sh `supervise`): Ctrl-C ends every process it
started, children included, within 15 s, even one that ignores SIGTERM as a Celery worker in warm
shutdown does; and the web server runs without gunicorn's per-user control socket."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A process that shrugs off TERM and INT (and starts a child that does too), as a Celery worker
# waiting for its running tasks does, and one that stops when asked.
STUBBORN = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
if os.fork() == 0:
    open(sys.argv[1] + ".child", "w").write(str(os.getpid()))
else:
    open(sys.argv[1], "w").write(str(os.getpid()))
time.sleep(600)
"""
POLITE = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(600)"


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent has not collected it yet


def wait_for(paths: list[Path], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not all(path.exists() and path.read_text() for path in paths):
        assert time.monotonic() < deadline, "the supervised processes did not start"
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_ctrl_c_ends_every_process_within_15_seconds(tmp_path):
    stubborn, polite = tmp_path / "stubborn", tmp_path / "polite"
    (tmp_path / "stubborn.py").write_text(STUBBORN)
    (tmp_path / "polite.py").write_text(POLITE)
    python = sys.executable
    supervisor = subprocess.Popen(
        [
            "bash",
            "-c",
            'source scripts/lib.sh; supervise "$1" "$2"',
            "supervise",
            f"{python} {tmp_path / 'stubborn.py'} {stubborn}",
            f"{python} {tmp_path / 'polite.py'} {polite}",
        ],
        cwd=ROOT,
        env={**os.environ, "STOP_GRACE_SECONDS": "2"},
        start_new_session=True,
        # As a terminal starts it: SIGINT at its default. A test process that ignores SIGINT
        # (an earlier test's signal handling) would pass that on, and bash cannot trap a signal
        # ignored when it started.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_for([stubborn, Path(f"{stubborn}.child"), polite], seconds=20)
        pids = [int(path.read_text()) for path in (stubborn, Path(f"{stubborn}.child"), polite)]
        started = time.monotonic()

        supervisor.send_signal(signal.SIGINT)  # what Ctrl-C sends

        supervisor.wait(timeout=15)
        while any(alive(pid) for pid in pids) and time.monotonic() - started < 15:
            time.sleep(0.05)
        assert [pid for pid in pids if alive(pid)] == []
        assert time.monotonic() - started < 15
        assert supervisor.returncode == 130
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
        for path in (stubborn, Path(f"{stubborn}.child"), polite):
            if path.exists() and path.read_text() and alive(int(path.read_text())):
                os.kill(int(path.read_text()), signal.SIGKILL)


def test_a_process_that_ends_stops_the_others(tmp_path):
    polite = tmp_path / "polite"
    (tmp_path / "polite.py").write_text(POLITE)
    supervisor = subprocess.run(
        [
            "bash",
            "-c",
            'source scripts/lib.sh; supervise "$1" "$2"',
            "supervise",
            f"{sys.executable} {tmp_path / 'polite.py'} {polite}",
            "sleep 1",  # a web server that stopped, say
        ],
        cwd=ROOT,
        env={**os.environ, "STOP_GRACE_SECONDS": "2"},
        timeout=30,
        capture_output=True,
        text=True,
    )

    assert "A process ended; stopping the others." in supervisor.stderr
    assert not alive(int(polite.read_text()))


def test_gunicorn_runs_without_the_shared_control_socket():
    help_text = subprocess.run(
        [str(ROOT / ".venv/bin/gunicorn"), "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--no-control-socket" in help_text
    for path in ("scripts/run", "docker-compose.yml", "Dockerfile"):
        text = (ROOT / path).read_text()
        assert "gunicorn" in text
        assert "--no-control-socket" in text, path
