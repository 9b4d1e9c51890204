"""Inbound mail benchmark (a script that prints figures, not a test).

Feeds N messages (default 1,000) through the inbound pipeline (store, classify, act: the same
`inbound.services.ingest` that `manage.py ingest_email` and the IMAP poller call), one after
another as a pipe transport delivers them, and reports messages per second and the per-message
p50/p95. While it runs, a second thread requests staff pages (the queue, the inbound list and a
ticket page) from gunicorn, one at a time, and reports their server-side p95, so the cost of
mail arriving is seen where agents feel it.

The mix: 60% new requests from contacts, 30% replies to their tickets (by the [SD-n] tag, with
quoted history to cut), 10% automatic mail (out-of-office replies).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_inbound_bench \\
    .venv/bin/python bench/inbound_burst.py --messages 1000

It migrates the database and adds its own organisation, contacts and agent: use a scratch
database, never production.
"""

# ruff: noqa: E402, T201 - a script: Django is set up before the imports below, and it prints.
import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")

import django

django.setup()

import logging

from django.core.management import call_command

from accounts.models import Organization, Role, User
from bench.httploop import Result
from bench.measure import Server, session_cookie
from inbound import services
from inbound.models import InboundMessage
from tickets.models import Ticket

REPLY = """{text}

On Mon, 7 Dec 2026 at 10:02, Service Desk <help@desk.example> wrote:
> Hello,
>
> We are looking into it and will update you within the hour.
>
> Alice
"""


def message(number: int, contact: User, ticket: Ticket | None) -> bytes:
    kind = number % 10
    headers = [f"From: Contact <{contact.email}>", "To: help@desk.example"]
    headers += [f"Message-ID: <bench-{number}-{time.time_ns()}@bench.example>"]
    headers += ["Date: Mon, 7 Dec 2026 10:00:00 +0000", "MIME-Version: 1.0"]
    headers += ['Content-Type: text/plain; charset="utf-8"']
    if kind == 9 and ticket is not None:
        headers += [f"Subject: Automatic reply: [{ticket.reference}] Update"]
        headers += ["Auto-Submitted: auto-replied"]
        body = "I am out of the office until Monday."
    elif kind >= 6 and ticket is not None:
        headers += [f"Subject: Re: [{ticket.reference}] Update: {ticket.subject}"]
        body = REPLY.format(text=f"Reply {number}: it happened again this morning.")
    else:
        headers += [f"Subject: Request {number}: the printer on floor {number % 7} is jammed"]
        body = f"Request {number}. It jams on every page since the update.\n\nThanks"
    return ("\r\n".join([*headers, "", body, ""])).encode()


def page_loop(server: Server, cookies: dict, paths: list[str], stop: threading.Event) -> Result:
    result = Result(page="staff pages", url=", ".join(paths))
    header = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    index = 0
    while not stop.is_set():
        path = paths[index % len(paths)]
        index += 1
        response, _content, elapsed = server.request("GET", path, headers=header)
        if response.status >= 400:
            raise SystemExit(f"GET {path} answered {response.status}")
        result.server_ms.append(float(response.getheader("X-Bench-Ms")))
        result.queries.append(int(response.getheader("X-Bench-Queries")))
        result.client_ms.append(elapsed)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=50)
    parser.add_argument("--port", type=int, default=8911)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(
        name="Inbound Bench Ltd", defaults={"timezone": "Europe/London"}
    )
    contacts = []
    for number in range(args.contacts):
        contact, _ = User.objects.get_or_create(
            email=f"contact{number}@inbound-bench.example",
            defaults={"role": Role.CONTACT, "organization": organization},
        )
        contacts.append(contact)
    agent, _ = User.objects.get_or_create(
        email="agent@inbound-bench.example", defaults={"role": Role.AGENT, "name": "Bench Agent"}
    )
    before = InboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    server = Server(args.port, args.workers)
    stop = threading.Event()
    measured: list[Result] = []
    try:
        some_ticket = Ticket.objects.filter(organization=organization).order_by("-pk").first()
        paths = ["/", "/inbound/?outcome=all"]
        if some_ticket is not None:
            paths.append(f"/tickets/{some_ticket.pk}/")
        cookies = {"sessionid": session_cookie(agent)}
        # Pages before the burst: the baseline.
        baseline_stop = threading.Event()
        timer = threading.Timer(10, baseline_stop.set)
        timer.start()
        baseline = page_loop(server, cookies, paths, baseline_stop)

        thread = threading.Thread(
            target=lambda: measured.append(page_loop(server, cookies, paths, stop)), daemon=True
        )
        thread.start()
        tickets: dict[int, Ticket] = {}
        times = []
        began = time.perf_counter()
        for number in range(args.messages):
            contact = contacts[number % len(contacts)]
            raw = message(number, contact, tickets.get(contact.pk))
            started = time.perf_counter()
            stored = services.ingest(raw)
            times.append((time.perf_counter() - started) * 1000)
            if stored.ticket_id and stored.outcome == "ticket_created":
                tickets[contact.pk] = stored.ticket
        elapsed = time.perf_counter() - began
        stop.set()
        thread.join()
    finally:
        stop.set()
        server.stop()

    times.sort()
    outcomes = {}
    for outcome in InboundMessage.objects.filter(pk__gt=before).values_list("outcome", flat=True):
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    print(f"{args.messages} messages in {elapsed:.1f} s: {args.messages / elapsed:.1f} messages/s")
    print(
        f"per message: p50 {times[len(times) // 2]:.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms"
    )
    print(f"outcomes: {outcomes}")
    for label, result in (("before", baseline), ("during", measured[0] if measured else None)):
        if result is not None:
            summary = result.summary()
            print(
                f"staff pages {label}: n={summary['n']} p50 {summary['p50']} ms, "
                f"p95 {summary['p95']} ms ({result.url})"
            )


if __name__ == "__main__":
    main()
