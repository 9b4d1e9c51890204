"""Which index serves which query: docs/indexes.md is written from this script's output.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_docs_scratch TESTING=true \\
        .venv/bin/python bench/index_usage.py [--drop index_a,index_b]

On a seeded database (`manage.py seed_scale`), it requests every page and API list that reads the
hot tables (the staff queue in every view and sort, triage, the ticket page, the dashboard, the
portal, the API), as the user who would, and runs the write paths (a public update, a note, a
reply, a resolution, a handover, a sweep, a delivery). Each statement that touches
`tickets_ticket` or an `updates_*` table is EXPLAINed (ANALYZE for plain SELECTs) and the indexes
of its plan are listed per page, then per index.

Everything runs in one transaction that is rolled back, so the data is left as it was. `--drop`
drops those indexes inside that transaction first: the plans then show what the planner uses
instead, which is how each "covered by" in docs/indexes.md was checked.
"""

# ruff: noqa: T201 (a command-line measurement prints its findings)
import argparse
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from tickets import services as ticket_services  # noqa: E402
from tickets.models import OPEN_STATUSES, Status, Ticket  # noqa: E402
from updates import services as update_services  # noqa: E402
from updates.keeper.delivery import deliver  # noqa: E402
from updates.keeper.sweep import sweep  # noqa: E402
from updates.models import OutboxMessage, OutboxStatus  # noqa: E402

HOT_TABLE = re.compile(r'"(tickets_ticket|updates_\w+)"')
VIEWS = ["mine", "unowned", "due-soon", "breached", "waiting-customer", "waiting-vendor", "open"]
SORTS = ["due", "priority", "newest", "oldest", "updated"]


class RollBack(Exception):
    pass


