"""Benchmark the billing page and the invoicing export at scale: p50/p95 wall time and queries.

    createdb -h 127.0.0.1 -U postgres -T sd_scale sd_billing_bench      # a copy: this writes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_billing_bench \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_billing_bench \\
        .venv/bin/python bench/billing.py --seed-entries 3000000 --runs 60 --export-runs 5

Seeds time entries on the seeded tickets in one INSERT ... SELECT over generate_series (spread
evenly over the last `--months` months, every ticket of the database, every staff member, the
four work types, one in five not billable) and a contract for every organisation (10 hours
included, rates per work type, 15-minute rounding, x1.5 out of hours), unless the database
already has as many entries. Then measures, in process through Django's test client signed in as
a manager, `--runs` requests of each page after 2 warm-up requests, one at a time (a bounded
loop): the billing page of the last full month (its first page of 100 organisations), one
organisation's drill-down, and the whole month's CSV export read to its end. Prints the data
size, PostgreSQL settings, the load average before and after, and p50/p95/max per page. Never
run in CI.
"""

# ruff: noqa: T201 (a command-line benchmark prints its figures)
import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

import django

django.setup()

from django.conf import settings as django_settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization, Role, User  # noqa: E402
from billing.models import Contract, WorkType  # noqa: E402

SEED_SQL = """
INSERT INTO billing_timeentry
    (ticket_id, agent_id, started_at, minutes, billable, work_type_id, note, created_at)
SELECT
    tickets.ids[(1 + (g * 7919) %% array_length(tickets.ids, 1))::int],
    staff.ids[(1 + (g * 104729) %% array_length(staff.ids, 1))::int],
    now() - make_interval(mins => ((g * 2654435761) %% (%(months)s * 30 * 1440))::int),
    (5 + (g * 37) %% 115)::smallint,
    g %% 5 <> 0,
    kinds.ids[(1 + g %% array_length(kinds.ids, 1))::int],
    '',
    now()
FROM generate_series(1::bigint, %(count)s) AS g,
    (SELECT array_agg(id ORDER BY id) AS ids FROM tickets_ticket) AS tickets,
    (SELECT array_agg(id ORDER BY id) AS ids FROM accounts_user WHERE role <> 'contact') AS staff,
    (SELECT array_agg(id ORDER BY id) AS ids FROM billing_worktype) AS kinds
"""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def scalar(sql: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def seed(count: int, months: int) -> None:
    have = scalar("SELECT count(*) FROM billing_timeentry")
    if have >= count:
        print(f"time entries: {have:,} already there")
    else:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(SEED_SQL, {"count": count - have, "months": months})
            cursor.execute("ANALYZE billing_timeentry")
        print(f"seeded {count - have:,} time entries in {time.perf_counter() - started:.0f} s")
    rates = {str(pk): f"{80 + 10 * pk}.00" for pk in WorkType.objects.values_list("pk", flat=True)}
    missing = Organization.objects.filter(contract__isnull=True)
    Contract.objects.bulk_create(
        Contract(
            organization=organization,
            included_minutes=600,
            rates=rates,
            rounding_minutes=15,
            out_of_hours_multiplier="1.5",
        )
        for organization in missing
    )


def manager() -> User:
    user = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    return user or User.objects.create_user(
        "bench-manager@bench.test", password=None, role=Role.MANAGER, name="Bench Manager"
    )


def measure(client: Client, url: str, runs: int, *, stream: bool = False) -> dict:
    timings, queries = [], 0
    for run in range(runs + 2):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            size = (
                sum(len(chunk) for chunk in response.streaming_content)
                if stream
                else len(response.content)
            )
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        if run >= 2:
            timings.append(elapsed)
        queries = len(captured)
    return {
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
        "queries": queries,
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed-entries", type=int, default=0)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument(
        "--export-runs", type=int, default=None, help="runs of the export (default: --runs)"
    )
    args = parser.parse_args()
    if args.seed_entries:
        seed(args.seed_entries, args.months)
    now = timezone.now()
    first = now.replace(day=1)
    last_month = (first - timedelta(days=1)).strftime("%Y-%m")
    month_entries = scalar(
        "SELECT count(*) FROM billing_timeentry WHERE started_at >= "
        "date_trunc('month', now()) - interval '1 month' AND started_at < date_trunc('month', now())"
    )
    busiest = scalar(
        "SELECT t.organization_id FROM billing_timeentry e JOIN tickets_ticket t ON t.id = e.ticket_id"
        " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    print(
        f"tickets={scalar('SELECT count(*) FROM tickets_ticket'):,} "
        f"time entries={scalar('SELECT count(*) FROM billing_timeentry'):,} "
        f"organisations={Organization.objects.count():,} entries in {last_month}={month_entries:,}"
    )
    settings = ", ".join(
        f"{name}={scalar(f'SHOW {name}')}"
        for name in (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "max_parallel_workers_per_gather",
        )
    )
    print(f"PostgreSQL {scalar('SHOW server_version')}: {settings}")
    print(f"load before: {os.getloadavg()}")
    # The bench's manager signs in without a second factor (the gate is not what is measured).
    django_settings.STAFF_2FA_REQUIRED_ROLES = []
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager())
    pages = [
        # Every organisation is priced on each page; the first 100 of them are rendered.
        ("billing page (first 100 orgs)", f"/billing/?month={last_month}", False),
        (
            "drill-down, busiest organisation",
            f"/billing/organizations/{busiest}/?month={last_month}",
            False,
        ),
        ("CSV export, whole month", f"/api/v1/time-entries/export/?month={last_month}", True),
    ]
    export_runs = args.runs if args.export_runs is None else args.export_runs
    for name, url, stream in pages:
        figures = measure(client, url, export_runs if stream else args.runs, stream=stream)
        print(f"load after {name}: {os.getloadavg()}")
        print(
            f"{name:36} p50 {figures['p50']:8.0f} ms  p95 {figures['p95']:8.0f} ms  "
            f"max {figures['max']:8.0f} ms  {figures['queries']} queries  {figures['bytes']:,} bytes"
        )
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
