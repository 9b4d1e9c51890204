# ruff: noqa: T201 (a command-line tool: printing is its output)
"""Measure django-helpdesk's views beside ours (run by bench/runner.py with django-helpdesk's
own virtualenv; prints JSON like bench/measure.py).

    HELPDESK_DB=sd_helpdesk /work/helpdesk-bench/venv/bin/python bench/helpdesk/measure.py

Pages, each the counterpart of one of ours, targets picked the way bench/measure.py picks ours:
- hd_ticket_list: its default ticket list, an HTML shell plus the JSON its DataTables table loads
  (`datatables_ticket_list`: the request that reads the tickets), timed together per sample;
- hd_ticket_typical: the ticket page of the signed-in agent's open ticket of median length (the
  agent with the most open tickets; follow-ups counted as our timeline entries are);
- hd_ticket_long: the ticket page of the open, assigned ticket with the most follow-ups.
Same warm-up, request count and timing headers as our side.
"""

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # bench/httploop.py
sys.path.insert(0, str(HERE / "hdproject"))  # first: its settings, not bench/settings.py
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from helpdesk.query import query_to_base64  # noqa: E402
from httploop import Gunicorn, Result, measure, measure_together  # noqa: E402

OPEN = (1, 2)  # Open and Reopened: what its default list shows


def followups_rendered(content: bytes) -> int:
    """The follow-ups in the page's list (ticket_followup_list.html), counted in the HTML."""
    listing = content.split(b'id="followup-list"', 1)[-1]
    return listing.count(b'<li class="list-group-item list-group-item-action">')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--port", type=int, default=8919)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    User = get_user_model()
    # The agent with the most open tickets (managers are superusers here), ties by id, as ours.
    user = (
        User.objects.filter(is_staff=True, is_superuser=False, is_active=True)
        .annotate(open_count=Count("assigned_to", filter=Q(assigned_to__status__in=OPEN)))
        .order_by("-open_count", "pk")
        .first()
    )
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    cookies = {"sessionid": store.session_key}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.ticket_id, count(*) FROM helpdesk_followup f JOIN helpdesk_ticket t "
            "ON t.id = f.ticket_id WHERE t.status = ANY(%s) AND t.assigned_to_id IS NOT NULL "
            "GROUP BY f.ticket_id ORDER BY count(*) DESC, f.ticket_id LIMIT 1",
            [list(OPEN)],
        )
        long_ticket, long_followups = cursor.fetchone()
        cursor.execute(
            """
            WITH lengths AS (
                SELECT f.ticket_id, count(*) AS n FROM helpdesk_followup f
                JOIN helpdesk_ticket t ON t.id = f.ticket_id
                WHERE t.status = ANY(%s) AND t.assigned_to_id = %s
                GROUP BY f.ticket_id
            )
            SELECT ticket_id, n FROM lengths
            WHERE n = (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) FROM lengths)
            ORDER BY ticket_id LIMIT 1
            """,
            [list(OPEN), user.pk],
        )
        typical_ticket, typical_followups = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = ANY(%s)) FROM helpdesk_ticket",
            [list(OPEN)],
        )
        tickets, open_tickets = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM helpdesk_followup")
        followups = cursor.fetchone()[0]
    # The list's default query (open and reopened, by creation), as ticket_list encodes it.
    query = query_to_base64(
        {
            "filtering": {"status__in": [1, 2]},
            "sorting": "created",
            "search_string": "",
            "sortreverse": False,
        }
    )
    list_requests = [
        ("GET", "/helpdesk/tickets/", None),
        ("GET", f"/helpdesk/datatables_ticket_list/{query}?draw=1&start=0&length=25", None),
    ]
    tickets_page = {
        "hd_ticket_typical": f"/helpdesk/tickets/{typical_ticket}/",
        "hd_ticket_long": f"/helpdesk/tickets/{long_ticket}/",
    }
    command = [str(Path(sys.executable).parent / "gunicorn"), "wsgi:application", "--bind"]
    command += [f"127.0.0.1:{args.port}", "--workers", str(args.workers), "--timeout", "120"]
    server = Gunicorn(
        command,
        port=args.port,
        cwd=HERE / "hdproject",
        env=dict(os.environ),
        ready_path="/helpdesk/login/",
    )
    results = []
    try:
        results.append(
            measure_together(
                server,
                Result("hd_ticket_list", " + ".join(path for _, path, _ in list_requests)),
                list_requests,
                cookies=cookies,
                n=args.requests,
                warmup=args.warmup,
                count=lambda content: len(json.loads(content)["data"]),
            )
        )
        for page, path in tickets_page.items():
            results.append(
                measure(
                    server,
                    Result(page, path),
                    "GET",
                    path,
                    cookies=cookies,
                    n=args.requests,
                    warmup=args.warmup,
                    count=followups_rendered,
                )
            )
            print(f"  {page}: done", file=sys.stderr, flush=True)
    finally:
        server.stop()
    print(
        json.dumps(
            {
                "database": settings.DATABASES["default"]["NAME"],
                "counts": {
                    "typical ticket's follow-ups": typical_followups,
                    "longest ticket's follow-ups": long_followups,
                    "tickets": tickets,
                    "open tickets": open_tickets,
                    "follow-ups": followups,
                },
                "results": [r.summary() for r in results],
            }
        )
    )


if __name__ == "__main__":
    main()
