"""Benchmark the manager dashboard pages: p50/p95 wall time and SQL queries per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_wt7_bench DEBUG=true \\
        .venv/bin/python bench/dashboard.py --runs 20

Runs in-process through Django's test client (no network, no server to start), signed in as a
manager (the first one in the database, or a throwaway `bench-manager@bench.test` it creates).
A bounded loop: `--runs` requests per page after one warm-up request. Prints the data size, the load
average before and after (the CPU may be shared: read figures with that in mind) and one line per
page: p50, p95, min, max in milliseconds, the median time spent in SQL (wall), the median CPU time of the Django
process (less sensitive to a shared CPU than wall time), and the number of
queries of the last request.
"""

# ruff: noqa: T201 (a command-line benchmark prints its figures)
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, User  # noqa: E402

PAGES = [
    ("dashboard, last 30 days", "/dashboard/?days=30", {}),
    ("dashboard, last 7 days", "/dashboard/?days=7", {}),
    ("Now panel (htmx refresh)", "/dashboard/?panel=now", {"HX-Request": "true"}),
    ("losses, last 90 days", "/dashboard/losses/?days=90", {}),
    ("CSV export by owner, 30 days", "/dashboard/?days=30&export=by_owner", {}),
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def data_size() -> str:
    with connection.cursor() as cursor:
        counts = []
        for table in ("tickets_ticket", "updates_timelineentry", "updates_promise", "updates_loss"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # fixed table names, no input
            counts.append(f"{table.split('_', 1)[1]}={cursor.fetchone()[0]:,}")
    return ", ".join(counts)


def manager() -> User:
    user = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(
            email="bench-manager@bench.test", password=None, role=Role.MANAGER, name="Bench"
        )
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="requests per page (at most 500)")
    args = parser.parse_args()
    runs = max(1, min(args.runs, 500))
    print(f"data: {data_size()}")
    print(f"load average before: {os.getloadavg()[0]:.2f} (CPU shared with other work)")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager())
    for label, url, headers in PAGES:
        client.get(url, headers=headers)  # warm up
        timings, sql_timings, cpu_timings = [], [], []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(url, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
                cpu_timings.append((time.process_time() - cpu_started) * 1000)
            sql_timings.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{label:32} p50 {statistics.median(timings):7.1f} ms  "
            f"p95 {percentile(timings, 0.95):7.1f} ms  min {min(timings):7.1f}  "
            f"max {max(timings):7.1f}  SQL p50 {statistics.median(sql_timings):7.1f} ms  "
            f"Python CPU p50 {statistics.median(cpu_timings):6.1f} ms  "
            f"queries {len(queries)}  (n={runs})"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
