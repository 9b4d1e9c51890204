"""The shape of the desk before any ticket is written: which tickets are open, how long each
timeline is, and each ticket's priority, status and age."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from demo.scale import HISTORY_DAYS
from demo.scale.load import weighted
from tickets.models import Status
from tickets.priority import priority_for

OPEN_STATUS_WEIGHTS = (
    (Status.NEW, 8),
    (Status.OPEN, 30),
    (Status.IN_PROGRESS, 35),
    (Status.WAITING_ON_CUSTOMER, 15),
    (Status.WAITING_ON_VENDOR, 12),
)
# Impact x urgency pairs by how often each priority happens (P1 3%, P2 12%, P3 50%, P4 35%).
PRIORITY_WEIGHTS = ((1, 3), (2, 12), (3, 50), (4, 35))


@dataclass(slots=True)
class TicketPlan:
    number: int
    created: datetime
    status: str
    impact: int
    urgency: int
    priority: int
    n_entries: int


def open_numbers(rng: random.Random, n_tickets: int, n_open: int) -> set[int]:
    """Mostly the recent tickets, plus a tail of old stale ones."""
    numbers: set[int] = set()
    while len(numbers) < n_open:
        numbers.add(n_tickets - int(n_tickets * rng.random() ** 3))
    return numbers


def timeline_lengths(rng: random.Random, n_tickets: int, n_entries: int) -> list[int]:
    """Mostly short, a few very long; scaled to exactly `n_entries` in all."""
    lengths = []
    for _ in range(n_tickets):
        if rng.random() < 0.002:
            lengths.append(rng.randint(150, 400))  # the long-running saga
        else:
            lengths.append(1 + int(rng.expovariate(1 / 3.5)))
    total = sum(lengths)
    # Spread the difference over random tickets so the total is exact.
    while total != n_entries:
        index = rng.randrange(n_tickets)
        if total < n_entries:
            step = min(n_entries - total, rng.randint(1, 4))
            lengths[index] += step
            total += step
        elif lengths[index] > 1:
            step = min(total - n_entries, lengths[index] - 1, rng.randint(1, 4))
            lengths[index] -= step
            total -= step
    return lengths


def ticket_plans(
    rng: random.Random, now: datetime, open_ids: set[int], lengths: list[int]
) -> Iterator[TicketPlan]:
    """Each ticket in id order; ids grow with time, like a real desk."""
    n_tickets = len(lengths)
    open_status = weighted(rng, OPEN_STATUS_WEIGHTS)
    choose_priority = weighted(rng, PRIORITY_WEIGHTS)
    pairs = [(i, u) for i in range(1, 5) for u in range(1, 5)]
    by_priority = {p: [pair for pair in pairs if priority_for(*pair) == p] for p in range(1, 5)}
    span = timedelta(days=HISTORY_DAYS).total_seconds()
    borrowed = 0  # timeline entries lent to vendor-waiting tickets, not yet paid back
    for number in range(1, n_tickets + 1):
        priority = choose_priority()
        impact, urgency = rng.choice(by_priority[priority])
        status = (
            open_status()
            if number in open_ids
            else (Status.CLOSED if rng.random() < 0.75 else Status.RESOLVED)
        )
        # A little jitter keeps the ids' order of time from being exact.
        age = span * (1 - number / n_tickets) + rng.uniform(0, 3600)
        created = now - timedelta(seconds=max(age, 60))
        length = lengths[number - 1]
        if status == Status.WAITING_ON_VENDOR and length == 1 and number < n_tickets:
            # The wait starts at the status change into waiting_on_vendor, which the timeline
            # records (the dashboard's vendor waits read it): such a ticket needs a second
            # entry, borrowed from the next ticket with one to spare, so the total stays exact.
            length, borrowed = 2, borrowed + 1
        elif borrowed and length > (2 if status == Status.WAITING_ON_VENDOR else 1):
            length, borrowed = length - 1, borrowed - 1
        yield TicketPlan(number, created, status, impact, urgency, priority, length)


@dataclass(slots=True)
class TicketFacts:
    """One ticket as its history generators see it (ids, not model instances)."""

    number: int
    organization: int
    requester: int
    owner: int | None
    created_by: int
    status: str
    impact: int
    urgency: int
    priority: int  # from the matrix; an override is drawn later, with the triage
    problem: str
    subject: str
    description: str
    area: str
    place: str
    created: datetime
    end: datetime  # resolved, or the last thing that happened on an open ticket
    resolved_at: datetime | None
    closed_at: datetime | None
    done: bool  # resolved or closed
    owes: bool  # owes the customer an update (a pending promise)
