"""Seed django-helpdesk like seed_scale seeds the service desk: the same number of tickets and
follow-ups, 300 staff, open tickets mostly recent, long timelines on a few tickets.

Uses the ORM's bulk_create in batches (django-helpdesk's own models: Queue, Ticket, FollowUp).
"""

import random
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from helpdesk.models import FollowUp, Queue, Ticket, UserSettings

BATCH = 5000
PROBLEMS = (
    "Outlook keeps asking for my password",
    "Cannot connect to the VPN from home",
    "Printer on the second floor shows offline",
    "Shared drive is very slow to open files",
    "Teams calls drop after a few minutes",
    "Backup job failed overnight",
    "Laptop will not boot after update",
    "MFA prompts not arriving on phone",
)
COMMENTS = (
    "I have looked at the logs and found the cause; applying the fix now.",
    "Thank you for your patience, I have reproduced the problem and I am working on it.",
    "The change is in place. Please try again and tell us how it behaves.",
    "Checked the event log: repeated authentication failures from one device.",
    "Thanks, we will try that and let you know.",
)


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, required=True)
        parser.add_argument("--followups", type=int)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        if Ticket.objects.exists():
            raise CommandError("django-helpdesk already has tickets.")
        rng = random.Random(options["seed"])
        n = options["tickets"]
        n_followups = options["followups"] or 5 * n
        started = time.monotonic()
        now = timezone.now()
        User = get_user_model()
        password = make_password("scale-pass-2026")
        staff = User.objects.bulk_create(
            [
                User(
                    username=f"agent{i:03d}",
                    email=f"agent{i:03d}@msp.example",
                    is_staff=True,
                    is_superuser=i == 1,
                    password=password,
                )
                for i in range(1, 301)
            ]
        )
        # bulk_create skips the post_save signal that gives each user their helpdesk settings.
        UserSettings.objects.bulk_create([UserSettings(user=user) for user in staff])
        queues = Queue.objects.bulk_create(
            [
                Queue(title=f"Customer {i}", slug=f"customer-{i}", allow_public_submission=True)
                for i in range(1, 21)
            ]
        )
        open_ids = set()
        while len(open_ids) < n // 10:
            open_ids.add(n - int(n * rng.random() ** 3))
        lengths = [
            rng.randint(150, 400) if rng.random() < 0.002 else 1 + int(rng.expovariate(1 / 3.5))
            for _ in range(n)
        ]
        scale = n_followups / sum(lengths)
        lengths = [max(1, round(length * scale)) for length in lengths]
        span = timedelta(days=3 * 365).total_seconds()
        tickets, followups = [], []
        for number in range(1, n + 1):
            created = now - timedelta(seconds=max(60, span * (1 - number / n)))
            is_open = number in open_ids
            tickets.append(
                Ticket(
                    id=number,
                    title=rng.choice(PROBLEMS),
                    queue=rng.choice(queues),
                    created=created,
                    submitter_email=f"contact{rng.randint(1, 20)}@org{rng.randint(1, 2000)}.example",
                    assigned_to=rng.choice(staff),
                    status=rng.choice((1, 2)) if is_open else rng.choice((3, 4)),
                    description="It started this morning after the weekend. Restarting did not help.",
                    priority=rng.choice((1, 2, 3, 3, 4, 5)),
                )
            )
            for index in range(lengths[number - 1]):
                followups.append(
                    FollowUp(
                        ticket_id=number,
                        date=created + timedelta(minutes=30 * (index + 1)),
                        title="Comment",
                        comment=rng.choice(COMMENTS),
                        public=rng.random() < 0.7,
                        user=rng.choice(staff),
                    )
                )
            if len(tickets) >= BATCH:
                Ticket.objects.bulk_create(tickets)
                FollowUp.objects.bulk_create(followups, batch_size=BATCH)
                tickets, followups = [], []
                if number % 100_000 == 0:
                    self.stdout.write(f"{number:,} tickets ({time.monotonic() - started:.0f}s)")
        Ticket.objects.bulk_create(tickets)
        FollowUp.objects.bulk_create(followups, batch_size=BATCH)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('helpdesk_ticket', 'id'), "
                "(SELECT MAX(id) FROM helpdesk_ticket))"
            )
        self.stdout.write(
            f"Seeded {Ticket.objects.count():,} tickets and {FollowUp.objects.count():,} "
            f"follow-ups in {time.monotonic() - started:.0f}s; staff agent001 .. agent300."
        )
