"""Load a large, realistic service desk fast: `manage.py seed_scale --tickets 1000000`.

PostgreSQL only. Rows are generated in Python, deterministically from `--seed` and `--now`, and
streamed into the tables with COPY in chunks. Each ticket's whole history is generated together
(timeline, promise ledger, alerts, feedback, losses, vendor escalations), so everything the app's
constraints and derived columns require holds by construction:

- every ticket that owes an update has exactly one pending promise whose deadline is
  `Ticket.next_update_due`, with its three alerts (fired when their time has passed, else
  pending); tickets that owe nothing have none;
- triaged tickets have an owner; the priority is the impact x urgency matrix (or an override with
  a reason); internal notes are private, public updates and customer replies public;
- `public_search_text` / `internal_search_text` hold the timeline bodies exactly as
  updates.search.rebuild_search_text would write them (the full-text index reads them);
- feedback with a 1 or 2 records its loss (updates.feedback.loss_category_for decides the category).

1. Loading is fastest without secondary indexes and foreign keys: they are dropped first (their
   definitions read back from the catalogue) and recreated afterwards, so PostgreSQL builds each
   index once and checks each foreign key with one join: the data is still fully verified.
2. Everything runs in one transaction: a failed load leaves the database as it was.
3. Vendors are loaded by table name when the vendors app's tables exist (updates must not import
   vendors).
"""

import io
import json
import random
import time
from bisect import bisect
from datetime import datetime, timedelta
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import DEFAULT_CADENCE, Organization, Role, SupportPlan, User
from tickets.models import Status, Ticket
from tickets.priority import priority_for
from tickets.search import SEARCH_TEXT_MAX_LENGTH
from updates import dashboard_tally
from updates.feedback import loss_category_for
from updates.keeper.alerts import alert_times
from updates.models import (
    AlertStatus,
    EntryKind,
    Feedback,
    Loss,
    LossCategory,
    Notification,
    Promise,
    PromiseAlert,
    PromiseOutcome,
    TimelineEntry,
)

SCALE_PASSWORD = "scale-pass-2026"
CHUNK_TICKETS = 20_000
HISTORY_DAYS = 3 * 365

TIMEZONES = (
    ("Europe/London", "GB"),
    ("America/New_York", "US"),
    ("America/Chicago", "US"),
    ("America/Los_Angeles", "US"),
    ("Europe/Berlin", "DE"),
    ("Europe/Paris", "FR"),
    ("Europe/Amsterdam", "NL"),
    ("Australia/Sydney", "AU"),
    ("Asia/Tokyo", "JP"),
    ("Pacific/Auckland", "NZ"),
    ("Asia/Singapore", ""),
    ("UTC", ""),
)
ORG_WORDS_A = [
    "Northwind",
    "Bluewave",
    "Kiwi",
    "Sakura",
    "Granite",
    "Harbour",
    "Meadow",
    "Summit",
    "Copper",
    "Silver",
    "Oak",
    "Cedar",
    "Maple",
    "Falcon",
    "Orbit",
    "Pioneer",
    "Atlas",
    "Beacon",
    "Compass",
    "Lantern",
    "Riverside",
    "Highland",
    "Coastal",
    "Union",
    "Crown",
    "Evergreen",
    "Horizon",
    "Keystone",
    "Liberty",
    "Marlin",
    "Nimbus",
    "Quartz",
    "Redwood",
    "Sterling",
    "Tidewater",
    "Vertex",
]
ORG_WORDS_B = [
    "Dental",
    "Logistics",
    "Freight",
    "Design",
    "Legal",
    "Accounting",
    "Architects",
    "Clinic",
    "Foods",
    "Motors",
    "Realty",
    "Studios",
    "Engineering",
    "Pharmacy",
    "Insurance",
    "Consulting",
    "Builders",
    "Hotels",
    "Media",
    "Analytics",
    "Labs",
    "Marine",
    "Energy",
    "Textiles",
    "Veterinary",
    "Printing",
    "Travel",
    "Wholesale",
    "Bakery",
    "Brewing",
]
ORG_WORDS_C = [
    "Ltd",
    "Group",
    "Partners",
    "&",
    "Co",
    "LLC",
    "GmbH",
    "Inc",
    "Trust",
    "Holdings",
    "Services",
]
FIRST_NAMES = [
    "Alice",
    "Ben",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Xena",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carla",
    "Dmitri",
    "Esme",
    "Farid",
    "Greta",
]
LAST_NAMES = [
    "Adams",
    "Brown",
    "Clarke",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Murphy",
    "Nakamura",
    "Olsen",
    "Patel",
    "Quinn",
    "Rossi",
    "Smith",
    "Taylor",
    "Usman",
    "Varga",
    "Walsh",
    "Xu",
    "Young",
    "Zimmer",
]

