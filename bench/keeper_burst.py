"""Promise keeper burst benchmark (a script that prints figures, not a test).

On PostgreSQL with many open tickets, measures:
1. the idle sweep: one run of the sweep when nothing is due (median of several);
2. a burst: N promises (default 10,000) whose due-soon reminders all fall due in the same
   minute, delivered by one Celery worker with 2 pool processes on Redis, emailing a local
   SMTP sink: the time until every reminder is recorded (alert fired, outbox written) and
   delivered (in-app notification written and email accepted by the SMTP server), the
   oldest-alert lag the status page shows during the burst, and the CPU-seconds the worker
   (all its processes) and this script (its SMTP sink and polling) spent per 1,000 deliveries,
   a figure that holds on a shared machine where wall times do not.

The SMTP sink is by default a minimal one (answers each command, reads the message to its final
dot, records its X-Service-Desk-Message key to count duplicates): it stands for a mail server on
another machine, so it should take as little of the 2 cores as it can. `--sink aiosmtpd` uses
aiosmtpd instead (a full SMTP server in Python, in this process), as the first runs did.
While the burst runs, the script polls with cheap queries (the partial indexes on pending alerts
and unsent messages); the exact per-message checks run once at the end.

The reminders fall due at random moments of one minute; the script plays beat, whose tick
comes at the end of that minute (as a 60 s beat's would at worst for the earliest of them), and
again every --interval seconds until everything is delivered. Times are measured from that
tick; the worst lag (from the first reminder falling due) includes the minute of waiting.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_wt3_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/keeper_burst.py

With fewer open tickets than --open-tickets it bulk-inserts the rest first (tickets, their
pending promises and alerts). It changes the database it runs on: use a copy, never production.
"""

# ruff: noqa: E402, T201 - a script: Django is set up before the imports below, and it prints.
import argparse
import asyncio
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")

import django

django.setup()

import logging

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line

from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection

from accounts.models import Organization, Role, User
from servicedesk.celery import app
from tickets.models import Status, Ticket
from updates.keeper.clock import database_now
from updates.keeper.health import keeper_health
from updates.keeper.sweep import sweep
from updates.models import (
    AlertStage,
    AlertStatus,
    OutboxMessage,
    OutboxStatus,
    Promise,
    PromiseAlert,
    PromiseOutcome,
)

KEY_HEADER = b"\nX-Service-Desk-Message:"


def message_key(content: bytes) -> bytes:
    """The outbox key a message carries in its X-Service-Desk-Message header (b"" if none)."""
    start = content.find(KEY_HEADER)
    if start < 0:
        return b""
    start += len(KEY_HEADER)
    end = content.find(b"\n", start)
    return content[start : end if end >= 0 else None].strip()


class CountingSink:
    """aiosmtpd's handler: accepts every message and records its key (the 'delivered' end)."""

    def __init__(self) -> None:
        self.keys: list[bytes] = []
        self.lock = threading.Lock()

    @property
    def count(self) -> int:
        return len(self.keys)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.keys.append(message_key(b"\n" + envelope.original_content))
        return "250 OK"


