# ruff: noqa: T201 (a command-line tool: printing is its output)
"""Measure django-helpdesk's staff ticket list and ticket page (run by bench/runner.py with
django-helpdesk's own virtualenv; prints JSON like bench/measure.py).

    HELPDESK_DB=sd_helpdesk /work/helpdesk-bench/venv/bin/python bench/helpdesk/measure.py

Pages: the ticket list page (an HTML shell), the JSON its table loads (django-helpdesk's list
is a DataTables table filled by `datatables_ticket_list`: that request is the one that reads
tickets, so "ticket list" below is the sum of both), and the ticket page of the open ticket with
the most follow-ups. Same warm-up, request count and timing headers as our side.
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
from helpdesk.query import query_to_base64  # noqa: E402
from httploop import Gunicorn, Result, measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--port", type=int, default=8919)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    user = get_user_model().objects.get(username="agent001")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    cookies = {"sessionid": store.session_key}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.ticket_id FROM helpdesk_followup f JOIN helpdesk_ticket t "
            "ON t.id = f.ticket_id WHERE t.status IN (1, 2) GROUP BY f.ticket_id "
            "ORDER BY count(*) DESC, f.ticket_id LIMIT 1"
        )
        long_ticket = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM helpdesk_ticket")
        tickets = cursor.fetchone()[0]
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
    pages = {
        "hd_ticket_list_page": "/helpdesk/tickets/",
        "hd_ticket_list_data": f"/helpdesk/datatables_ticket_list/{query}?draw=1&start=0&length=25",
        "hd_ticket_page": f"/helpdesk/tickets/{long_ticket}/",
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
        for page, path in pages.items():
            results.append(
                measure(
                    server,
                    Result(page, path),
                    "GET",
                    path,
                    cookies=cookies,
                    n=args.requests,
                    warmup=args.warmup,
                )
            )
            print(f"  {page}: done", file=sys.stderr, flush=True)
    finally:
        server.stop()
    print(
        json.dumps(
            {
                "database": settings.DATABASES["default"]["NAME"],
                "counts": {"tickets": tickets, "follow-ups": followups},
                "results": [r.summary() for r in results],
            }
        )
    )


if __name__ == "__main__":
    main()