PROBLEMS = (
    ("Outlook keeps asking for my password", "email"),
    ("Cannot connect to the VPN from home", "network"),
    ("Printer on the second floor shows offline", "printer"),
    ("Shared drive is very slow to open files", "storage"),
    ("New starter needs a laptop and accounts", "onboarding"),
    ("Teams calls drop after a few minutes", "collaboration"),
    ("Invoice system shows an error on login", "application"),
    ("Wi-Fi in the meeting room keeps disconnecting", "network"),
    ("Phone system voicemail not working", "telephony"),
    ("Backup job failed overnight", "backup"),
    ("Website contact form not sending emails", "web"),
    ("Laptop will not boot after update", "hardware"),
    ("Suspicious email received by several staff", "security"),
    ("Need access to the finance folder", "access"),
    ("Point of sale terminal frozen", "hardware"),
    ("Server disk space alert", "infrastructure"),
    ("Calendar invites not arriving", "email"),
    ("Scanner sends blank pages", "printer"),
    ("MFA prompts not arriving on phone", "security"),
    ("Remote desktop session disconnects", "network"),
)
PLACES = (
    "reception",
    "the warehouse",
    "head office",
    "the Leeds branch",
    "accounts",
    "the sales team",
    "the front desk",
    "the design studio",
    "the clinic",
    "the board room",
)
DETAILS = (
    "It started this morning after the weekend.",
    "Restarting did not help.",
    "Three people are affected and they cannot work properly.",
    "It happens every day around lunchtime.",
    "We tried the steps from the last ticket without success.",
    "The error message says the service is unavailable.",
    "It worked fine yesterday afternoon.",
    "This is blocking month-end reporting.",
    "Only happens on the older machines.",
    "A workaround exists but it is slow.",
)
PUBLIC_UPDATES = (
    "I have looked at the {area} logs and found the cause; I am applying the fix now and will "
    "confirm once it is tested.",
    "Thank you for your patience. I have reproduced the {area} problem here and I am working on "
    "it; my next update will be by the time shown below.",
    "The {area} change is in place. Please try again and tell us how it behaves; I will check "
    "in again at the time shown.",
    "I have escalated the {area} issue to our senior engineer, who is on it now. I remain your "
    "point of contact and will update you by the promised time.",
    "We have restored a working {area} configuration for {place}; I am monitoring it and will "
    "confirm it stays stable.",
    "I have booked a remote session to look at the {area} problem with you; we will update you "
    "straight after it.",
)
INTERNAL_NOTES = (
    "Checked the {area} event log: repeated authentication failures from one device.",
    "Customer's {area} setup is non-standard; documented it in the runbook.",
    "Suspect the latest patch; rolled back on a test machine first.",
    "Spoke to the site contact at {place}; they confirmed the timings.",
    "Raised internally with the network team for the {area} side.",
    "Licence count looks short for {place}; check with the account manager.",
)
CUSTOMER_REPLIES = (
    "Thanks, we will try that and let you know.",
    "It is still happening for the people at {place}.",
    "That seems to have worked, thank you!",
    "Can you give us a call when you have an update?",
    "We have attached a screenshot of the {area} error.",
)
HANDOVER_NOTES = (
    "Handing over for the evening shift; the {area} fix is half done, see my notes.",
    "Moving to the {area} specialist.",
)
LOSS_LESSONS = (
    "Set a shorter update cadence for this customer while the problem is open.",
    "Restate the problem before working on it.",
    "Chase the vendor daily instead of weekly.",
)
VENDOR_NAMES = (
    "Microsoft",
    "Dell Technologies",
    "HP Inc",
    "Lenovo",
    "Cisco",
    "Fortinet",
    "Sophos",
    "Veeam",
    "Ubiquiti",
    "Zoom",
    "Xero",
    "Sage",
    "Mitel",
    "RingCentral",
    "Synology",
    "Datto",
    "Acronis",
    "Adobe",
    "Google Workspace",
    "Okta",
    "Juniper",
    "Meraki",
    "Brother",
    "Canon",
    "Ricoh",
    "Kyocera",
    "Vodafone Business",
    "BT Business",
    "Comcast Business",
    "Intuit",
    "Autodesk",
    "Atlassian",
    "Dropbox",
    "Mimecast",
    "Proofpoint",
    "SentinelOne",
    "CrowdStrike",
    "APC by Schneider",
    "Epson",
    "Logitech",
)
OPEN_STATUS_WEIGHTS = (
    (Status.NEW, 8),
    (Status.OPEN, 30),
    (Status.IN_PROGRESS, 35),
    (Status.WAITING_ON_CUSTOMER, 15),
    (Status.WAITING_ON_VENDOR, 12),
)
ENTRY_KIND_WEIGHTS = (
    (EntryKind.PUBLIC_UPDATE, 55),
    (EntryKind.INTERNAL_NOTE, 20),
    (EntryKind.CUSTOMER_REPLY, 12),
    (EntryKind.EVENT, 13),
)
# Impact x urgency pairs by how often each priority happens (P1 3%, P2 12%, P3 50%, P4 35%).
PRIORITY_WEIGHTS = {1: 3, 2: 12, 3: 50, 4: 35}


def _escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def _json(value) -> str:
    return _escape(json.dumps(value)) if value else "{}"


_FORMATTERS = {
    str: _escape,
    int: str,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
    datetime: datetime.isoformat,
    dict: _json,
    list: _json,
    float: repr,
}


