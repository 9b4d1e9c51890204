"""One seed_scale run: people first, then the tickets and their histories in chunks, with the
indexes and foreign keys off while loading; then the dashboard's tallies."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import connection

from accounts.models import Organization, User
from demo.scale import plan, schema
from demo.scale.load import Load
from demo.scale.people import make_people
from demo.scale.tables import history_table_names, history_tables
from demo.scale.tickets import TicketWriter
from demo.scale.vendors import make_vendors
from updates import dashboard_tally
from vendors import services as vendor_services

SCALE_PASSWORD = "scale-pass-2026"
CHUNK_TICKETS = 20_000


@dataclass
class Volumes:
    tickets: int
    entries: int  # timeline entries in all (at least one per ticket: its opening)
    open: int
    organizations: int
    staff: int
    contacts: int


def seed(
    volumes: Volumes, *, rng: random.Random, now: datetime, log: Callable[[str], None]
) -> dict[str, int]:
    """Load the data set; call inside a transaction. Returns the rows loaded, by kind."""
    with connection.cursor() as cursor:
        schema.prepare_bulk_load(cursor)
        people = make_people(
            cursor,
            rng=rng,
            now=now,
            n_orgs=volumes.organizations,
            n_staff=volumes.staff,
            n_contacts=volumes.contacts,
            password=make_password(SCALE_PASSWORD),
        )
        log(
            f"{volumes.organizations:,} organisations, {len(people.staff):,} staff, "
            f"{people.contacts_total:,} contacts"
        )
        detached = schema.detach(cursor, history_table_names())
        log(
            f"dropped {len(detached.indexes)} indexes and {len(detached.foreign_keys)} foreign keys"
        )
        vendors = make_vendors(cursor, rng, now)
        load = Load(rng=rng, now=now, people=people, tables=history_tables(), vendors=vendors)
        _load_tickets(cursor, load, volumes, log)
        log("tickets and their histories loaded; rebuilding indexes")
        schema.reattach(cursor, detached)
        log("indexes rebuilt, foreign keys checked")
        schema.reset_sequences(
            cursor,
            [*history_table_names(), Organization._meta.db_table, User._meta.db_table],
        )
    # COPY bypasses the promise ledger and the status-change receiver that keep the
    # dashboard's tallies; recompute them from what was loaded.
    dashboard_tally.rebuild()
    vendor_services.rebuild_vendor_waits()
    log("dashboard tallies rebuilt")
    return {
        "organisations": volumes.organizations,
        "staff": len(people.staff),
        "contacts": people.contacts_total,
        **{name: table.total for name, table in load.tables.items()},
    }


def _load_tickets(cursor, load: Load, volumes: Volumes, log: Callable[[str], None]) -> None:
    open_ids = plan.open_numbers(load.rng, volumes.tickets, volumes.open)
    lengths = plan.timeline_lengths(load.rng, volumes.tickets, volumes.entries)
    log(f"planned {volumes.tickets:,} tickets, {sum(lengths):,} timeline entries")
    writer = TicketWriter(load)
    for ticket in plan.ticket_plans(load.rng, load.now, open_ids, lengths):
        writer.write(ticket)
        number = ticket.number
        if number % CHUNK_TICKETS == 0 or number == volumes.tickets:
            for table in load.tables.values():
                table.flush(cursor)
            if number % 100_000 == 0 or number == volumes.tickets:
                log(f"{number:,} tickets")
