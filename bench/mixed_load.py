# ruff: noqa: E402, T201 - a script: Django is set up before the imports below, and it prints.
"""Throughput under a mixed load: many clients at once, as a desk's day looks.

Eight client threads (``--clients``) send requests back to back for ``--seconds`` to gunicorn on
127.0.0.1, each picking its next request at random by weight: staff pages 70% (the queue's "Mine"
and "All open", ticket pages of the agent's open tickets), portal pages 20% (the list and the
organisation's tickets), API writes 10% (a public update with a new promise on an open ticket,
through ``POST /api/v1/tickets/{id}/updates/``). It prints requests per second, client-side
p50/p95/p99 and the errors, with the gunicorn workers and threads it ran.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_scale_bench \\
        .venv/bin/python bench/mixed_load.py --workers 4 --threads 2 --clients 8 --seconds 60

It writes (updates on tickets): run it on a copy of a seeded database, never production.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")

import django

django.setup()

from bench.httploop import Gunicorn
from bench.measure import Targets, session_cookie
from tickets.models import OPEN_STATUSES, Ticket


class Server(Gunicorn):
    def __init__(self, port: int, workers: int, threads: int):
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            API_THROTTLE_USER="1000000/minute",
            LOG_LEVEL="WARNING",
        )
        command = [str(ROOT / ".venv/bin/gunicorn"), "servicedesk.wsgi", "--bind"]
        command += [f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
        command += ["--timeout", "120", "--no-control-socket"]
        super().__init__(command, port=port, cwd=ROOT, env=env, ready_path="/login/")


def plan(targets: Targets) -> list[tuple[float, str, str, str, object]]:
    """(weight, kind, method, path, body) for every request the clients may send."""
    staff_tickets = list(
        Ticket.objects.filter(owner=targets.agent, status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    portal_tickets = list(
        Ticket.objects.filter(organization=targets.contact.organization)
        .order_by("-pk")
        .values_list("pk", flat=True)[:200]
    )
    writable = list(
        Ticket.objects.filter(status="in_progress", owner__isnull=False)
        .order_by("-pk")
        .values_list("pk", flat=True)[:500]
    )
    counter = iter(range(10**9))

    def update_body() -> str:
        due = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        body = f"Mixed-load update {next(counter)}: the fix is in testing; we will confirm by then."
        return json.dumps({"body": body, "visibility": "public", "next_update_due": due})

    requests = [(0.15, "staff", "GET", "/", None), (0.10, "staff", "GET", "/?view=open", None)]
    requests += [
        (0.45 / len(staff_tickets), "staff", "GET", f"/tickets/{pk}/", None) for pk in staff_tickets
    ]
    requests += [(0.08, "portal", "GET", "/portal/", None)]
    requests += [
        (0.12 / len(portal_tickets), "portal", "GET", f"/portal/tickets/{pk}/", None)
        for pk in portal_tickets
    ]
    requests += [
        (0.10 / len(writable), "api", "POST", f"/api/v1/tickets/{pk}/updates/", update_body)
        for pk in writable
    ]
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--port", type=int, default=8911)
    args = parser.parse_args()

    targets = Targets()
    headers = {
        "staff": {"Cookie": f"sessionid={session_cookie(targets.agent)}"},
        "portal": {"Cookie": f"sessionid={session_cookie(targets.contact)}"},
        "api": {"Authorization": f"Token {targets.token}", "Content-Type": "application/json"},
    }
    requests = plan(targets)
    weights = [r[0] for r in requests]
    server = Server(args.port, args.workers, args.threads)
    samples: list[tuple[float, str, int, float]] = []  # (finished, kind, status, ms)
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + args.warmup + args.seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            _, kind, method, path, body = rng.choices(requests, weights)[0]
            payload = body() if callable(body) else body
            try:
                response, _content, elapsed = server.request(
                    method, path, body=payload, headers=headers[kind]
                )
                status = response.status
            except OSError:
                status, elapsed = 0, 0.0
            with lock:
                samples.append((time.monotonic(), kind, status, elapsed))

    cpu_before = _cpu_seconds(server.process.pid)
    db_before = _postgres_cpu_seconds()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(args.clients)]
    load_before = os.getloadavg()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu_after = _cpu_seconds(server.process.pid)
    db_after = _postgres_cpu_seconds()
    server.stop()

    measured = [s for s in samples if s[0] >= started + args.warmup]
    ms = sorted(s[3] for s in measured if 200 <= s[2] < 400)
    errors = [s for s in measured if not 200 <= s[2] < 400]
    by_kind = {k: sum(1 for s in measured if s[1] == k) for k in ("staff", "portal", "api")}

    def pct(q: float) -> float:
        return round(ms[min(len(ms) - 1, int(q * len(ms)))], 1) if ms else float("nan")

    print(
        json.dumps(
            {
                "gunicorn": {"workers": args.workers, "threads": args.threads},
                "clients": args.clients,
                "seconds": args.seconds,
                "requests": len(measured),
                "requests_per_second": round(len(measured) / args.seconds, 1),
                "p50_ms": pct(0.50),
                "p95_ms": pct(0.95),
                "p99_ms": pct(0.99),
                "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
                "errors": len(errors),
                "error_statuses": sorted({s[2] for s in errors}),
                "mix": by_kind,
                "web_cpu_ms_per_request": round(
                    (cpu_after - cpu_before) * 1000 / max(1, len(samples)), 2
                ),
                "postgres_cpu_ms_per_request": round(
                    (db_after - db_before) * 1000 / max(1, len(samples)), 2
                ),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
            },
            indent=2,
        )
    )


def _postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL process (the server is on this machine), from
    /proc: the database's share of the load, which the web process's own figure leaves out."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() != "postgres":
                    continue
        except OSError:
            continue
        # utime, stime, cutime, cstime: the 12th to 15th fields after the command name.
        total += sum(int(value) for value in fields[11:15])
    return total / ticks


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of gunicorn's whole process group (master and workers), from /proc."""
    output = subprocess.run(
        ["ps", "-o", "times=", "-g", str(os.getpgid(pid))], capture_output=True, text=True
    ).stdout
    return float(sum(int(line) for line in output.split()))


if __name__ == "__main__":
    main()