def _text(value) -> str:
    """A value in COPY's text format."""
    formatter = _FORMATTERS.get(type(value))
    if formatter is None:
        if isinstance(value, str):  # TextChoices members
            return _escape(str(value))
        if isinstance(value, datetime):
            return value.isoformat()
        return _escape(json.dumps(value) if isinstance(value, (dict, list)) else str(value))
    return formatter(value)


class Table:
    """A COPY buffer for one table: `add` takes the given columns in order; every other column
    gets its model default, so a column added later with a default needs no change here."""

    def __init__(self, model_or_name, columns: list[str], defaults_from=None):
        if isinstance(model_or_name, str):
            self.name, self.columns, suffix = model_or_name, list(columns), ""
        else:
            self.name = model_or_name._meta.db_table
            fields = [f for f in model_or_name._meta.concrete_fields]
            by_column = {f.column: f for f in fields}
            missing = [c for c in columns if c not in by_column]
            if missing:
                raise CommandError(f"{self.name} has no columns {missing}")
            # The primary key is left to its sequence when not given.
            rest = [f for f in fields if f.column not in columns and not f.primary_key]
            self.columns = list(columns) + [f.column for f in rest]
            suffix = "".join(
                "\t" + _text(f.get_db_prep_save(f.get_default(), connection)) for f in rest
            )
        self.suffix = suffix + "\n"
        self.buffer = io.StringIO()
        self.rows = 0
        self.total = 0

    def add(self, *values) -> None:
        self.buffer.write("\t".join(map(_text, values)) + self.suffix)
        self.rows += 1

    def flush(self, cursor) -> None:
        if not self.rows:
            return
        self.buffer.seek(0)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        cursor.copy_expert(f'COPY "{self.name}" ({columns}) FROM STDIN', self.buffer)
        self.total += self.rows
        self.rows = 0
        self.buffer = io.StringIO()


