"""Load a large, realistic service desk fast: `manage.py seed_scale --tickets 1000000` (the
generators are in demo.scale)."""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from demo.scale.seeder import SCALE_PASSWORD, Volumes, seed
from tickets.models import Ticket


class Command(BaseCommand):
    help = "Load a large, realistic, deterministic data set fast (PostgreSQL, COPY)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tickets", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--entries", type=int, help="Timeline entries in all (default 5 per ticket)."
        )
        parser.add_argument("--open", type=int, help="Open tickets (default 10%% of tickets).")
        parser.add_argument("--organizations", type=int, default=2000)
        parser.add_argument("--staff", type=int, default=300)
        parser.add_argument("--contacts", type=int, help="Default: max(2 per org, tickets/50).")
        parser.add_argument(
            "--now",
            help="The moment the data set is 'now' (ISO 8601); default this hour. With the same "
            "--seed and --now the data is identical.",
        )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (it loads with COPY).")
        if Ticket.objects.exists():
            raise CommandError("The database already has tickets; seed_scale needs an empty one.")
        started = time.monotonic()
        with transaction.atomic():
            counts = seed(
                _volumes(options),
                rng=random.Random(options["seed"]),
                now=_now(options["now"]),
                log=lambda text: self.stdout.write(f"[{time.monotonic() - started:7.1f}s] {text}"),
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded in {time.monotonic() - started:.0f}s: "
                + ", ".join(f"{name} {count:,}" for name, count in counts.items())
            )
        )
        self.stdout.write(
            f"Sign in as manager01@msp.example or agent001@msp.example, or a contact such as "
            f"contact1@org1.example (organisation admin), password {SCALE_PASSWORD}."
        )


def _volumes(options: dict) -> Volumes:
    tickets = options["tickets"]
    if tickets < 1:
        raise CommandError("--tickets must be at least 1.")
    organizations = max(1, options["organizations"])
    return Volumes(
        tickets=tickets,
        entries=max(options["entries"] or 5 * tickets, tickets),
        open=min(tickets, options["open"] or max(1, tickets // 10)),
        organizations=organizations,
        staff=max(2, options["staff"]),
        contacts=options["contacts"] or max(2 * organizations, tickets // 50),
    )


def _now(text: str | None):
    if not text:
        return timezone.now().replace(minute=0, second=0, microsecond=0)
    now = parse_datetime(text)
    if now is None or timezone.is_naive(now):
        raise CommandError("--now must be an ISO 8601 time with an offset.")
    return now
