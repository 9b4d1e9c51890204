# ruff: noqa: T201 (a command-line tool: printing is its output)
"""Measure one database: start gunicorn on it, time each page, print the results as JSON.

Run by bench/runner.py (`bench/run`), which picks and copies the database; usable alone:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_scale_10k_bench \
        .venv/bin/python -m bench.measure --pages queue_default --requests 10

1. Targets are chosen from the data (the open ticket with the longest timeline, the largest
   customer's organisation admin, ...), so the same command works on any seeded database.
2. Requests go one at a time to 127.0.0.1 only, a bounded number per page after a warm-up;
   the server's own time and query count come from bench.middleware's response headers.
3. The idle reminder sweep runs in this process (it is a Celery task body, not a page): one
   sweep first drains whatever came due since the data was seeded, then the measured sweeps
   find nothing to do, which is the steady state the target is about.
"""

import argparse
import json
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from bench.httploop import Gunicorn, Result, measure  # noqa: E402
from tickets.models import OPEN_STATUSES, Ticket  # noqa: E402

PAGES = (
    "queue_default",
    "queue_open",
    "queue_filtered",
    "queue_search",
    "queue_deep",
    "ticket_typical",
    "ticket_long",
    "ticket_long_all",
    "post_update",
    "portal_list",
    "portal_ticket",
    "dashboard",
    "incidents_list",
    "inbound_list",
    "api_list",
    "api_create",
    "sweep_idle",
)
DEEP_PAGES = 40  # the deep page is 40 "next" clicks in (1,000 tickets down)
# What a page shows, counted in its HTML: the queue's rows, the ticket page's timeline entries
# (50 at most, newest first, unless ?timeline=all), so a comparison can say what each renders.
COUNTS = {
    "queue": lambda content: content.count(b"<tr data-href="),
    "ticket": lambda content: content.count(b'<li class="entry '),
}


def session_cookie(user: User) -> str:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


class Server(Gunicorn):
    """gunicorn on 127.0.0.1 with the bench settings and the deployment's worker count."""

    def __init__(self, port: int, workers: int):
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            API_THROTTLE_USER="1000000/minute",
            LOG_LEVEL="WARNING",
        )
        command = [str(ROOT / ".venv/bin/gunicorn"), "servicedesk.wsgi", "--bind"]
        command += [f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "120"]
        command += ["--no-control-socket"]  # the default socket is shared per user
        super().__init__(command, port=port, cwd=ROOT, env=env, ready_path="/login/")


