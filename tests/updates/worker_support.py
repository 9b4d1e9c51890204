"""Real Celery processes for the promise keeper's integration and fault-injection tests.

The worker and beat run as subprocesses on the SAME test database as the test (the tests are
transactional, so what the test writes is committed and visible to them), on a Redis broker, and
send email to the test's aiosmtpd server. Each test gets its own queue name, so tests running in
parallel (xdist) on one Redis database never take each other's tasks; a test that kills Redis
starts a private redis-server on a free port instead of touching the shared one.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from servicedesk.celery import app as celery_app

from .keeper_support import free_port

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, every=0.2):
    """Poll `condition` until it is truthy (returning its value) or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def database_url_of_this_test() -> str:
    """The URL of the database this test runs on (test_sd_wtN_gw0 and so on)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@contextmanager
def broker_for_this_process(url: str, queue: str) -> Iterator[None]:
    """Point the test process's own Celery producer at `url`/`queue` (the customer emails and
    sweeps the test runs queue their delivery there), and back afterwards."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_default_queue

    def reset_pools():
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_url, conf.task_default_queue = url, queue
    reset_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.task_default_queue = saved
        reset_pools()


@dataclass
class RedisServer:
    """A private redis-server, with no persistence: killing it loses every queued task, as a
    crashed production Redis without AOF would."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1"]
        command += ["--port", str(self.port), "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.directory)]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def ping(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is needed for this test (apt-get install redis-server)")
    server = RedisServer(directory=tmp_path)
    server.start()
    yield server
    server.kill()


@dataclass
class CeleryProcess:
    """One `celery -A servicedesk worker|beat` subprocess, its output in a log file."""

    role: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> "CeleryProcess":
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [CELERY, "-A", "servicedesk", self.role, *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole, children included
        )
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until_ready(self, timeout: float = 60) -> None:
        marker = " ready." if self.role == "worker" else "beat: Starting..."
        wait_for(
            lambda: marker in self.output() or self._died(),
            timeout=timeout,
            what=f"celery {self.role} to start",
        )
        if self._died():
            pytest.fail(f"celery {self.role} exited:\n{self.output()[-3000:]}")

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def pool_children(self) -> list[int]:
        """The prefork pool's child processes (where tasks run)."""
        result = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in result.stdout.split()]

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


@dataclass
class Keeper:
    """Starts the worker and beat of one test and stops them all at its end."""

    tmp_path: Path
    smtp_port: int
    broker_url: str
    queue: str = field(default_factory=lambda: f"keeper-test-{uuid.uuid4().hex[:10]}")
    processes: list[CeleryProcess] = field(default_factory=list)
    restarts: int = 0

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": database_url_of_this_test(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "EMAIL_TIMEOUT": "5",
            "SWEEP_INTERVAL_SECONDS": "1",
            "HOUSEKEEPING_INTERVAL_SECONDS": "1",
            # Short leases and re-queue delays, so recovery happens in seconds, and task time
            # limits below the visibility timeout (as in production, only smaller).
            "CELERY_TASK_SOFT_TIME_LIMIT": "8",
            "CELERY_TASK_TIME_LIMIT": "10",
            "CELERY_VISIBILITY_TIMEOUT": "30",
            "OUTBOX_LEASE_SECONDS": "12",
            "OUTBOX_REQUEUE_AFTER_SECONDS": "4",
            "OUTBOX_RETRY_BASE_SECONDS": "1",
            "SECRET_KEY": "worker-test-secret",
            "DEBUG": "false",
            "TESTING": "true",
            "SITE_URL": "http://testserver",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        env.update(overrides)
        return env

    def worker(self, *, concurrency: int = 1, name: str = "worker", **env) -> CeleryProcess:
        args = [
            "--loglevel", "INFO", "--pool", "prefork", "--concurrency", str(concurrency),
            "--queues", self.queue, "--hostname", f"{name}-{self.queue}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        return self._start("worker", args, name, env)

    def beat(self, **env) -> CeleryProcess:
        schedule = self.tmp_path / "celerybeat-schedule"
        args = ["--loglevel", "INFO", "--schedule", str(schedule), "--max-interval", "1"]
        return self._start("beat", args, "beat", env)

    def _start(self, role: str, args: list[str], name: str, env: dict) -> CeleryProcess:
        process = CeleryProcess(
            role=role,
            args=args,
            env=self.env(**env),
            log_path=self.tmp_path / f"{name}.log",
        ).start()
        self.processes.append(process)
        return process

    def supervise(self) -> int:
        """Restart any process that exited, as docker-compose's `restart: unless-stopped` does.
        (A Celery worker may exit on a lost Redis connection while it restores unacknowledged
        messages, a long-standing kombu behaviour; production relies on the supervisor, and so
        do these tests.) Returns how many were restarted."""
        restarted = 0
        for process in self.processes:
            if process._died():
                process.log.close()
                process.start()
                restarted += 1
        self.restarts += restarted
        return restarted

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.output()[-4000:]}" for p in self.processes)


@pytest.fixture
def keeper_factory(transactional_db, tmp_path, smtp_settings):
    """Make a Keeper for a broker URL; the test process publishes to the same broker and queue.
    The processes stop before the transactional test's tables are flushed."""
    made: list[tuple[Keeper, object]] = []

    def make(broker_url: str | None = None) -> Keeper:
        keeper = Keeper(
            tmp_path=tmp_path,
            smtp_port=smtp_settings.port,
            broker_url=broker_url or settings.CELERY_BROKER_URL,
        )
        switch = broker_for_this_process(keeper.broker_url, keeper.queue)
        switch.__enter__()
        made.append((keeper, switch))
        return keeper

    yield make
    for keeper, switch in reversed(made):
        keeper.stop_all()
        switch.__exit__(None, None, None)