class AiosmtpdSink:
    def __init__(self) -> None:
        self.handler = CountingSink()
        self.controller = None
        self.port = 0

    @property
    def keys(self) -> list[bytes]:
        return self.handler.keys

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class MinimalSmtpSink:
    """A mail server doing the least an SMTP server can, on an asyncio loop in a thread: it
    answers each command, reads a message up to its final dot, records its key, says 250."""

    def __init__(self) -> None:
        self.keys: list[bytes] = []
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.port = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self.server = self.loop.run_until_complete(
            self.loop.create_server(lambda: _SinkProtocol(self.keys), "127.0.0.1", 0)
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.thread.start()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


class _SinkProtocol(asyncio.Protocol):
    def __init__(self, keys: list[bytes]) -> None:
        self.keys = keys
        self.buffer = b""
        self.in_data = False
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    return
                content, self.buffer = self.buffer[:end], self.buffer[end + 5 :]
                self.in_data = False
                self.keys.append(message_key(b"\n" + content))
                self.transport.write(b"250 accepted\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            verb = line[:4].upper()
            if verb == b"DATA":
                self.in_data = True
                self.transport.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 bye\r\n")
                self.transport.close()
                return
            else:
                self.transport.write(b"250 ok\r\n")


def _clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _group_stats(group: int) -> list[list[str]]:
    """/proc/<pid>/stat fields (after the command name) of every live process in a process
    group (the worker and its pool: it runs in a session of its own). Linux only."""
    stats = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # state, ppid, pgrp, ...
            stats.append(fields)
    return stats


def process_group_cpu_seconds(group: int) -> float:
    """User + system CPU of the live processes of a process group (utime, stime)."""
    return sum(int(f[11]) + int(f[12]) for f in _group_stats(group)) / _clock_ticks()


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_seconds() -> float:
    """CPU-seconds the whole machine spent busy (every process, every user), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / _clock_ticks()


def open_ticket_count() -> int:
    return Ticket.objects.open().count()


def pending_promise_count() -> int:
    return Promise.objects.filter(outcome=PromiseOutcome.PENDING).count()


def bulk_insert_open_tickets(missing: int, *, batch: int = 5000) -> float:
    """Open P2 tickets owned by 20 agents, each with its pending promise (due 1-48 h from now)
    and that promise's three alerts, written with bulk inserts. Returns seconds taken."""
    began = time.monotonic()
    org, _ = Organization.objects.get_or_create(name="Benchmark Traders")
    agents = [
        User.objects.get_or_create(
            email=f"bench-agent-{n}@bench.test", defaults={"name": f"Agent {n}", "role": Role.AGENT}
        )[0]
        for n in range(20)
    ]
    requester = User.objects.get_or_create(
        email="bench-contact@bench.test",
        defaults={"name": "Bench Contact", "role": Role.CONTACT, "organization": org},
    )[0]
    now = database_now()
    rng = random.Random(3)
    done = 0
    while done < missing:
        size = min(batch, missing - done)
        dues = [now + timedelta(minutes=rng.randint(60, 48 * 60)) for _ in range(size)]
        tickets = Ticket.objects.bulk_create(
            Ticket(
                organization=org,
                requester=requester,
                created_by=requester,
                subject=f"Benchmark ticket {done + i}",
                description="Generated by bench/keeper_burst.py.",
                status=Status.OPEN,
                impact=2,
                urgency=2,
                priority=2,
                owner=agents[(done + i) % len(agents)],
                next_update_due=due,
                created_at=now - timedelta(minutes=10),
            )
            for i, due in enumerate(dues)
        )
        promises = Promise.objects.bulk_create(
            Promise(
                ticket=ticket,
                made_at=now - timedelta(minutes=10),
                due_at=ticket.next_update_due,
                priority=2,
                is_first_response=True,
            )
            for ticket in tickets
        )
        lead = timedelta(minutes=30)
        PromiseAlert.objects.bulk_create(
            PromiseAlert(promise=promise, ticket_id=promise.ticket_id, stage=stage, due_at=at)
            for promise in promises
            for stage, at in (
                (AlertStage.DUE_SOON, promise.due_at - lead),
                (AlertStage.BREACHED, promise.due_at),
                (AlertStage.STILL_BREACHED, promise.due_at + lead),
            )
        )
        done += size
        print(f"  inserted {done:,} / {missing:,} open tickets", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket, updates_promise, updates_promisealert")
    return time.monotonic() - began


def settle_existing_backlog() -> int:
    """Mark alerts already due (or due during the run) as skipped so that only the burst is
    measured (a copied database has whatever was due when it was copied)."""
    horizon = database_now() + timedelta(minutes=15)
    skipped = PromiseAlert.objects.filter(status=AlertStatus.PENDING, due_at__lte=horizon).update(
        status=AlertStatus.SKIPPED
    )
    OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).update(
        status=OutboxStatus.SKIPPED
    )
    return skipped


def idle_sweep_ms(runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        sweep()
        timings.append((time.perf_counter() - began) * 1000)
    return timings


def prepare_burst(size: int, due_at) -> list[int]:
    """Pick `size` open promises owned by an active person with a pending due-soon alert and a
    deadline well after the burst, and make their due-soon reminders fall due at `due_at`
    (spread over that minute)."""
    ids = list(
        PromiseAlert.objects.filter(
            stage=AlertStage.DUE_SOON,
            status=AlertStatus.PENDING,
            promise__outcome=PromiseOutcome.PENDING,
            promise__due_at__gt=due_at + timedelta(minutes=30),
            ticket__owner__is_active=True,
        ).values_list("pk", flat=True)[:size]
    )
    if len(ids) < size:
        sys.exit(f"Only {len(ids):,} open promises are available for a burst of {size:,}.")
    with connection.cursor() as cursor:
        # Spread at random across the minute that ends at due_at (the next beat tick).
        cursor.execute(
            "UPDATE updates_promisealert SET due_at = %s - (random() * interval '60 seconds')"
            " WHERE id = ANY(%s)",
            [due_at, ids],
        )
    return ids


def start_worker(queue: str, smtp_port: int, concurrency: int, log_path: Path):
    env = {
        **os.environ,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "WARNING",
    }
    celery = str(Path(sys.executable).with_name("celery"))
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            *(celery, "-A", "servicedesk", "worker", "--loglevel", "INFO", "--pool", "prefork"),
            *("--concurrency", str(concurrency), "--queues", queue, "--without-gossip"),
            *("--without-mingle", "--hostname", f"bench-{queue}@%h"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while " ready." not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"The worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.5)
    return process


def per_thousand(seconds: float, deliveries: int) -> str:
    return f"{seconds / deliveries * 1000:.2f}" if deliveries else "-"


def worker_processes(group: int) -> int:
    return len(_group_stats(group))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open-tickets", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--interval", type=int, default=60, help="sweep interval (beat)")
    parser.add_argument("--idle-runs", type=int, default=5)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--no-migrate", action="store_true")
    parser.add_argument(
        "--sink",
        choices=["minimal", "aiosmtpd"],
        default="minimal",
        help="the SMTP server emails go to (module docstring)",
    )
    args = parser.parse_args()
    # Stopped from outside (kill, timeout): still stop the worker in the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL (DATABASE_URL=postgres://...).")

    if not args.no_migrate:
        call_command("migrate", verbosity=0)
    total_tickets = Ticket.objects.count()
    existing = open_ticket_count()
    inserted_seconds = None
    if existing < args.open_tickets:
        print(f"{existing:,} open tickets; inserting {args.open_tickets - existing:,} ...")
        inserted_seconds = bulk_insert_open_tickets(args.open_tickets - existing)
        total_tickets = Ticket.objects.count()
    settled = settle_existing_backlog()
    open_tickets, open_promises = open_ticket_count(), pending_promise_count()
    idle = idle_sweep_ms(args.idle_runs)

    sink = MinimalSmtpSink() if args.sink == "minimal" else AiosmtpdSink()
    sink.start()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    log_dir = Path(tempfile.mkdtemp(prefix="keeper-burst-"))
    worker = start_worker(queue, sink.port, args.concurrency, log_dir / "worker.log")

    try:
        due_at = database_now() + timedelta(seconds=5)
        alert_ids = prepare_burst(args.burst, due_at)
        burst = PromiseAlert.objects.filter(pk__in=alert_ids)
        first_due = burst.order_by("due_at")[0].due_at
        last_due = burst.order_by("-due_at")[0].due_at
        messages = OutboxMessage.objects.filter(alert_id__in=alert_ids)
        # Everything else due was settled above, so these cheap queries (partial indexes) see
        # only the burst: an alert still pending and due, a message still unsent.
        unrecorded = PromiseAlert.objects.filter(status=AlertStatus.PENDING, due_at__lte=due_at)
        unsent = OutboxMessage.objects.filter(
            status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]
        )
        print(
            f"Burst of {len(alert_ids):,} due-soon reminders that fell due from "
            f"{first_due:%H:%M:%S} to {last_due:%H:%M:%S} UTC; beat tick at {due_at:%H:%M:%S}",
            flush=True,
        )
        while database_now() < due_at:
            time.sleep(0.05)
        began = time.monotonic()
        cpu_began = {
            "worker": process_group_cpu_seconds(worker.pid),
            "script": own_cpu_seconds(),
            "machine": machine_busy_seconds(),
        }
        next_sweep = began
        recorded_after = delivered_after = None
        worst_alert_lag = worst_backlog_age = peak_backlog = 0
        samples = 0
        while time.monotonic() - began < args.timeout:
            if time.monotonic() >= next_sweep:
                app.send_task("updates.sweep_promises", queue=queue)
                next_sweep += args.interval
            now = database_now()
            health = keeper_health(now=now)
            worst_alert_lag = max(worst_alert_lag, health.oldest_due_alert_age_seconds)
            worst_backlog_age = max(worst_backlog_age, health.oldest_unsent_message_age_seconds)
            peak_backlog = max(peak_backlog, health.outbox_backlog)
            samples += 1
            if recorded_after is None and not unrecorded.exists():
                recorded_after = time.monotonic() - began
            if recorded_after is not None and not unsent.exists():
                delivered_after = time.monotonic() - began
                break
            time.sleep(0.5)
        cpu = {
            "worker": process_group_cpu_seconds(worker.pid) - cpu_began["worker"],
            "script": own_cpu_seconds() - cpu_began["script"],
            "machine": machine_busy_seconds() - cpu_began["machine"],
        }
        workers_seen = worker_processes(worker.pid)
        fired = burst.filter(status=AlertStatus.FIRED).count()
        written = messages.count()
        sent = messages.filter(status=OutboxStatus.SENT).count()
        last_sent = messages.order_by("-sent_at")[0].sent_at if sent else None
    finally:
        # A warm shutdown: the main process stops its pool (SIGTERM to the whole group would kill
        # a pool process mid-task and log it as lost); the group only if it does not stop.
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        sink.stop()

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(",")[0]
    load = os.getloadavg()
    rows = [
        ("tickets in the database", f"{total_tickets:,}"),
        ("open tickets", f"{open_tickets:,}"),
        ("pending promises", f"{open_promises:,}"),
        ("already-due alerts settled before measuring", f"{settled:,}"),
        *(
            [("bulk insert of open tickets", f"{inserted_seconds:.1f} s")]
            if inserted_seconds is not None
            else []
        ),
        (
            f"idle sweep, median of {len(idle)}",
            f"{statistics.median(idle):.1f} ms (min {min(idle):.1f}, max {max(idle):.1f})",
        ),
        ("burst size (due-soon reminders in one minute)", f"{len(alert_ids):,}"),
        (
            "worker",
            f"1 worker, {args.concurrency} pool processes, Redis broker "
            f"({workers_seen} processes in its group: main + pool)",
        ),
        ("SMTP sink", args.sink),
        ("sweep interval (script plays beat)", f"{args.interval} s"),
        (
            "all recorded (alerts fired, outbox written)",
            f"{recorded_after:.1f} s after the beat tick" if recorded_after else "not done",
        ),
        (
            "all delivered (in-app + email accepted by SMTP)",
            f"{delivered_after:.1f} s after the beat tick"
            if delivered_after
            else f"not done ({sent:,} of {messages.count():,} sent)",
        ),
        (
            "worst lag: last delivery after the first reminder fell due",
            f"{(last_sent - first_due).total_seconds():.1f} s" if last_sent else "-",
        ),
        ("alerts fired / messages written", f"{fired:,} / {written:,}"),
        (
            "messages delivered (in-app + email)",
            f"{sent:,} (SMTP accepted {len(sink.keys):,}, {len(set(sink.keys)):,} distinct)",
        ),
        (
            "CPU-seconds per 1,000 deliveries: worker (all processes)",
            f"{per_thousand(cpu['worker'], sent)} ({cpu['worker']:.1f} s in all)",
        ),
        (
            "CPU-seconds per 1,000 deliveries: this script (sink, polling)",
            f"{per_thousand(cpu['script'], sent)} ({cpu['script']:.1f} s in all)",
        ),
        (
            "CPU-seconds per 1,000 deliveries: whole machine (everyone's)",
            f"{per_thousand(cpu['machine'], sent)} ({cpu['machine']:.1f} s in all)",
        ),
        ("oldest due-but-unsent alert, worst during burst", f"{worst_alert_lag} s"),
        ("oldest unsent outbox message, worst during burst", f"{worst_backlog_age} s"),
        ("outbox backlog, peak during burst", f"{peak_backlog:,}"),
        ("load average (1, 5, 15 min) at the end", " / ".join(f"{x:.2f}" for x in load)),
        ("machine", f"{os.cpu_count()} CPUs; {pg}"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    print(f"\nWorker log: {log_dir / 'worker.log'}")


if __name__ == "__main__":
    main()
