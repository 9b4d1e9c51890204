"""Seed django-helpdesk with the very shape of a seeded service desk (bench/run --helpdesk).

    manage.py hdseed --from var/helpdesk-shape

The directory holds three CSV files that bench/runner.py exports from our `seed_scale`
database (`staff.csv`, `tickets.csv`, `entries.csv`). Each of our tickets becomes a ticket with
the same id, subject, description, creation time, open/closed state, priority and owner, and
each of its timeline entries becomes one follow-up at the same moment with the same text and
visibility: so the follow-ups per ticket are our timeline entries per ticket, long tickets
included, and the typical and longest tickets are picked from the same distribution on both
sides. Written with the ORM's bulk_create (django-helpdesk's own models) in batches.
"""

import csv
import sys
import time
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from helpdesk.models import FollowUp, Queue, Ticket, UserSettings

BATCH = 5000
QUEUES = 20  # our organisations are spread over this many queues (a queue per customer team)
# Ours -> django-helpdesk's: every open status is its Open (1); its default list shows 1 and 2.
STATUS = {"resolved": 3, "closed": 4}
OPEN = 1
EVENT_TITLES = {"opened": "Ticket Opened", "owner_changed": "Assigned", "status_changed": "Updated"}


def rows(path: Path):
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="") as handle:
        yield from csv.reader(handle)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, help="the exported CSVs")

    def handle(self, *args, **options):
        source = Path(options["source"])
        if Ticket.objects.exists():
            raise CommandError("django-helpdesk already has tickets.")
        started = time.monotonic()
        with transaction.atomic():
            users = self.staff(source / "staff.csv")
            queues = Queue.objects.bulk_create(
                [
                    Queue(
                        title=f"Customers {i}", slug=f"customers-{i}", allow_public_submission=True
                    )
                    for i in range(1, QUEUES + 1)
                ]
            )
            tickets = self.tickets(source / "tickets.csv", users, queues)
            followups = self.followups(source / "entries.csv", users)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('helpdesk_ticket', 'id'), "
                    "(SELECT MAX(id) FROM helpdesk_ticket))"
                )
        self.stdout.write(
            f"Seeded {tickets:,} tickets and {followups:,} follow-ups in "
            f"{time.monotonic() - started:.0f}s; staff as in our seed (agent001, manager01, ...)."
        )

    def staff(self, path: Path) -> dict[str, int]:
        """Our staff in our id order (so ties break the same way): managers are superusers,
        agents staff; the benchmark signs in as an agent, as ours does."""
        User = get_user_model()
        password = make_password("scale-pass-2026")
        staff = User.objects.bulk_create(
            [
                User(
                    username=username,
                    email=f"{username}@msp.example",
                    is_staff=True,
                    is_superuser=role == "manager",
                    password=password,
                )
                for username, role in rows(path)
            ]
        )
        # bulk_create skips the post_save signal that gives each user their helpdesk settings.
        UserSettings.objects.bulk_create([UserSettings(user=user) for user in staff])
        return {user.username: user.pk for user in staff}

    def tickets(self, path: Path, users: dict[str, int], queues: list[Queue]) -> int:
        batch, count = [], 0
        for number, subject, description, status, priority, created, owner, requester, org in rows(
            path
        ):
            batch.append(
                Ticket(
                    id=int(number),
                    title=subject[:200],
                    description=description,
                    queue=queues[int(org) % QUEUES],
                    created=moment(created),
                    submitter_email=requester or None,
                    assigned_to_id=users.get(owner),
                    status=STATUS.get(status, OPEN),
                    priority=int(priority),
                )
            )
            if len(batch) >= BATCH:
                Ticket.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        Ticket.objects.bulk_create(batch)
        return count + len(batch)

    def followups(self, path: Path, users: dict[str, int]) -> int:
        """One follow-up per timeline entry: updates and notes by their staff author (notes
        private), customer replies as emails in (no user), events as its own change records."""
        batch, count = [], 0
        for ticket, created, public, kind, event, body, author, old, new in rows(path):
            if kind == "event":
                title = EVENT_TITLES.get(event, "Updated")
                if event == "status_changed":
                    body = f"Status changed from {old} to {new}"
                elif event == "owner_changed":
                    body = f"Assigned to {new}"
            else:
                title = "E-Mail Received" if kind == "customer_reply" else "Comment"
            batch.append(
                FollowUp(
                    ticket_id=int(ticket),
                    date=moment(created),
                    title=title,
                    comment=body,
                    public=public == "t",
                    user_id=users.get(author),
                    new_status=STATUS.get(new, OPEN) if event == "status_changed" else None,
                )
            )
            if len(batch) >= BATCH:
                FollowUp.objects.bulk_create(batch)
                count += len(batch)
                batch = []
                if count % 100_000 == 0:
                    self.stdout.write(f"{count:,} follow-ups")
        FollowUp.objects.bulk_create(batch)
        return count + len(batch)