class Targets:
    """What each page is measured on, chosen from the data."""

    def __init__(self):
        self.manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
        if self.manager is None:
            raise SystemExit("No manager in this database: seed it with manage.py seed_scale.")
        # The staff pages are seen by the agent with the most open tickets (the queue's default
        # view is "Mine"); the dashboard and the API list by a manager.
        self.agent = (
            User.objects.filter(role=Role.AGENT, is_active=True)
            .annotate(
                open_count=Count("owned_tickets", filter=Q(owned_tickets__status__in=OPEN_STATUSES))
            )
            .order_by("-open_count", "pk")
            .first()
        ) or self.manager
        # The organisation admin of the customer with the most tickets (org1 in seed_scale).
        self.contact = (
            User.objects.filter(role=Role.CONTACT, sees_organization_tickets=True)
            .order_by("pk")
            .first()
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT e.ticket_id FROM updates_timelineentry e
                JOIN tickets_ticket t ON t.id = e.ticket_id
                WHERE t.status = ANY(%s) AND t.owner_id IS NOT NULL
                GROUP BY e.ticket_id ORDER BY count(*) DESC, e.ticket_id LIMIT 1
                """,
                [sorted(OPEN_STATUSES)],
            )
            self.long_ticket = Ticket.objects.select_related("owner").get(pk=cursor.fetchone()[0])
            cursor.execute(
                """
                SELECT e.ticket_id FROM updates_timelineentry e
                JOIN tickets_ticket t ON t.id = e.ticket_id
                WHERE t.organization_id = %s AND e.is_public
                GROUP BY e.ticket_id ORDER BY count(*) DESC, e.ticket_id LIMIT 1
                """,
                [self.contact.organization_id],
            )
            self.portal_ticket = cursor.fetchone()[0]
            # A typical ticket: the open, owned one whose timeline length is the median's, so the
            # comparison with other desks is ticket for ticket, not our typical to their longest.
            cursor.execute(
                """
                WITH lengths AS (
                    SELECT e.ticket_id, count(*) AS n FROM updates_timelineentry e
                    JOIN tickets_ticket t ON t.id = e.ticket_id
                    WHERE t.status = ANY(%s) AND t.owner_id = %s
                    GROUP BY e.ticket_id
                )
                SELECT ticket_id, n FROM lengths
                WHERE n = (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) FROM lengths)
                ORDER BY ticket_id LIMIT 1
                """,
                [sorted(OPEN_STATUSES), self.agent.pk],
            )
            self.typical_ticket, self.typical_entries = cursor.fetchone()
        self.update_ticket = (
            Ticket.objects.filter(status="in_progress", owner__isnull=False, eta__isnull=True)
            .order_by("-pk")
            .first()
        )
        self.token = Token.objects.get_or_create(user=self.manager)[0].key
        self.requester = self.contact
        self.counts = {
            "typical ticket's entries": self.typical_entries,
            "longest ticket's entries": self.long_ticket.timeline.count(),
            "tickets": Ticket.objects.count(),
            "open tickets": Ticket.objects.open().count(),
        }
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM updates_timelineentry")
            self.counts["timeline entries"] = cursor.fetchone()[0]


measure_http = measure


def deep_page_url(server, cookies, start: str) -> str:
    import re

    path = start
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    for _ in range(DEEP_PAGES):
        _response, content, _ = server.request("GET", path, headers={"Cookie": cookie})
        match = re.search(rb'href="([^"]*)"[^>]*rel="next"', content)
        if not match:
            break
        next_url = match.group(1).decode().replace("&amp;", "&")
        path = next_url if next_url.startswith("/") else "/" + next_url.lstrip("/")
        if next_url.startswith("?"):
            path = "/" + next_url
    return path


def measure_sweep(result: Result, *, n: int, warmup: int) -> Result:
    from django.utils import timezone

    from updates.keeper.sweep import sweep
    from updates.models import OutboxMessage, OutboxStatus

    for _ in range(20):  # drain what came due since seeding (bounded)
        if not sweep().fired:
            break
    # No worker runs here: undelivered messages (from the drain, or left by an earlier run on
    # this copy) would otherwise be re-queued by every sweep, which measures a stalled worker,
    # not an idle desk. Mark them delivered, as a running worker would have.
    OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), lease_expires_at=None
    )
    if connection.vendor == "postgresql":
        # That update (and the drain) left thousands of dead index entries at once, which the
        # idle check would walk until autovacuum came by; a running desk's autovacuum keeps up
        # with a trickle, so clean them now rather than measure the benchmark's own debris.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) updates_outboxmessage, updates_promisealert")
    for index in range(warmup + n):
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            swept = sweep()
            elapsed = (time.perf_counter() - started) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000
        if index < warmup:
            continue
        result.server_ms.append(elapsed)
        result.client_ms.append(elapsed)
        result.cpu_ms.append(cpu_ms)
        result.queries.append(len(queries))
        result.statuses.add(200 if not swept.fired else 299)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--port", type=int, default=8909)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p]
    unknown = set(pages) - set(PAGES)
    if unknown:
        raise SystemExit(f"Unknown pages {sorted(unknown)}; choose from {', '.join(PAGES)}")

    targets = Targets()
    staff = {"sessionid": session_cookie(targets.agent)}
    manager = {"sessionid": session_cookie(targets.manager)}
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    staff_post = {**staff, "csrftoken": csrf}
    contact = {"sessionid": session_cookie(targets.contact)}
    api = {"Authorization": f"Token {targets.token}"}
    counter = iter(range(10**9))

    def update_body():
        return urlencode(
            {
                "body": f"Benchmark update {next(counter)}: the fix is in testing; we will "
                "confirm by the time below.",
                "promise": "2h",
                "status": targets.update_ticket.status,
            }
        )

    def create_body():
        return json.dumps(
            {
                "organization": targets.contact.organization_id,
                "requester": targets.contact.pk,
                "subject": f"Benchmark ticket {next(counter)}: printer offline",
                "description": "Created by the benchmark.",
                "impact": 3,
                "urgency": 3,
            }
        )

    results = []
    server = Server(args.port, args.workers) if set(pages) - {"sweep_idle"} else None
    try:
        n, w = args.requests, args.warmup
        for page in pages:
            if page == "sweep_idle":
                results.append(measure_sweep(Result(page, "sweep()"), n=n, warmup=w))
                continue
            get = {
                "queue_default": ("/", staff),
                "queue_open": ("/?view=open", staff),
                "queue_filtered": ("/?view=open&status=in_progress&priority=2", staff),
                "queue_search": ("/?view=open&q=printer+offline", staff),
                "ticket_typical": (f"/tickets/{targets.typical_ticket}/", staff),
                "ticket_long": (f"/tickets/{targets.long_ticket.pk}/", staff),
                "ticket_long_all": (f"/tickets/{targets.long_ticket.pk}/?timeline=all", staff),
                "portal_list": ("/portal/", contact),
                "portal_ticket": (f"/portal/tickets/{targets.portal_ticket}/", contact),
                "dashboard": ("/dashboard/", manager),
                "incidents_list": ("/incidents/", staff),
                "inbound_list": ("/inbound/", staff),
            }
            if page in get:
                path, cookies = get[page]
                count = COUNTS.get(page.split("_")[0])
                results.append(
                    measure_http(
                        server,
                        Result(page, path),
                        "GET",
                        path,
                        cookies=cookies,
                        n=n,
                        warmup=w,
                        count=count,
                    )
                )
            elif page == "queue_deep":
                path = deep_page_url(server, staff, "/?view=all")
                results.append(
                    measure_http(
                        server, Result(page, path), "GET", path, cookies=staff, n=n, warmup=w
                    )
                )
            elif page == "post_update":
                path = f"/tickets/{targets.update_ticket.pk}/updates/public/"
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": csrf,
                }
                results.append(
                    measure_http(
                        server,
                        Result(page, path),
                        "POST",
                        path,
                        cookies=staff_post,
                        headers=headers,
                        body=update_body,
                        n=n,
                        warmup=w,
                    )
                )
            elif page == "api_list":
                path = "/api/v1/tickets/"
                results.append(
                    measure_http(
                        server,
                        Result(page, path),
                        "GET",
                        path,
                        cookies={},
                        headers=api,
                        n=n,
                        warmup=w,
                    )
                )
            elif page == "api_create":
                path = "/api/v1/tickets/"
                headers = {**api, "Content-Type": "application/json"}
                results.append(
                    measure_http(
                        server,
                        Result(page, path),
                        "POST",
                        path,
                        cookies={},
                        headers=headers,
                        body=create_body,
                        n=n,
                        warmup=w,
                    )
                )
            print(f"  {page}: done", file=sys.stderr, flush=True)
    finally:
        if server:
            server.stop()
    print(
        json.dumps(
            {
                "database": settings.DATABASES["default"]["NAME"],
                "counts": targets.counts,
                "results": [r.summary() for r in results],
            }
        )
    )


if __name__ == "__main__":
    main()
