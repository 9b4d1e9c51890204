"""Seed a migrated PostgreSQL database with synthetic history for the dashboard benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_wt7_bench SECRET_KEY=x \\
        .venv/bin/python bench/seed_dashboard.py --tickets 200000

Only for when the shared scale database is not available: set-based SQL (generate_series), so a
million tickets take minutes, not hours. Needs organisations and staff first (`seed_demo`). Per
ticket: 3 promises (first response, two updates; 85 % kept), 5 timeline entries (opened, a status
change, two public updates, an internal note); 5 % of tickets are open (a mix of every open
status, some breached now), the rest resolved or closed; 1 % of closed tickets have a loss.
Tickets spread over two years, open ones over the last 60 days. Not for production databases.
"""

# ruff: noqa: T201 (a command-line tool prints what it did)
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

STEPS = [
    (
        "tickets",
        """
        INSERT INTO tickets_ticket (subject, description, status, impact, urgency, priority,
            priority_override_reason, problem_statement, created_at, updated_at, organization_id,
            owner_id, next_update_due, understanding_confirmed_at, internal_search_text,
            public_search_text, best_times, contact_details, preferred_contact)
        SELECT 'Synthetic ticket ' || g, 'Generated for the dashboard benchmark.', s.status,
            2 + g %% 3, 2 + g %% 3, 2 + g %% 3, '', '', s.created, s.created, orgs[1 + g %% cardinality(orgs)],
            CASE WHEN s.status = 'new' THEN NULL ELSE staff[1 + g %% cardinality(staff)] END,
            CASE WHEN s.status IN ('new', 'open', 'in_progress', 'waiting_on_vendor')
                 THEN now() + ((g %% 240) - 60) * interval '1 minute' END,
            CASE WHEN g %% 3 = 0 THEN s.created + interval '2 hours' END, '', '', '', '', ''
        FROM generate_series(1, %(tickets)s) g,
            (SELECT array_agg(id) AS orgs FROM accounts_organization) o,
            (SELECT array_agg(id) AS staff FROM accounts_user WHERE role IN ('agent', 'manager')) u,
            LATERAL (SELECT
                CASE WHEN g %% 100 < 95 THEN (CASE WHEN g %% 2 = 0 THEN 'closed' ELSE 'resolved' END)
                     ELSE (ARRAY['new', 'open', 'in_progress', 'waiting_on_customer',
                                 'waiting_on_vendor'])[1 + g %% 5] END AS status,
                CASE WHEN g %% 100 < 95 THEN now() - random() * interval '730 days'
                     ELSE now() - random() * interval '60 days' END AS created) s
        """,
    ),
    (
        "promises",
        """
        INSERT INTO updates_promise (ticket_id, made_at, due_at, is_first_response, priority,
            outcome, closed_at)
        SELECT t.id, t.created_at + (n - 1) * interval '2 hours',
            t.created_at + (n - 1) * interval '2 hours' + interval '1 hour', n = 1, t.priority,
            CASE WHEN n = 3 AND t.next_update_due IS NOT NULL THEN 'pending'
                 WHEN (t.id + n) %% 20 < 17 THEN 'kept'
                 WHEN (t.id + n) %% 20 < 19 THEN 'breached' ELSE 'withdrawn' END,
            CASE WHEN n = 3 AND t.next_update_due IS NOT NULL THEN NULL
                 WHEN (t.id + n) %% 20 < 17 THEN t.created_at + (n - 1) * interval '2 hours'
                      + (t.id %% 55) * interval '1 minute'
                 ELSE t.created_at + (n - 1) * interval '2 hours' + interval '90 minutes' END
        FROM tickets_ticket t, generate_series(1, 3) n
        WHERE t.subject LIKE 'Synthetic ticket %%'
        """,
    ),
    (
        "pending promise deadlines",
        """
        UPDATE updates_promise p SET due_at = t.next_update_due,
            made_at = LEAST(p.made_at, t.next_update_due - interval '1 minute')
        FROM tickets_ticket t WHERE p.ticket_id = t.id AND p.outcome = 'pending'
        """,
    ),
    (
        "timeline",
        """
        INSERT INTO updates_timelineentry (ticket_id, kind, is_public, body, event, data,
            created_at)
        SELECT t.id,
            (ARRAY['event', 'event', 'public_update', 'internal_note', 'public_update'])[n],
            n <> 4 AND n <> 2, CASE WHEN n IN (3, 4, 5) THEN 'Synthetic update.' ELSE '' END,
            (ARRAY['opened', 'status_changed', '', '', ''])[n],
            CASE WHEN n = 2 THEN jsonb_build_object('old', 'open', 'new',
                CASE WHEN t.status IN ('waiting_on_vendor', 'waiting_on_customer') THEN t.status
                     ELSE 'in_progress' END)
                 ELSE '{}'::jsonb END,
            t.created_at + (ARRAY[0, 20, 30, 60, 150])[n] * interval '1 minute'
        FROM tickets_ticket t, generate_series(1, 5) n
        WHERE t.subject LIKE 'Synthetic ticket %%'
        """,
    ),
    (
        "losses",
        """
        INSERT INTO updates_loss (ticket_id, organization_id, category, description, lessons,
            created_at)
        SELECT t.id, t.organization_id,
            (ARRAY['misunderstood_problem', 'missed_update', 'slow_response', 'wrong_fix',
                   'vendor_failure', 'other'])[1 + t.id %% 6], 'Synthetic loss.', '',
            t.created_at + interval '1 day'
        FROM tickets_ticket t
        WHERE t.subject LIKE 'Synthetic ticket %%' AND t.status = 'closed' AND t.id %% 50 = 0
        """,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    for label, sql in STEPS:
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {"tickets": args.tickets})
            print(f"{label}: {cursor.rowcount:,} rows in {time.monotonic() - started:.1f} s")
    # Set-based SQL bypasses the promise ledger and the status-change receiver that keep the
    # dashboard's tallies; recompute them from what was loaded.
    from updates import dashboard_tally
    from vendors import services as vendor_services

    started = time.monotonic()
    tallies, waits = dashboard_tally.rebuild(), vendor_services.rebuild_vendor_waits()
    print(
        f"dashboard tallies: {tallies:,} rows, {waits:,} vendor waits in "
        f"{time.monotonic() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()