def _weighted(rng: random.Random, pairs):
    values = [v for v, _ in pairs]
    cum = list(accumulate(w for _, w in pairs))
    return lambda: values[bisect(cum, rng.random() * cum[-1])]


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
        n_tickets = options["tickets"]
        if n_tickets < 1:
            raise CommandError("--tickets must be at least 1.")
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None or timezone.is_naive(now):
                raise CommandError("--now must be an ISO 8601 time with an offset.")
        else:
            now = timezone.now().replace(minute=0, second=0, microsecond=0)
        started = time.monotonic()
        seeder = Seeder(
            rng=random.Random(options["seed"]),
            now=now,
            n_tickets=n_tickets,
            n_entries=options["entries"] or 5 * n_tickets,
            n_open=min(n_tickets, options["open"] or max(1, n_tickets // 10)),
            n_orgs=max(1, options["organizations"]),
            n_staff=max(2, options["staff"]),
            n_contacts=options["contacts"],
            log=lambda text: self.stdout.write(f"[{time.monotonic() - started:7.1f}s] {text}"),
        )
        with transaction.atomic():
            counts = seeder.run()
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


class Seeder:
    def __init__(self, *, rng, now, n_tickets, n_entries, n_open, n_orgs, n_staff, n_contacts, log):
        self.rng = rng
        self.now = now
        self.n_tickets = n_tickets
        self.n_entries = max(n_entries, n_tickets)
        self.n_open = n_open
        self.n_orgs = n_orgs
        self.n_staff = n_staff
        self.n_contacts = n_contacts or max(2 * n_orgs, n_tickets // 50)
        self.log = log
        self.password = make_password(SCALE_PASSWORD)
        with connection.cursor() as cursor:
            self.vendor_tables = {
                "vendors_vendor",
                "vendors_vendorescalation",
                "vendors_escalationnote",
            } <= set(connection.introspection.table_names(cursor))

    # -- orchestration -------------------------------------------------------------------------

    def big_tables(self) -> list[str]:
        tables = [
            Ticket._meta.db_table,
            Ticket.collaborators.through._meta.db_table,
            TimelineEntry._meta.db_table,
            Promise._meta.db_table,
            PromiseAlert._meta.db_table,
            Notification._meta.db_table,
            Feedback._meta.db_table,
            Loss._meta.db_table,
        ]
        if self.vendor_tables:
            tables += ["vendors_vendorescalation", "vendors_escalationnote"]
        return tables

    def run(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            self.make_people(cursor)
            self.log(
                f"{self.n_orgs:,} organisations, {len(self.staff):,} staff, "
                f"{self.contacts_total:,} contacts"
            )
            detached = self.detach(cursor, self.big_tables())
            self.log(f"dropped {len(detached[0])} indexes and {len(detached[1])} foreign keys")
            self.make_tickets(cursor)
            self.log("tickets and their histories loaded; rebuilding indexes")
            self.reattach(cursor, *detached)
            self.log("indexes rebuilt, foreign keys checked")
            self.reset_sequences(cursor)
        # COPY bypasses the promise ledger and the status-change receiver that keep the
        # dashboard's tallies; recompute them from what was loaded.
        dashboard_tally.rebuild()
        dashboard_tally.rebuild_vendor_waits()
        self.log("dashboard tallies rebuilt")
        return {
            "organisations": self.n_orgs,
            "staff": len(self.staff),
            "contacts": self.contacts_total,
            **{name: table.total for name, table in self.tables.items()},
        }

    def detach(self, cursor, tables: list[str]):
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
            """,
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid::regclass::text = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return indexes, foreign_keys

    def reattach(self, cursor, indexes, foreign_keys) -> None:
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')

    def reset_sequences(self, cursor) -> None:
        for table in [*self.big_tables(), Organization._meta.db_table, User._meta.db_table]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
            )

    # -- organisations, staff, contacts -------------------------------------------------------

    def make_people(self, cursor) -> None:
        rng = self.rng
        plan = SupportPlan.default()
        names: set[str] = set(Organization.objects.values_list("name", flat=True))
        organizations = []
        for number in range(1, self.n_orgs + 1):
            name = f"{rng.choice(ORG_WORDS_A)} {rng.choice(ORG_WORDS_B)} {rng.choice(ORG_WORDS_C)}"
            if name in names:
                name = f"{name} {number}"
            names.add(name)
            zone, country = rng.choice(TIMEZONES)
            organizations.append(
                Organization(
                    name=name,
                    timezone=zone,
                    holiday_country=country,
                    support_plan=plan,
                    created_at=self.now - timedelta(days=HISTORY_DAYS + rng.randint(1, 900)),
                )
            )
        self.organizations = Organization.objects.bulk_create(organizations, batch_size=2000)
        # Organisation sizes follow a long tail: the largest customer has a few percent of all
        # tickets, most have a handful (organisation 1, org1.example, is the largest).
        weights = [1 / (rank**0.7) for rank in range(1, self.n_orgs + 1)]
        total_weight = sum(weights)
        self.org_cum = list(accumulate(weights))
        # One ticket-less dummy per organisation lets updates.keeper.alert_times compute the real
        # reminder times (business hours and all) without a query.
        self.org_probe = {}
        for org in Organization.objects.filter(
            pk__in=[o.pk for o in self.organizations]
        ).prefetch_related("support_plan__cadence_rules"):
            calendar = org.calendar()
            org.calendar = lambda calendar=calendar: calendar  # built once, not per promise
            self.org_probe[org.pk] = Ticket(organization=org, priority=3)

        staff = []
        n_managers = max(1, self.n_staff // 15)
        for number in range(1, self.n_staff + 1):
            is_manager = number <= n_managers
            email = (
                f"manager{number:02d}@msp.example"
                if is_manager
                else f"agent{number - n_managers:03d}@msp.example"
            )
            staff.append(
                User(
                    email=email,
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    role=Role.MANAGER if is_manager else Role.AGENT,
                    is_staff=is_manager,
                    password=self.password,
                    date_joined=self.now - timedelta(days=HISTORY_DAYS + 30),
                )
            )
        self.staff = User.objects.bulk_create(staff, batch_size=1000)
        self.managers = [u for u in self.staff if u.role == Role.MANAGER]
        self.agents = [u for u in self.staff if u.role == Role.AGENT] or self.managers
        self.agent_cum = list(accumulate(rng.uniform(0.5, 2.0) for _ in self.agents))
        self.staff_names = {u.pk: u.display_name for u in self.staff}

        users = User._meta.db_table
        table = Table(
            User,
            [
                "id",
                "email",
                "name",
                "role",
                "organization_id",
                "sees_organization_tickets",
                "timezone",
                "is_active",
                "is_staff",
                "is_superuser",
                "date_joined",
                "password",
            ],
        )
        self.org_contacts: dict[int, tuple[int, int]] = {}
        self.contacts_total = 0
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{users}"')
        next_id = cursor.fetchone()[0] + 1
        for index, org in enumerate(self.organizations, start=1):
            share = weights[index - 1] / total_weight
            count = max(2, round(self.n_contacts * share))
            first = next_id
            for number in range(1, count + 1):
                table.add(
                    next_id,
                    f"contact{number}@org{index}.example",
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    Role.CONTACT.value,
                    org.pk,
                    number == 1,
                    "",
                    True,
                    False,
                    False,
                    org.created_at,
                    self.password,
                )
                next_id += 1
            self.org_contacts[org.pk] = (first, count)
            self.contacts_total += count
        table.flush(cursor)
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{users}\"', 'id'), %s, false)", [next_id]
        )

    # -- tickets and their histories -----------------------------------------------------------

    def make_tickets(self, cursor) -> None:
        rng = self.rng
        self.tables = tables = {
            "tickets": Table(
                Ticket,
                [
                    "id",
                    "organization_id",
                    "requester_id",
                    "created_by_id",
                    "subject",
                    "description",
                    "status",
                    "impact",
                    "urgency",
                    "priority",
                    "priority_override",
                    "priority_override_reason",
                    "owner_id",
                    "next_update_due",
                    "eta",
                    "problem_statement",
                    "understanding_confirmed_at",
                    "resolved_at",
                    "closed_at",
                    "created_at",
                    "updated_at",
                    "public_search_text",
                    "internal_search_text",
                    "people_affected",
                    "preferred_contact",
                ],
            ),
            "collaborators": Table(
                Ticket.collaborators.through._meta.db_table, ["ticket_id", "user_id"]
            ),
            "timeline entries": Table(
                TimelineEntry,
                [
                    "id",
                    "ticket_id",
                    "kind",
                    "is_public",
                    "author_id",
                    "body",
                    "event",
                    "data",
                    "next_update_due",
                    "created_at",
                ],
            ),
            "promises": Table(
                Promise,
                [
                    "id",
                    "ticket_id",
                    "made_at",
                    "due_at",
                    "is_first_response",
                    "priority",
                    "outcome",
                    "closed_at",
                    "kept_by_id",
                    "made_by_id",
                    "owner_id",
                    "organization_id",
                ],
            ),
            "alerts": Table(
                PromiseAlert,
                [
                    "id",
                    "promise_id",
                    "ticket_id",
                    "stage",
                    "due_at",
                    "status",
                    "created_at",
                    "settled_at",
                ],
            ),
            "notifications": Table(
                Notification,
                [
                    "recipient_id",
                    "kind",
                    "ticket_id",
                    "message",
                    "created_at",
                    "read_at",
                    "alert_id",
                ],
            ),
            "feedback": Table(
                Feedback,
                [
                    "id",
                    "ticket_id",
                    "author_id",
                    "kept_informed",
                    "resolved",
                    "comment",
                    "created_at",
                ],
            ),
            "losses": Table(
                Loss,
                [
                    "ticket_id",
                    "organization_id",
                    "category",
                    "description",
                    "lessons",
                    "feedback_id",
                    "recorded_by_id",
                    "created_at",
                ],
            ),
        }
        if self.vendor_tables:
            self.make_vendors(cursor)
            tables["vendor escalations"] = Table(
                "vendors_vendorescalation",
                [
                    "id",
                    "ticket_id",
                    "vendor_id",
                    "vendor_reference",
                    "summary",
                    "status",
                    "opened_at",
                    "opened_by_id",
                    "acknowledged_at",
                    "resolved_at",
                    "acknowledge_by",
                    "next_chase_at",
                    "last_chase_due_at",
                    "rca_requested",
                    "rca_received",
                    "updated_at",
                ],
            )
            tables["escalation notes"] = Table(
                "vendors_escalationnote",
                ["escalation_id", "author_id", "body", "pushback", "created_at"],
            )

        # Which tickets are open: mostly the recent ones, plus a tail of old stale tickets.
        open_ids: set[int] = set()
        while len(open_ids) < self.n_open:
            open_ids.add(self.n_tickets - int(self.n_tickets * rng.random() ** 3))
        self.open_ids = open_ids
        # Timeline lengths: mostly short, a few very long; scaled to exactly n_entries in all.
        lengths = self.timeline_lengths()
        self.log(f"planned {self.n_tickets:,} tickets, {sum(lengths):,} timeline entries")

        self.next_entry = self.next_promise = self.next_alert = 1
        self.next_feedback = self.next_escalation = 1
        open_status = _weighted(rng, OPEN_STATUS_WEIGHTS)
        self.entry_kind = _weighted(rng, ENTRY_KIND_WEIGHTS)
        pairs = [(i, u) for i in range(1, 5) for u in range(1, 5)]
        by_priority = {p: [pair for pair in pairs if priority_for(*pair) == p] for p in range(1, 5)}
        choose_priority = _weighted(rng, list(PRIORITY_WEIGHTS.items()))
        span = timedelta(days=HISTORY_DAYS).total_seconds()
        borrowed = 0  # timeline entries lent to vendor-waiting tickets, not yet paid back
        for number in range(1, self.n_tickets + 1):
            priority = choose_priority()
            impact, urgency = rng.choice(by_priority[priority])
            status = (
                open_status()
                if number in open_ids
                else (Status.CLOSED if rng.random() < 0.75 else Status.RESOLVED)
            )
            # Ids grow with time, like a real desk; a little jitter keeps it from being exact.
            age = span * (1 - number / self.n_tickets) + rng.uniform(0, 3600)
            created = self.now - timedelta(seconds=max(age, 60))
            length = lengths[number - 1]
            if status == Status.WAITING_ON_VENDOR and length == 1 and number < self.n_tickets:
                # The wait starts at the status change into waiting_on_vendor, which the
                # timeline records (the dashboard's vendor waits read it): such a ticket needs
                # a second entry, borrowed from the next ticket with one to spare, so the total
                # stays exact.
                length, borrowed = 2, borrowed + 1
            elif borrowed and length > (2 if status == Status.WAITING_ON_VENDOR else 1):
                length, borrowed = length - 1, borrowed - 1
            self.make_ticket(number, created, status, impact, urgency, priority, length)
            if number % CHUNK_TICKETS == 0 or number == self.n_tickets:
                for table in tables.values():
                    table.flush(cursor)
                if number % 100_000 == 0 or number == self.n_tickets:
                    self.log(f"{number:,} tickets")

    def timeline_lengths(self) -> list[int]:
        rng = self.rng
        lengths = []
        for _ in range(self.n_tickets):
            if rng.random() < 0.002:
                lengths.append(rng.randint(150, 400))  # the long-running saga
            else:
                lengths.append(1 + int(rng.expovariate(1 / 3.5)))
        total = sum(lengths)
        target = self.n_entries
        # Spread the difference over random tickets so the total is exact.
        while total != target:
            index = rng.randrange(self.n_tickets)
            if total < target:
                step = min(target - total, rng.randint(1, 4))
                lengths[index] += step
                total += step
            elif lengths[index] > 1:
                step = min(total - target, lengths[index] - 1, rng.randint(1, 4))
                lengths[index] -= step
                total -= step
        return lengths

    def make_ticket(self, number, created, status, impact, urgency, priority, n_entries) -> None:
        rng, now, tables = self.rng, self.now, self.tables
        org_index = bisect(self.org_cum, rng.random() * self.org_cum[-1])
        org = self.organizations[min(org_index, len(self.organizations) - 1)]
        first_contact, contact_count = self.org_contacts[org.pk]
        requester = first_contact + min(int(rng.expovariate(0.5)), contact_count - 1)
        owner = None
        if status != Status.NEW:
            owner = self.agents[bisect(self.agent_cum, rng.random() * self.agent_cum[-1])].pk
        by_portal = rng.random() < 0.6
        created_by = requester if by_portal or owner is None else owner
        problem, area = rng.choice(PROBLEMS)
        place = rng.choice(PLACES)
        subject = f"{problem} at {place}" if rng.random() < 0.5 else problem
        description = " ".join(rng.sample(DETAILS, 2)) + f" Affects {place}."
        done = status in (Status.RESOLVED, Status.CLOSED)
        owes = status in (Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_VENDOR)
        first, every, _, _ = DEFAULT_CADENCE[priority]

        if done:
            lifetime = timedelta(hours=rng.expovariate(1 / 40) + 0.2)
            end = min(created + lifetime, now - timedelta(minutes=5))
            end = max(end, created + timedelta(minutes=2))
        else:
            end = now - timedelta(minutes=rng.randint(1, 120))
            end = max(end, created + timedelta(minutes=1))
        resolved_at = end if done else None
        closed_at = end + timedelta(days=3) if status == Status.CLOSED else None
        if closed_at is not None and closed_at > now:
            closed_at = now - timedelta(minutes=1)
            closed_at = max(closed_at, end)

        # The timeline: opened, then the rest at sorted times, then the final status change.
        moments = sorted(
            created + (end - created) * rng.random() for _ in range(max(0, n_entries - 1))
        )
        entries = [("event", True, created_by, "", "opened", {}, created)]
        last_status = Status.NEW.value
        for index, moment in enumerate(moments):
            last = index == len(moments) - 1
            if last and last_status != status and n_entries > 1:
                entries.append(
                    (
                        "event",
                        True,
                        owner,
                        "",
                        "status_changed",
                        {"old": last_status, "new": status},
                        moment,
                    )
                )
                continue
            if index == 0 and owner is not None:
                entries.append(
                    (
                        "event",
                        False,
                        owner,
                        "",
                        "owner_changed",
                        {
                            "old": None,
                            "old_name": "",
                            "new": owner,
                            "new_name": self.staff_names[owner],
                        },
                        moment,
                    )
                )
                continue
            kind = self.entry_kind()
            words = {"area": area, "place": place}
            if kind == EntryKind.PUBLIC_UPDATE and owner is not None:
                body = rng.choice(PUBLIC_UPDATES).format(**words)
                entries.append(("public_update", True, owner, body, "", {}, moment))
            elif kind == EntryKind.INTERNAL_NOTE and owner is not None:
                body = rng.choice(INTERNAL_NOTES).format(**words)
                entries.append(("internal_note", False, owner, body, "", {}, moment))
            elif kind == EntryKind.EVENT and owner is not None:
                new = Status.IN_PROGRESS.value if last_status != "in_progress" else "open"
                if status == Status.NEW:
                    new = last_status
                entries.append(
                    (
                        "event",
                        True,
                        owner,
                        "",
                        "status_changed",
                        {"old": last_status, "new": new},
                        moment,
                    )
                )
                last_status = new
            else:
                body = rng.choice(CUSTOMER_REPLIES).format(**words)
                entries.append(("customer_reply", True, requester, body, "", {}, moment))

        # The promise ledger: the first response, then one per public update.
        entry_ids = []
        publics = []
        for entry in entries:
            entry_ids.append(self.next_entry)
            if entry[0] == "public_update":
                publics.append(len(entry_ids) - 1)
            self.next_entry += 1
        promise_rows = []  # (made_at, due_at, first, outcome, closed_at, kept_by, made_by)
        answer_times = [entries[i][6] for i in publics]
        answer_ids = [entry_ids[i] for i in publics]
        made_at, made_by, is_first = created, None, True
        due_by_entry: dict[int, datetime] = {}
        for answer_at, answer_id in zip(answer_times, answer_ids, strict=True):
            gap = answer_at - made_at
            if rng.random() < 0.88:
                due = answer_at + max(gap * rng.uniform(0.05, 0.6), timedelta(minutes=1))
                outcome, kept_by = PromiseOutcome.KEPT, answer_id
            else:
                due = made_at + max(gap * rng.uniform(0.2, 0.95), timedelta(seconds=30))
                outcome, kept_by = PromiseOutcome.BREACHED, None
                if due >= answer_at:
                    outcome, kept_by = PromiseOutcome.KEPT, answer_id
            promise_rows.append((made_at, due, is_first, outcome, answer_at, kept_by, made_by))
            made_at, made_by, is_first = answer_at, answer_id, False
        # What is owed now, or how the last promise ended.
        pending_due = None
        if owes:
            if rng.random() < 0.06:  # overdue right now
                pending_due = made_at + (now - made_at) * rng.uniform(0.3, 0.95)
            else:
                minutes = (first if is_first else every) * rng.uniform(0.5, 3.0)
                pending_due = now + timedelta(minutes=max(minutes, 90))
            if pending_due <= made_at:
                pending_due = made_at + timedelta(seconds=1)
            promise_rows.append(
                (made_at, pending_due, is_first, PromiseOutcome.PENDING, None, None, made_by)
            )
        else:
            closing = resolved_at or entries[-1][6]
            if closing <= made_at:
                closing = made_at + timedelta(seconds=1)
            if rng.random() < 0.88:
                due = closing + max(
                    (closing - made_at) * rng.uniform(0.05, 0.6), timedelta(minutes=1)
                )
                outcome = PromiseOutcome.KEPT if done else PromiseOutcome.WITHDRAWN
            else:
                due = made_at + max(
                    (closing - made_at) * rng.uniform(0.2, 0.95), timedelta(seconds=30)
                )
                outcome = PromiseOutcome.BREACHED
                if due >= closing:
                    outcome = PromiseOutcome.KEPT if done else PromiseOutcome.WITHDRAWN
            promise_rows.append((made_at, due, is_first, outcome, closing, None, made_by))
        for _, due, _, _, _, _, made_by_ in promise_rows:
            if made_by_ is not None:
                due_by_entry[made_by_] = due

        # Search text exactly as updates.search.rebuild_search_text writes it.
        public_text = [e[3].strip() for e in entries if e[3] and e[1]]
        internal_text = [e[3].strip() for e in entries if e[3] and not e[1]]

        problem_statement = ""
        confirmed = None
        if owner is not None and rng.random() < 0.6:
            problem_statement = f"{problem} affecting {place}; needs fixing without data loss."
            if rng.random() < 0.5:
                confirmed = created + (end - created) / 3
        eta = now + timedelta(days=rng.randint(1, 10)) if owes and rng.random() < 0.2 else None
        override = None
        override_reason = ""
        ticket_priority = priority
        if owner is not None and rng.random() < 0.01:
            override = max(1, priority - 1)
            override_reason = "Customer's board meeting depends on it."
            ticket_priority = override
        tables["tickets"].add(
            number,
            org.pk,
            requester,
            created_by,
            subject,
            description,
            status,
            impact,
            urgency,
            ticket_priority,
            override,
            override_reason,
            owner,
            pending_due,
            eta,
            problem_statement,
            confirmed,
            resolved_at,
            closed_at,
            created,
            closed_at or entries[-1][6],
            "\n".join(public_text)[-SEARCH_TEXT_MAX_LENGTH:],
            "\n".join(internal_text)[-SEARCH_TEXT_MAX_LENGTH:],
            rng.randint(1, 40) if rng.random() < 0.3 else None,
            "email" if rng.random() < 0.2 else "",
        )
        add_entry = tables["timeline entries"].add
        for entry_id, (kind, public, author, body, event, data, moment) in zip(
            entry_ids, entries, strict=True
        ):
            add_entry(
                entry_id,
                number,
                kind,
                public,
                author,
                body,
                event,
                data,
                due_by_entry.get(entry_id) if kind == "public_update" else None,
                moment,
            )
        for made_at_, due, is_first_, outcome, closed, kept_by, made_by_ in promise_rows:
            promise_id = self.next_promise
            self.next_promise += 1
            tables["promises"].add(
                promise_id,
                number,
                made_at_,
                due,
                is_first_,
                ticket_priority,
                outcome.value,
                closed,
                kept_by,
                made_by_,
                # The dashboard's figures by owner and by customer read these off the promise.
                owner,
                org.pk,
            )
            if outcome == PromiseOutcome.PENDING:
                self.make_alerts(number, org.pk, owner, promise_id, made_at_, due, ticket_priority)
        if owner is not None and rng.random() < 0.03:
            for user in {self.agents[rng.randrange(len(self.agents))].pk for _ in range(2)}:
                if user != owner:
                    tables["collaborators"].add(number, user)
        if done:
            self.make_feedback(number, org.pk, requester, resolved_at)
        if self.vendor_tables and (
            status == Status.WAITING_ON_VENDOR or (done and rng.random() < 0.02)
        ):
            self.make_escalation(number, owner, created, end, active=not done)

    def make_alerts(self, ticket, org_id, owner, promise_id, made_at, due_at, priority) -> None:
        probe = self.org_probe[org_id]
        times = alert_times(probe, made_at=made_at, due_at=due_at, priority=priority)
        for stage, moment in times.items():
            alert_id = self.next_alert
            self.next_alert += 1
            passed = moment <= self.now
            status = AlertStatus.PENDING
            settled = None
            if passed:
                # The sweep fired it on time; a due-soon reminder made moot by the breach was
                # skipped, exactly as the sweep would have done.
                status = AlertStatus.FIRED
                settled = moment + timedelta(seconds=self.rng.randint(1, 50))
                if settled > self.now:
                    settled = self.now
            self.tables["alerts"].add(
                alert_id, promise_id, ticket, stage, moment, status.value, made_at, settled
            )
            if passed:
                self.make_notifications(ticket, owner, stage, alert_id, settled)

    def make_notifications(self, ticket, owner, stage, alert_id, at) -> None:
        if stage == "due_soon":
            people = [owner] if owner else [m.pk for m in self.managers]
        elif stage == "breached":
            people = ([owner] if owner else []) + [m.pk for m in self.managers]
        else:
            people = [m.pk for m in self.managers]
        message = {
            "due_soon": f"SD-{ticket}: the next update is due soon.",
            "breached": f"SD-{ticket}: the promised update time has passed.",
            "still_breached": f"SD-{ticket}: the promised update is still overdue.",
        }[stage]
        for person in dict.fromkeys(people):
            read = at + timedelta(minutes=10) if self.rng.random() < 0.7 else None
            if read is not None and read > self.now:
                read = None
            self.tables["notifications"].add(person, stage, ticket, message, at, read, alert_id)

    def make_feedback(self, ticket, org_id, requester, resolved_at) -> None:
        rng = self.rng
        if rng.random() < 0.25:
            scores = (1, 2, 3, 4, 5)
            weights = (3, 4, 10, 30, 53)
            kept, solved = rng.choices(scores, weights)[0], rng.choices(scores, weights)[0]
            at = min(resolved_at + timedelta(hours=rng.uniform(1, 48)), self.now)
            feedback_id = self.next_feedback
            self.next_feedback += 1
            self.tables["feedback"].add(feedback_id, ticket, requester, kept, solved, "", at)
            category = loss_category_for(kept, solved)
            if category:
                self.tables["losses"].add(
                    ticket,
                    org_id,
                    category,
                    "From the customer's feedback.",
                    "",
                    feedback_id,
                    None,
                    at,
                )
        elif rng.random() < 0.003:
            category = rng.choice(LossCategory.values)
            self.tables["losses"].add(
                ticket,
                org_id,
                category,
                "Recorded after the account review.",
                rng.choice(LOSS_LESSONS),
                None,
                rng.choice(self.managers).pk,
                min(resolved_at + timedelta(days=2), self.now),
            )

    # -- vendors (by table name: updates does not import vendors) ------------------------------

    def make_vendors(self, cursor) -> None:
        table = Table(
            "vendors_vendor",
            [
                "name",
                "aliases",
                "support_email",
                "support_phone",
                "portal_url",
                "account_number",
                "contract_reference",
                "support_hours",
                "expected_response_minutes",
                "notes",
                "is_active",
                "created_at",
            ],
        )
        cursor.execute("SELECT name FROM vendors_vendor")
        existing = {row[0] for row in cursor.fetchall()}
        for name in VENDOR_NAMES:
            if name in existing:
                continue
            slug = name.lower().replace(" ", "")
            table.add(
                name,
                "",
                f"support@{slug}.example",
                "+44 20 7946 0000",
                f"https://support.{slug}.example/",
                f"ACC-{self.rng.randint(10000, 99999)}",
                "",
                "24x7" if self.rng.random() < 0.5 else "Mon-Fri 9-17",
                self.rng.choice((60, 240, 480, None)),
                "",
                True,
                self.now - timedelta(days=HISTORY_DAYS),
            )
        table.flush(cursor)
        cursor.execute("SELECT id, expected_response_minutes FROM vendors_vendor ORDER BY id")
        self.vendors = cursor.fetchall()

    def make_escalation(self, ticket, owner, created, end, *, active: bool) -> None:
        rng = self.rng
        vendor_id, expected = rng.choice(self.vendors)
        opened = created + (end - created) * rng.uniform(0.1, 0.6)
        acknowledge_by = opened + timedelta(minutes=expected) if expected else None
        if active:
            status = rng.choice(("open", "acknowledged", "awaiting_vendor", "vendor_needs_info"))
            resolved = None
            next_chase = self.now + timedelta(hours=rng.uniform(1, 72))
        else:
            status = rng.choice(("resolved", "closed"))
            resolved = end - (end - opened) * rng.uniform(0, 0.3)
            next_chase = None
        acknowledged = None
        if status != "open":
            acknowledged = opened + (end - opened) * rng.uniform(0.01, 0.2)
        if acknowledged is not None and resolved is not None and acknowledged > resolved:
            acknowledged = resolved
        escalation_id = self.next_escalation
        self.next_escalation += 1
        self.tables["vendor escalations"].add(
            escalation_id,
            ticket,
            vendor_id,
            f"CASE-{rng.randint(100000, 999999)}",
            "Vendor case for the customer's problem; logs attached.",
            status,
            opened,
            owner,
            acknowledged,
            resolved,
            acknowledge_by,
            next_chase,
            None,
            rng.random() < 0.2,
            False,
            resolved or end,
        )
        for _ in range(rng.randint(0, 3)):
            self.tables["escalation notes"].add(
                escalation_id,
                owner,
                "Vendor asked for fresh logs; sent them.",
                rng.random() < 0.15,
                opened + (end - opened) * rng.random(),
            )
