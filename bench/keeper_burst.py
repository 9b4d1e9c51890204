"""Promise keeper burst benchmark: reminders on the dot (a script that prints figures, not a test).

On PostgreSQL with many open tickets, measures:
1. the idle sweep: --idle-runs runs of the sweep in this process when nothing is due (p50/p95),
   and the CPU the deployed worker and beat spend per minute while idle (--idle-seconds);
2. a burst: N promises (default 10,000) whose due-soon reminders fall due at random real moments
   over one minute, while beat ticks on the deployed schedule: a real `celery beat` process
   (default; `--beat script` lets this script send the sweep every --interval seconds instead)
   and one Celery worker with 2 pool processes on Redis, emailing a local SMTP sink. For each
   reminder it reports the lag from its due moment to its delivery: the later of its in-app
   notification (the `created_at` the delivering transaction stamps) and its email accepted by
   the SMTP sink. p50/p95/p99/max, lost (not delivered on both channels by the end) and doubled
   (an email accepted twice, a notification written twice) counts, the CPU-seconds the worker
   (all its processes) and this script spent per 1,000 deliveries (a figure that holds on a
   shared machine where wall times do not), and what the status page showed during the burst.

The SMTP sinks are in bench/keeper_sinks.py. While the burst runs, the script polls with cheap
queries (the partial indexes on pending alerts and unsent messages); the exact per-reminder
checks run once at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_h25k_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/keeper_burst.py

`--interval 60` reproduces the sweep of before issue 25 (the worst reminder waited a whole
minute for it). With fewer open tickets than --open-tickets it bulk-inserts the rest first
(tickets, their pending promises and alerts). It changes the database it runs on: use a copy,
never production.
"""

# ruff: noqa: E402, T201 - a script: Django is set up before the imports below, and it prints.
import argparse
import math
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
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

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.models import Organization, Role, User
from bench.keeper_sinks import AiosmtpdSink, MinimalSmtpSink
from servicedesk.celery import app
from tickets.models import Status, Ticket
from updates.keeper.clock import database_now
from updates.keeper.health import keeper_health
from updates.keeper.sweep import sweep
from updates.models import (
    AlertStage,
    AlertStatus,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Promise,
    PromiseAlert,
    PromiseOutcome,
)


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


