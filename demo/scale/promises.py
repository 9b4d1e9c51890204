"""A ticket's promise ledger: the first-response promise, then one per public update, each kept
(mostly) or breached; what is owed now, with its reminders fired as the sweep would have fired
them; or how the last promise ended."""

import random
from datetime import datetime, timedelta
from typing import NamedTuple

from accounts.models import DEFAULT_CADENCE
from demo.scale.load import Load
from demo.scale.plan import TicketFacts
from demo.scale.timelines import KIND, MOMENT, Entry
from updates.keeper.alerts import alert_times
from updates.models import AlertStatus, PromiseOutcome

KEPT_SHARE = 0.88
OVERDUE_NOW_SHARE = 0.06
NOTIFICATION_TEXT = {
    "due_soon": "SD-{ticket}: the next update is due soon.",
    "breached": "SD-{ticket}: the promised update time has passed.",
    "still_breached": "SD-{ticket}: the promised update is still overdue.",
}


# A promise as loaded: (made_at, due_at, is_first, outcome, closed_at, kept_by, made_by), the last
# two the ids of the public updates that kept and made it (none: the first response). A plain
# tuple: millions are made, and a NamedTuple costs several times as much to build.
PromiseRow = tuple[
    datetime, datetime, bool, PromiseOutcome, datetime | None, int | None, int | None
]


class Ledger(NamedTuple):
    rows: list[PromiseRow]
    pending_due: datetime | None  # Ticket.next_update_due
    due_by_entry: dict[int, datetime]  # the deadline each public update promised


def ledger(load: Load, ticket: TicketFacts, entries: list[Entry], entry_ids: list[int]) -> Ledger:
    rng = load.rng
    rows = []
    made_at, made_by, is_first = ticket.created, None, True
    for entry, entry_id in zip(entries, entry_ids, strict=True):
        if entry[KIND] == "public_update":
            answer_at = entry[MOMENT]
            rows.append(_answered(rng, made_at, answer_at, entry_id, made_by, is_first))
            made_at, made_by, is_first = answer_at, entry_id, False
    if ticket.owes:
        rows.append(_pending(load, ticket, made_at, made_by, is_first))
    else:
        closing = ticket.resolved_at or entries[-1][MOMENT]
        rows.append(_last(rng, ticket, made_at, made_by, is_first, closing))
    due_by_entry = {made_by: due for _, due, *_, made_by in rows if made_by is not None}
    pending_due = rows[-1][1] if ticket.owes else None
    return Ledger(rows, pending_due, due_by_entry)


def _answered(
    rng: random.Random,
    made_at: datetime,
    answer_at: datetime,
    answer_id: int,
    made_by: int | None,
    is_first: bool,
) -> PromiseRow:
    """A promise a public update answered: kept if the deadline had not passed."""
    gap = answer_at - made_at
    if rng.random() < KEPT_SHARE:
        due = answer_at + max(gap * rng.uniform(0.05, 0.6), timedelta(minutes=1))
    else:
        due = made_at + max(gap * rng.uniform(0.2, 0.95), timedelta(seconds=30))
    if due >= answer_at:
        return (made_at, due, is_first, PromiseOutcome.KEPT, answer_at, answer_id, made_by)
    return (made_at, due, is_first, PromiseOutcome.BREACHED, answer_at, None, made_by)


def _pending(
    load: Load, ticket: TicketFacts, made_at: datetime, made_by: int | None, is_first: bool
) -> PromiseRow:
    """What is owed now: a few are overdue right now, the rest due within a few cadences."""
    rng, now = load.rng, load.now
    if rng.random() < OVERDUE_NOW_SHARE:
        due = made_at + (now - made_at) * rng.uniform(0.3, 0.95)
    else:
        first, every, _, _ = DEFAULT_CADENCE[ticket.priority]
        minutes = (first if is_first else every) * rng.uniform(0.5, 3.0)
        due = now + timedelta(minutes=max(minutes, 90))
    if due <= made_at:
        due = made_at + timedelta(seconds=1)
    return (made_at, due, is_first, PromiseOutcome.PENDING, None, None, made_by)


def _last(
    rng: random.Random,
    ticket: TicketFacts,
    made_at: datetime,
    made_by: int | None,
    is_first: bool,
    closing: datetime,
) -> PromiseRow:
    """The promise in force when the ticket stopped owing updates: answered by the resolution,
    or withdrawn when the ticket went to the customer; breached if that came too late."""
    if closing <= made_at:
        closing = made_at + timedelta(seconds=1)
    if rng.random() < KEPT_SHARE:
        due = closing + max((closing - made_at) * rng.uniform(0.05, 0.6), timedelta(minutes=1))
    else:
        due = made_at + max((closing - made_at) * rng.uniform(0.2, 0.95), timedelta(seconds=30))
    outcome = PromiseOutcome.BREACHED
    if due >= closing:
        outcome = PromiseOutcome.KEPT if ticket.done else PromiseOutcome.WITHDRAWN
    return (made_at, due, is_first, outcome, closing, None, made_by)


def add_rows(load: Load, ticket: TicketFacts, rows: list[PromiseRow], priority: int) -> None:
    """`priority`: the ticket's priority in force (override included)."""
    add = load.tables["promises"].add
    for made_at, due_at, is_first, outcome, closed_at, kept_by, made_by in rows:
        promise_id = next(load.ids.promise)
        add(
            promise_id,
            ticket.number,
            made_at,
            due_at,
            is_first,
            priority,
            outcome.value,
            closed_at,
            kept_by,
            made_by,
            # The dashboard's figures by owner and by customer read these off the promise.
            ticket.owner,
            ticket.organization,
        )
        if outcome == PromiseOutcome.PENDING:
            _add_alerts(load, ticket, promise_id, made_at, due_at, priority)


def _add_alerts(
    load: Load,
    ticket: TicketFacts,
    promise_id: int,
    made_at: datetime,
    due_at: datetime,
    priority: int,
) -> None:
    """The three reminders, at the times updates.keeper.alerts gives them. Those whose time has
    passed were fired on time by the sweep; a due-soon reminder made moot by the breach was
    skipped, exactly as the sweep would have done."""
    probe = load.people.org_probe[ticket.organization]
    times = alert_times(probe, made_at=made_at, due_at=due_at, priority=priority)
    for stage, moment in times.items():
        alert_id = next(load.ids.alert)
        status, settled = AlertStatus.PENDING, None
        if moment <= load.now:
            status = AlertStatus.FIRED
            settled = min(moment + timedelta(seconds=load.rng.randint(1, 50)), load.now)
        load.tables["alerts"].add(
            alert_id, promise_id, ticket.number, stage, moment, status.value, made_at, settled
        )
        if settled is not None:
            _add_notifications(load, ticket, stage, alert_id, settled)


def _add_notifications(
    load: Load, ticket: TicketFacts, stage: str, alert_id: int, at: datetime
) -> None:
    """Due soon: the owner (the managers on an unowned ticket); breached: the owner and the
    managers; still breached: the managers. Most are read ten minutes later."""
    managers = [m.pk for m in load.people.managers]
    owner = [ticket.owner] if ticket.owner else []
    people = {"due_soon": owner or managers, "breached": owner + managers}.get(stage, managers)
    message = NOTIFICATION_TEXT[stage].format(ticket=ticket.number)
    for person in dict.fromkeys(people):
        read = at + timedelta(minutes=10) if load.rng.random() < 0.7 else None
        if read is not None and read > load.now:
            read = None
        load.tables["notifications"].add(person, stage, ticket.number, message, at, read, alert_id)
