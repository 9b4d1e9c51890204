"""The dashboard's incrementally maintained promise figures: `PromiseTally`, one row per UTC hour
and priority with the promises that fell due then (not withdrawn) and how many were kept.

The promise ledger (updates.promises) calls `count_made` when it records a promise and
`count_closed` when it records its outcome, in the same transaction, so the tally can never
disagree with the ledger it summarises:

| ledger event | tally change at (deadline hour, priority) |
|---|---|
| promise made (pending) | due + 1 |
| kept | kept + 1 |
| breached | none (it was already due and not kept) |
| withdrawn | due - 1 (nothing was owed after all) |

Pending promises are counted as due from the moment they are made; the dashboard reads the
tally only for hours that have passed, where a pending promise is broken whatever happens next.
The owner and the customer are not in the tally (a handover changes nothing here); the figures
filtered by owner or customer read the ledger itself (dashboard.selectors).

`rebuild` recomputes the whole table from the ledger with one INSERT ... SELECT ... GROUP BY
(the migration that created the table runs the same statement).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncHour

from updates.models import Promise, PromiseOutcome, PromiseTally


def tally_hour(moment: datetime) -> datetime:
    """The start of the UTC hour `moment` falls in: the tally's bucket for a deadline."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _apply(changes: Iterable[tuple[datetime, int, int, int]]) -> None:
    """Add (due, kept) deltas to the tally rows of (hour, priority), creating missing rows.

    1. Deltas of the same row are merged and zero changes dropped, so a call writes each row
       once.
    2. One INSERT ... ON CONFLICT DO UPDATE for all rows (PostgreSQL and SQLite): the row
       lock it takes is held to the end of the recording transaction, so concurrent outcomes
       of the same hour and priority add up instead of overwriting each other.
    3. Rows are written in key order, so two transactions writing the same pair of rows
       within one statement always lock them in the same order.
    """
    merged: Counter = Counter()
    for moment, priority, due, kept in changes:
        key = (tally_hour(moment), priority)
        merged[(*key, "due")] += due
        merged[(*key, "kept")] += kept
    rows = sorted({(hour, priority) for hour, priority, _ in merged})
    values = []
    for hour, priority in rows:
        due, kept = merged[(hour, priority, "due")], merged[(hour, priority, "kept")]
        if due or kept:
            values.append((hour, priority, due, kept))
    if not values:
        return
    table = connection.ops.quote_name(PromiseTally._meta.db_table)
    hour_field = PromiseTally._meta.get_field("hour")
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(values))
    parameters = []
    for hour, priority, due, kept in values:
        parameters += [hour_field.get_db_prep_value(hour, connection), priority, due, kept]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (hour, priority, due, kept) VALUES {placeholders} "
            f"ON CONFLICT (hour, priority) DO UPDATE SET due = {table}.due + excluded.due, "
            f"kept = {table}.kept + excluded.kept",
            parameters,
        )


def count_made(promise: Promise, *, closed: Iterable[Promise | None] = ()) -> None:
    """A new pending promise is due at its deadline; `closed` are the promises the ledger just
    closed for it (their outcomes are counted in the same statement)."""
    changes = [(promise.due_at, promise.priority, 1, 0)]
    for earlier in closed:
        if earlier is not None:
            changes += _outcome_changes(earlier)
    _apply(changes)


def count_closed(promise: Promise) -> None:
    """A pending promise got its outcome (kept, breached or withdrawn)."""
    _apply(_outcome_changes(promise))


def count_made_many(promises: Iterable[Promise]) -> None:
    """count_made for many new promises in one statement (bulk status changes)."""
    _apply([(promise.due_at, promise.priority, 1, 0) for promise in promises])


def count_closed_many(promises: Iterable[Promise]) -> None:
    """count_closed for many promises in one statement (bulk merges)."""
    _apply([change for promise in promises for change in _outcome_changes(promise)])


def _outcome_changes(promise: Promise) -> list[tuple[datetime, int, int, int]]:
    if promise.outcome == PromiseOutcome.KEPT:
        return [(promise.due_at, promise.priority, 0, 1)]
    if promise.outcome == PromiseOutcome.WITHDRAWN:
        return [(promise.due_at, promise.priority, -1, 0)]
    return []


def tallies_from_ledger() -> dict[tuple[datetime, int], tuple[int, int]]:
    """(hour, priority) -> (due, kept) computed from the ledger: what the tally must hold."""
    rows = (
        Promise.objects.exclude(outcome=PromiseOutcome.WITHDRAWN)
        .annotate(hour=TruncHour("due_at", tzinfo=UTC))
        .values("hour", "priority")
        .annotate(due=Count("id"), kept=Count("id", filter=Q(outcome=PromiseOutcome.KEPT)))
        .order_by()
    )
    return {(row["hour"], row["priority"]): (row["due"], row["kept"]) for row in rows}


def stored_tallies() -> dict[tuple[datetime, int], tuple[int, int]]:
    """(hour, priority) -> (due, kept) as stored, rows that sum to nothing left out."""
    return {
        (row.hour, row.priority): (row.due, row.kept)
        for row in PromiseTally.objects.all()
        if row.due or row.kept
    }


# Also run by the migration that created the table (updates/0009), there with the table names
# written out. date_trunc on `AT TIME ZONE 'UTC'` truncates in UTC whatever the session zone.
POSTGRES_REBUILD = """
    INSERT INTO updates_promisetally (hour, priority, due, kept)
    SELECT date_trunc('hour', due_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', priority,
        count(*), count(*) FILTER (WHERE outcome = 'kept')
    FROM updates_promise WHERE outcome <> 'withdrawn'
    GROUP BY 1, 2
"""


def rebuild() -> int:
    """Recompute the whole tally from the promise ledger; returns the number of rows.

    1. In one transaction: the ledger is locked against writes (SHARE: readers carry on,
       outcomes being recorded wait a few seconds), so no outcome slips between the count and
       the table it replaces; then the tally is emptied and refilled.
    2. PostgreSQL: one INSERT ... SELECT ... GROUP BY over the ledger's deadline index.
       Elsewhere (SQLite, the embedded default): the same grouping through the ORM.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE updates_promise IN SHARE MODE")
                cursor.execute("LOCK TABLE updates_promisetally IN EXCLUSIVE MODE")
                cursor.execute("DELETE FROM updates_promisetally")
                cursor.execute(POSTGRES_REBUILD)
                return cursor.rowcount
        PromiseTally.objects.all().delete()
        rows = [
            PromiseTally(hour=hour, priority=priority, due=due, kept=kept)
            for (hour, priority), (due, kept) in tallies_from_ledger().items()
        ]
        PromiseTally.objects.bulk_create(rows, batch_size=1000)
        return len(rows)