def idle_sweep_ms(runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds (this process's) of `runs` idle sweeps in this process, after
    one that warms up (the first sweep of a process compiles and prepares its check and may
    reconcile in full)."""
    sweep()
    wall, cpu = [], []
    for _ in range(runs):
        began, cpu_began = time.perf_counter(), time.process_time()
        sweep()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - cpu_began) * 1000)
    return wall, cpu


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def prepare_burst(size: int, first_due, spread_seconds: int) -> list[int]:
    """Pick `size` open promises owned by an active person with a pending due-soon alert and a
    deadline well after the burst, and make their due-soon reminders fall due at random moments
    of the `spread_seconds` that start at `first_due`."""
    ids = list(
        PromiseAlert.objects.filter(
            stage=AlertStage.DUE_SOON,
            status=AlertStatus.PENDING,
            promise__outcome=PromiseOutcome.PENDING,
            promise__due_at__gt=first_due + timedelta(minutes=30),
            ticket__owner__is_active=True,
        ).values_list("pk", flat=True)[:size]
    )
    if len(ids) < size:
        sys.exit(f"Only {len(ids):,} open promises are available for a burst of {size:,}.")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE updates_promisealert SET due_at = %s + random() * %s WHERE id = ANY(%s)",
            [first_due, timedelta(seconds=spread_seconds), ids],
        )
        cursor.execute("ANALYZE updates_promisealert")
    return ids


def start_celery(role: str, args: list[str], env: dict, log_path: Path, ready: str, nice: int = 0):
    """A Celery process (worker or beat) in a session of its own, once its log says `ready`;
    `nice` below 0 (root only) lets it take the CPU it asks for on a shared machine, as it
    would on a machine of its own (PostgreSQL and Redis keep their share)."""
    celery = str(Path(sys.executable).with_name("celery"))
    log = log_path.open("wb")
    process = subprocess.Popen(
        [celery, "-A", "servicedesk", role, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=(lambda: os.nice(nice)) if nice else None,
    )
    deadline = time.monotonic() + 120
    while ready not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"The {role} did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.5)
    return process


def start_worker(env: dict, queue: str, concurrency: int, log_path: Path, nice: int = 0):
    args = [
        *("--loglevel", "INFO", "--pool", "prefork", "--concurrency", str(concurrency)),
        *("--queues", queue, "--without-gossip", "--without-mingle"),
        *("--hostname", f"bench-{queue}@%h"),
    ]
    return start_celery("worker", args, env, log_path, " ready.", nice)


def start_beat(env: dict, log_dir: Path, nice: int = 0):
    """celery beat as deployed: the settings' schedule (the sweep every SWEEP_INTERVAL_SECONDS,
    the vendor chases, the backstops), its tasks on the benchmark's queue."""
    args = ["--loglevel", "INFO", "--schedule", str(log_dir / "celerybeat-schedule")]
    return start_celery("beat", args, env, log_dir / "beat.log", "beat: Starting", nice)


def stop(process, *, group_kill_after: float = 60) -> None:
    """A warm shutdown: the main process stops its pool (SIGTERM to the whole group would kill
    a pool process mid-task and log it as lost); the group only if it does not stop."""
    process.terminate()
    try:
        process.wait(timeout=group_kill_after)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def per_thousand(seconds: float, deliveries: int) -> str:
    return f"{seconds / deliveries * 1000:.2f}" if deliveries else "-"


def worker_processes(group: int) -> int:
    return len(_group_stats(group))


def reminder_lags(alert_ids: list[int], accepted) -> dict:
    """Each reminder's lag in seconds from its due moment to its delivery (the later of its
    in-app notification and its email's acceptance by the sink), and the reminders lost (a
    channel missing) and doubled (a channel delivered twice). A due-soon reminder of an owned
    ticket goes to its owner alone: one notification and one email."""
    due = {
        pk: at.timestamp()
        for pk, at in PromiseAlert.objects.filter(pk__in=alert_ids).values_list("pk", "due_at")
    }
    in_app: dict[int, float] = {}
    in_app_count: Counter = Counter()
    for alert_id, created_at in Notification.objects.filter(alert_id__in=alert_ids).values_list(
        "alert_id", "created_at"
    ):
        in_app_count[alert_id] += 1
        in_app[alert_id] = min(in_app.get(alert_id, math.inf), created_at.timestamp())
    email: dict[int, float] = {}
    email_count: Counter = Counter()
    for key, at in accepted.entries:
        kind, _, rest = key.partition(b":")
        if kind != b"alert" or not rest.split(b":")[0].isdigit():
            continue
        alert_id = int(rest.split(b":")[0])
        if alert_id in due:
            email_count[alert_id] += 1
            email.setdefault(alert_id, at)
    lags, in_app_lags, email_lags = [], [], []
    lost = doubled = 0
    for alert_id, due_at in due.items():
        if alert_id not in in_app or alert_id not in email:
            lost += 1
            continue
        doubled += in_app_count[alert_id] > 1 or email_count[alert_id] > 1
        in_app_lags.append(in_app[alert_id] - due_at)
        email_lags.append(email[alert_id] - due_at)
        lags.append(max(in_app[alert_id], email[alert_id]) - due_at)
    return {
        "lags": lags,
        "in_app": in_app_lags,
        "email": email_lags,
        "lost": lost,
        "doubled": doubled,
    }


def lag_summary(lags: list[float]) -> str:
    if not lags:
        return "-"
    return " / ".join(f"{percentile(lags, share):.1f}" for share in (0.5, 0.95, 0.99, 1.0)) + " s"


def postgres_settings() -> str:
    with connection.cursor() as cursor:
        values = []
        for name in ("shared_buffers", "work_mem", "jit"):
            cursor.execute(f"SHOW {name}")
            values.append(f"{name} {cursor.fetchone()[0]}")
        cursor.execute("SELECT version()")
        return "; ".join(values) + f" ({cursor.fetchone()[0].split(',')[0]})"


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


class BeatPlayer:
    """This script as beat (`--beat script`): the sweep every `interval` seconds, as deployed."""

    def __init__(self, queue: str, interval: int) -> None:
        self.queue, self.interval = queue, interval
        self.next_tick = time.monotonic() + interval

    def tick_if_due(self) -> None:
        if time.monotonic() >= self.next_tick:
            app.send_task("updates.sweep_promises", queue=self.queue, expires=self.interval)
            self.next_tick += self.interval


def wait(seconds: float, player: BeatPlayer | None) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if player:
            player.tick_if_due()
        time.sleep(0.05)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open-tickets", type=int, default=100_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--spread", type=int, default=60, help="seconds the due moments span")
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    parser.add_argument("--beat", choices=["celery", "script"], default="celery")
    parser.add_argument(
        "--interval",
        type=int,
        default=settings.SWEEP_INTERVAL_SECONDS,
        help="SWEEP_INTERVAL_SECONDS for beat and the worker (default: the deployed one)",
    )
    parser.add_argument("--idle-runs", type=int, default=100, help="idle sweeps timed in-process")
    parser.add_argument("--idle-seconds", type=int, default=60, help="worker idle CPU window")
    parser.add_argument("--lead", type=int, default=10, help="seconds before the first is due")
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument(
        "--nice", type=int, default=0, help="niceness of the worker and beat (root: below 0)"
    )
    parser.add_argument("--no-migrate", action="store_true")
    parser.add_argument(
        "--sink",
        choices=["minimal", "aiosmtpd"],
        default="minimal",
        help="the SMTP server emails go to (bench/keeper_sinks.py)",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    # Stopped from outside (kill, timeout): still stop the processes in the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL (DATABASE_URL=postgres://...).")
    settings.SWEEP_INTERVAL_SECONDS = args.interval  # the status page judges by the run's beat
    load_before = load_average()

    if not args.no_migrate:
        call_command("migrate", verbosity=0)
    existing = open_ticket_count()
    inserted_seconds = None
    if existing < args.open_tickets:
        print(f"{existing:,} open tickets; inserting {args.open_tickets - existing:,} ...")
        inserted_seconds = bulk_insert_open_tickets(args.open_tickets - existing)
    total_tickets = Ticket.objects.count()
    settled = settle_existing_backlog()
    # The steady state autovacuum keeps: an earlier burst's fired alerts leave dead entries at
    # the head of the pending-alert index, which every check walks until they are marked dead,
    # and nothing marks them while any transaction on the server (another database's included)
    # is older than them; VACUUM removes them (docs/promise-keeper.md, "Benchmark").
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) updates_promisealert, updates_outboxmessage")
    open_tickets, open_promises = open_ticket_count(), pending_promise_count()
    idle, idle_cpu_ms = idle_sweep_ms(args.idle_runs)

    sink = MinimalSmtpSink() if args.sink == "minimal" else AiosmtpdSink()
    sink.start()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    log_dir = Path(tempfile.mkdtemp(prefix="keeper-burst-"))
    env = {
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "LOG_LEVEL": "WARNING",
        "SWEEP_INTERVAL_SECONDS": str(args.interval),
    }
    worker = start_worker(env, queue, args.concurrency, log_dir / "worker.log", args.nice)
    beat = start_beat(env, log_dir, args.nice) if args.beat == "celery" else None
    player = BeatPlayer(queue, args.interval) if beat is None else None
    beat_cpu = (lambda: process_group_cpu_seconds(beat.pid)) if beat else (lambda: 0.0)

    try:
        # Idle: what sweeping every interval costs the worker (and beat) when nothing is due.
        idle_began = (process_group_cpu_seconds(worker.pid), beat_cpu(), time.monotonic())
        wait(args.idle_seconds, player)
        idle_minutes = (time.monotonic() - idle_began[2]) / 60
        idle_cpu = {
            "worker": (process_group_cpu_seconds(worker.pid) - idle_began[0]) / idle_minutes,
            "beat": (beat_cpu() - idle_began[1]) / idle_minutes,
        }

        first_due = database_now() + timedelta(seconds=args.lead)
        alert_ids = prepare_burst(args.burst, first_due, args.spread)
        last_due = first_due + timedelta(seconds=args.spread)
        print(
            f"Burst of {len(alert_ids):,} due-soon reminders falling due from "
            f"{first_due:%H:%M:%S} to {last_due:%H:%M:%S} UTC; beat every {args.interval} s "
            f"({args.beat})",
            flush=True,
        )
        # Everything else due was settled, so these cheap queries (partial indexes) see only the
        # burst: an alert still pending and due by its end, a message still unsent.
        unrecorded = PromiseAlert.objects.filter(status=AlertStatus.PENDING, due_at__lte=last_due)
        unsent = OutboxMessage.objects.filter(
            status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]
        )
        wait(max(0.0, (first_due - database_now()).total_seconds()), player)
        began = time.monotonic()
        cpu_began = {
            "worker": process_group_cpu_seconds(worker.pid),
            "beat": beat_cpu(),
            "script": own_cpu_seconds(),
            "machine": machine_busy_seconds(),
        }
        worst_alert_lag = worst_backlog_age = peak_backlog = 0
        samples = stalled_samples = 0
        finished_after = None
        while time.monotonic() - began < args.timeout:
            now = database_now()
            health = keeper_health(now=now)
            worst_alert_lag = max(worst_alert_lag, health.oldest_due_alert_age_seconds)
            worst_backlog_age = max(worst_backlog_age, health.oldest_unsent_message_age_seconds)
            peak_backlog = max(peak_backlog, health.outbox_backlog)
            samples += 1
            stalled_samples += not health.healthy
            if now > last_due and not unrecorded.exists() and not unsent.exists():
                finished_after = time.monotonic() - began
                break
            wait(1.0, player)
        cpu = {
            "worker": process_group_cpu_seconds(worker.pid) - cpu_began["worker"],
            "beat": beat_cpu() - cpu_began["beat"],
            "script": own_cpu_seconds() - cpu_began["script"],
            "machine": machine_busy_seconds() - cpu_began["machine"],
        }
        workers_seen = worker_processes(worker.pid)
        time.sleep(2)  # anything still in flight (a duplicate) reaches the sink
    finally:
        if beat is not None:
            stop(beat, group_kill_after=10)
        stop(worker)
        sink.stop()

    burst = PromiseAlert.objects.filter(pk__in=alert_ids)
    fired = burst.filter(status=AlertStatus.FIRED).count()
    messages = OutboxMessage.objects.filter(alert_id__in=alert_ids)
    written, sent = messages.count(), messages.filter(status=OutboxStatus.SENT).count()
    measured = reminder_lags(alert_ids, sink.accepted)
    keys = sink.accepted.keys
    lags = measured["lags"]
    rows = [
        (
            "tickets in the database / open / pending promises",
            f"{total_tickets:,} / {open_tickets:,} / {open_promises:,}",
        ),
        ("already-due alerts settled before measuring", f"{settled:,}"),
        *(
            [("bulk insert of open tickets", f"{inserted_seconds:.1f} s")]
            if inserted_seconds is not None
            else []
        ),
        (
            f"idle sweep in-process, p50 / p95 of {len(idle)} runs",
            f"{percentile(idle, 0.5):.2f} / {percentile(idle, 0.95):.2f} ms "
            f"(min {min(idle):.2f}, max {max(idle):.2f}); CPU p50 {percentile(idle_cpu_ms, 0.5):.2f} ms",
        ),
        (
            "idle CPU per minute: worker (all processes) / beat",
            f"{idle_cpu['worker']:.2f} / {idle_cpu['beat']:.2f} s",
        ),
        (
            "burst (due-soon reminders) / seconds their due moments span",
            f"{len(alert_ids):,} / {args.spread} s",
        ),
        (
            "worker",
            f"1 worker, {args.concurrency} pool processes, nice {args.nice}, Redis broker "
            f"({workers_seen} processes in its group: main + pool)",
        ),
        (
            "beat / sweep interval",
            f"{'celery beat process' if beat else 'this script'}, every {args.interval} s",
        ),
        ("SMTP sink", args.sink),
        (
            "reminder lag, due moment to delivered (both channels): p50 / p95 / p99 / max",
            lag_summary(lags),
        ),
        ("  in-app notification written: p50 / p95 / p99 / max", lag_summary(measured["in_app"])),
        ("  email accepted by SMTP: p50 / p95 / p99 / max", lag_summary(measured["email"])),
        ("reminders lost / doubled", f"{measured['lost']:,} / {measured['doubled']:,}"),
        (
            "all delivered",
            f"{finished_after:.1f} s after the first reminder fell due"
            if finished_after
            else f"not within {args.timeout} s",
        ),
        ("alerts fired / messages written / sent", f"{fired:,} / {written:,} / {sent:,}"),
        ("emails accepted by SMTP (distinct keys)", f"{len(keys):,} ({len(set(keys)):,})"),
        (
            "CPU-seconds per 1,000 deliveries: worker / beat / this script / whole machine",
            " / ".join(per_thousand(cpu[k], sent) for k in ("worker", "beat", "script", "machine"))
            + f" ({cpu['worker']:.1f} s of worker CPU in all)",
        ),
        ("oldest due-but-unfired alert, worst during burst", f"{worst_alert_lag} s"),
        ("oldest unsent outbox message, worst during burst", f"{worst_backlog_age} s"),
        ("outbox backlog, peak during burst", f"{peak_backlog:,}"),
        ("status page samples 'stalled' during burst", f"{stalled_samples} of {samples}"),
        ("load average (1, 5, 15 min): before / after", f"{load_before} / {load_average()}"),
        ("PostgreSQL", postgres_settings()),
        ("machine", f"{os.cpu_count()} CPUs"),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    print(f"\nLogs: {log_dir}")


if __name__ == "__main__":
    main()
