"""Webhook burst benchmark (a script that prints figures, not a test; not run in CI).

Records N events (default 10,000 ticket.updated events, 5 per ticket, as a busy desk would) for 5
JSON subscriptions pointing at a local receiver, then starts one Celery worker with 2 pool
processes on Redis and measures how long until every delivery (N x 5) has had its 2xx: deliveries
per second and events per second (an event counts once all 5 subscriptions have it), the time to
record the events (in the transactions of their changes), duplicates seen by the receiver, and the
CPU-seconds the worker spent per 1,000 deliveries.

The receiver is a minimal HTTP/1.1 server in this process (keep-alive, answers 204 at once,
counts webhook-ids): it stands for receivers on other machines. The script plays beat: it rings
the delivery task every second (a task that finds nothing due costs one query).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench_webhooks \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/webhooks_burst.py

It changes the database it runs on (migrates it, adds tickets, subscriptions and events): use a
scratch database, never production.
"""

# ruff: noqa: E402, T201 - a script: Django is set up before the imports below, and it prints.
import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
os.environ["WEBHOOK_ALLOWED_NETWORKS"] = "127.0.0.1/32"

import django

django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Organization, Role, User
from servicedesk.celery import app
from tickets import services as ticket_services
from webhooks import events, payloads
from webhooks.models import Delivery, DeliveryStatus, Subscription, new_secret
from webhooks.tasks import DELIVER_TASK

SUBSCRIPTIONS = 5


class Receiver:
    def __init__(self) -> None:
        self.ids: Counter = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = (self.path, self.headers["webhook-id"])
                with receiver.lock:
                    receiver.ids[key] += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def make_tickets(count: int) -> list:
    organization, _ = Organization.objects.get_or_create(name="Webhook Bench Ltd")
    owner = User.objects.filter(role=Role.AGENT, is_active=True).first()
    if owner is None:
        owner = User.objects.create_user(
            email=f"bench-{uuid.uuid4().hex[:6]}@bench.test", name="Bench Agent", role=Role.AGENT
        )
    tickets = []
    for n in range(count):
        tickets.append(
            ticket_services.create_ticket(
                created_by=owner,
                organization=organization,
                subject=f"Webhook bench {n}",
                description="Bench.",
                impact=3,
                urgency=3,
            )
        )
    return tickets


def record_events(tickets: list, total: int, subscriptions: list) -> float:
    """`total` ticket.updated events, round-robin over the tickets, 500 per transaction."""
    began = time.monotonic()
    made = 0
    while made < total:
        with transaction.atomic():
            for _ in range(min(500, total - made)):
                ticket = tickets[made % len(tickets)]
                events.record(
                    "ticket.updated",
                    lambda t=ticket: payloads.ticket(t),
                    at=timezone.now(),
                    ticket=ticket,
                    subscriptions=subscriptions,
                )
                made += 1
    return time.monotonic() - began


def start_worker(queue: str, concurrency: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": queue, "LOG_LEVEL": "WARNING"}
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


def group_cpu_seconds(pgid: int) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def pg_settings() -> str:
    with connection.cursor() as cursor:
        values = []
        for name in ("shared_buffers", "synchronous_commit", "work_mem", "max_connections"):
            cursor.execute(f"SHOW {name}")
            values.append(f"{name}={cursor.fetchone()[0]}")
    return ", ".join(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--tickets", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=1200)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    receiver = Receiver()
    Subscription.objects.all().delete()
    subscriptions = [
        Subscription.objects.create(
            url=f"http://127.0.0.1:{receiver.port}/hook/{n}", events=["*"], secret=new_secret()
        )
        for n in range(SUBSCRIPTIONS)
    ]
    print(f"making {args.tickets:,} tickets", flush=True)
    tickets = make_tickets(args.tickets)
    Delivery.objects.all().delete()  # the tickets' own ticket.created events are not the burst
    queue = f"webhooks-bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    print(f"recording {args.events:,} events", flush=True)
    record_seconds = record_events(tickets, args.events, subscriptions)
    expected = args.events * SUBSCRIPTIONS
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE webhooks_delivery")

    log_path = Path(f"/tmp/{queue}.log")
    worker = start_worker(queue, args.concurrency, log_path)
    cpu_before = group_cpu_seconds(worker.pid)
    began = time.monotonic()
    delivered = 0
    try:
        while delivered < expected:
            if time.monotonic() - began > args.timeout:
                sys.exit(f"Timed out with {delivered:,} of {expected:,} delivered")
            app.tasks[DELIVER_TASK].apply_async(expires=2)  # beat, every second
            time.sleep(1)
            delivered = Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count()
            print(f"  {delivered:,} / {expected:,} delivered", flush=True)
        elapsed = time.monotonic() - began
        cpu = group_cpu_seconds(worker.pid) - cpu_before
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    with receiver.lock:
        received = sum(receiver.ids.values())
        duplicates = sum(n - 1 for n in receiver.ids.values() if n > 1)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = [
        (
            "events / subscriptions / deliveries",
            f"{args.events:,} / {SUBSCRIPTIONS} / {expected:,}",
        ),
        (
            "tickets (events per ticket, delivered in order)",
            f"{args.tickets:,} ({args.events // args.tickets})",
        ),
        (
            "recording the events (500 per transaction)",
            f"{record_seconds:.1f} s ({args.events / record_seconds:,.0f} events/s)",
        ),
        ("all delivered after", f"{elapsed:.1f} s"),
        ("deliveries per second", f"{expected / elapsed:,.0f}"),
        ("events per second (all 5 subscriptions)", f"{args.events / elapsed:,.0f}"),
        ("requests received / duplicates", f"{received:,} / {duplicates}"),
        ("worker CPU per 1,000 deliveries", f"{cpu / expected * 1000:.2f} s"),
        ("worker", f"1 worker, {args.concurrency} pool processes, Redis broker"),
        ("PostgreSQL", pg_settings()),
        ("load average (1, 5, 15 min) at the end", load),
        ("cores", str(os.cpu_count())),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