def _people() -> dict:
    """The users and rows the pages are requested for: an agent owning open tickets, a manager,
    the largest organisation with its admin contact, an ordinary contact with requests."""
    agent = (
        User.objects.filter(role=Role.AGENT, owned_tickets__status__in=OPEN_STATUSES)
        .order_by("pk")
        .first()
    )
    biggest = (
        Ticket.objects.values("organization_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["organization_id"]
    )
    busy = (
        Ticket.objects.filter(organization_id=biggest)
        .annotate(n=Count("timeline"))
        .order_by("-n")
        .values_list("pk", flat=True)
        .first()
    )
    return {
        "agent": agent,
        "manager": User.objects.filter(role=Role.MANAGER).order_by("pk").first(),
        "org": biggest,
        "admin_contact": User.objects.filter(
            role=Role.CONTACT, sees_organization_tickets=True, organization_id=biggest
        )
        .order_by("pk")
        .first(),
        "contact": User.objects.filter(
            role=Role.CONTACT, sees_organization_tickets=False, requested_tickets__isnull=False
        )
        .order_by("pk")
        .first(),
        "busy_ticket": busy,
    }


def _pages(p: dict) -> list[tuple[User, str]]:
    agent, manager, admin, contact = p["agent"], p["manager"], p["admin_contact"], p["contact"]
    org, busy = p["org"], p["busy_ticket"]
    pages = [(agent, f"/?view={view}&sort={sort}") for view in [*VIEWS, "all"] for sort in SORTS]
    pages += [
        (agent, "/?view=open&status=in_progress"),
        (agent, "/?view=open&priority=1"),
        (agent, "/?view=open&status=open&priority=2"),
        (agent, f"/?view=all&owner={agent.pk}"),
        (agent, f"/?view=open&organization={org}"),
        (agent, "/?view=open&q=printer"),
        (agent, "/?view=all&q=printer"),
        (agent, "/triage/"),
        (agent, f"/tickets/{busy}/"),
        (agent, "/notifications/"),
        (manager, "/notifications/bell/"),
        (manager, "/dashboard/"),
        (manager, f"/dashboard/?owner={agent.pk}"),
        (manager, f"/dashboard/?organization={org}"),
        (manager, "/dashboard/?priority=1"),
        (manager, "/dashboard/losses/"),
        (manager, "/vendors/"),
        (manager, "/status/"),
        (manager, "/api/v1/tickets/"),
        (manager, "/api/v1/tickets/?ordering=next_update_due"),
        (manager, "/api/v1/tickets/?ordering=-updated_at"),
        (manager, "/api/v1/tickets/?ordering=priority"),
        (manager, "/api/v1/tickets/?status=open"),
        (manager, f"/api/v1/tickets/?owner={agent.pk}"),
        (manager, f"/api/v1/tickets/?organization={org}"),
        (manager, "/api/v1/tickets/?priority=1"),
        (manager, "/api/v1/tickets/?update_overdue=true"),
        (manager, "/api/v1/tickets/?search=printer"),
        (manager, f"/api/v1/tickets/{busy}/updates/"),
        (manager, "/api/v1/overdue/"),
        (manager, "/api/v1/notifications/"),
        (manager, "/api/v1/losses/"),
        (admin, "/api/v1/tickets/"),
        (admin, "/api/v1/tickets/?search=printer"),
        (admin, f"/api/v1/tickets/{busy}/updates/"),
        (contact, "/api/v1/tickets/"),
        (admin, "/portal/"),
        (admin, "/portal/?scope=organization"),
        (admin, "/portal/?scope=organization&state=closed"),
        (admin, "/portal/?scope=organization&state=all"),
        (admin, "/portal/?scope=organization&q=printer"),
        (admin, f"/portal/tickets/{busy}/"),
        (contact, "/portal/"),
        (contact, "/portal/?state=all"),
    ]
    return pages


def _writes(p: dict) -> dict[str, Callable[[], object]]:
    agent, manager = p["agent"], p["manager"]
    tickets = list(
        Ticket.objects.filter(status__in=[Status.OPEN, Status.IN_PROGRESS]).order_by("-pk")[:4]
    )

    def reply() -> object:
        ticket_services.change_status(tickets[1], status=Status.WAITING_ON_CUSTOMER, by=agent)
        if tickets[1].requester is None:
            return None
        return update_services.post_customer_reply(
            tickets[1], author=tickets[1].requester, body="Here is the log."
        )

    def pending_messages() -> list[int]:
        pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("pk")
        return list(pending.values_list("pk", flat=True)[:200])

    return {
        "public update": lambda: update_services.post_public_update(
            tickets[0], author=agent, body="Still on it.", confirm_vendor_mention=True
        ),
        "internal note": lambda: update_services.add_internal_note(
            tickets[1], author=agent, body="Checked the logs."
        ),
        "waiting on customer, then a reply": reply,
        "resolution": lambda: ticket_services.change_status(
            tickets[2], status=Status.RESOLVED, by=agent
        ),
        "handover": lambda: ticket_services.assign_owner(
            tickets[3], owner=manager, by=agent, handover_note="Over to you."
        ),
        "sweep": sweep,
        "delivery": lambda: deliver(pending_messages()),
    }


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def explain(sql: str) -> tuple[list[str], float]:
    """The indexes (and sequential scans of hot tables) in the plan of `sql`, and its time."""
    analyze = sql.lstrip().upper().startswith("SELECT") and "FOR UPDATE" not in sql.upper()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    used = []
    for node in _nodes(plan[0]["Plan"]):
        if node.get("Index Name"):
            used.append(f"{node['Index Name']} ({node['Node Type']})")
        elif node["Node Type"] == "Seq Scan" and HOT_TABLE.match(f'"{node["Relation Name"]}"'):
            used.append(f"SEQ {node['Relation Name']}")
    return used, plan[0].get("Execution Time", 0.0)


def _report(label: str, run: Callable[[], object], by_index: dict, slow_ms: float) -> None:
    with CaptureQueriesContext(connection) as captured:
        run()
    print(label)
    for query in captured.captured_queries:
        sql = query["sql"]
        if not HOT_TABLE.search(sql) or sql.startswith(("SAVEPOINT", "RELEASE")):
            continue
        used, ms = explain(sql)
        for name in used:
            by_index[name.split(" (")[0]].add(label)
        flag = "  SLOW" if ms > slow_ms else ""
        print(f"    {ms:8.2f} ms  {', '.join(used) or '-'}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drop", default="", help="indexes to drop first, comma-separated")
    parser.add_argument("--slow-ms", type=float, default=20.0)
    options = parser.parse_args()
    drops = [name for name in options.drop.split(",") if name]
    by_index: dict[str, set[str]] = defaultdict(set)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                for name in drops:
                    cursor.execute(f'DROP INDEX "{name}"')
            people = _people()
            print(f"{Ticket.objects.count():,} tickets; dropped: {', '.join(drops) or 'none'}")
            for user, url in _pages(people):
                client = Client()
                client.force_login(user)

                def get(url: str = url, client: Client = client) -> None:
                    response = client.get(url, HTTP_HOST="127.0.0.1")
                    assert response.status_code == 200, (url, response.status_code)

                _report(f"{user.role:8} {url}", get, by_index, options.slow_ms)
            for label, write in _writes(people).items():
                _report(f"write    {label}", write, by_index, options.slow_ms)
            raise RollBack
    except RollBack:
        pass
    print("\nIndex -> where it was used")
    for name in sorted(by_index):
        print(
            f"{name}: {' | '.join(sorted(label.split(maxsplit=1)[1] for label in by_index[name]))}"
        )


if __name__ == "__main__":
    main()
