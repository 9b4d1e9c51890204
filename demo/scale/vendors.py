"""Vendors, and the cases raised with them: every ticket waiting on a vendor has an open case, and
a few resolved tickets had one."""

from datetime import timedelta

from demo.scale import HISTORY_DAYS
from demo.scale.copy_tables import Table
from demo.scale.load import Load
from demo.scale.plan import TicketFacts
from demo.scale.words import VENDOR_NAMES
from vendors.models import Vendor
from vendors.services import VENDOR_FIELDS

ACTIVE_STATUSES = ("open", "acknowledged", "awaiting_vendor", "vendor_needs_info")
DONE_STATUSES = ("resolved", "closed")
# The columns COPY writes: the fields staff may set, then when the vendor was added.
VENDOR_COLUMNS = [*VENDOR_FIELDS, "created_at"]


def make_vendors(cursor, rng, now) -> list[tuple[int, int | None]]:
    """The vendors not there yet; returns (id, expected response minutes) of every vendor."""
    table = Table(Vendor, VENDOR_COLUMNS)
    existing = set(Vendor.objects.values_list("name", flat=True))
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
            f"ACC-{rng.randint(10000, 99999)}",
            "",
            "24x7" if rng.random() < 0.5 else "Mon-Fri 9-17",
            rng.choice((60, 240, 480, None)),
            "",
            True,
            now - timedelta(days=HISTORY_DAYS),
        )
    table.flush(cursor)
    return list(Vendor.objects.order_by("id").values_list("id", "expected_response_minutes"))


def add_escalation(load: Load, ticket: TicketFacts, *, active: bool) -> None:
    """A case opened some way into the ticket's life, acknowledged (unless still open) soon
    after; an active one is chased within three days."""
    rng, now = load.rng, load.now
    created, end = ticket.created, ticket.end
    vendor_id, expected = rng.choice(load.vendors)
    opened = created + (end - created) * rng.uniform(0.1, 0.6)
    acknowledge_by = opened + timedelta(minutes=expected) if expected else None
    if active:
        status = rng.choice(ACTIVE_STATUSES)
        resolved = None
        next_chase = now + timedelta(hours=rng.uniform(1, 72))
    else:
        status = rng.choice(DONE_STATUSES)
        resolved = end - (end - opened) * rng.uniform(0, 0.3)
        next_chase = None
    acknowledged = None
    if status != "open":
        acknowledged = opened + (end - opened) * rng.uniform(0.01, 0.2)
    if acknowledged is not None and resolved is not None and acknowledged > resolved:
        acknowledged = resolved
    escalation_id = next(load.ids.escalation)
    load.tables["vendor escalations"].add(
        escalation_id,
        ticket.number,
        vendor_id,
        f"CASE-{rng.randint(100000, 999999)}",
        "Vendor case for the customer's problem; logs attached.",
        status,
        opened,
        ticket.owner,
        acknowledged,
        resolved,
        acknowledge_by,
        next_chase,
        None,
        rng.random() < 0.2,
        False,
        resolved or end,
    )
    _add_notes(load, escalation_id, ticket.owner, opened, end)


def _add_notes(load: Load, escalation_id: int, owner: int | None, opened, end) -> None:
    rng = load.rng
    for _ in range(rng.randint(0, 3)):
        load.tables["escalation notes"].add(
            escalation_id,
            owner,
            "Vendor asked for fresh logs; sent them.",
            rng.random() < 0.15,
            opened + (end - opened) * rng.random(),
        )
