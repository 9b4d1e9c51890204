"""The promise sweep: the periodic task body that makes sure no promise passes unnoticed.

The database is the source of truth. Alerts are rows written with their promise; the sweep finds
the ones due by the database clock, claims them in short transactions (SKIP LOCKED, or
compare-and-set on SQLite), records them as fired together with their outbox messages, and queues
delivery after commit. Two sweeps at once, a sweep killed mid-batch, or a broker that lost its
queue therefore never lose or double an alert: an uncommitted claim rolls back and is claimed
again; a committed one exists exactly once.
"""

import functools
import logging
import time
import weakref
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import DateTimeField, Expression, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Now
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from accounts.models import Role, User
from tickets.models import Ticket
from updates import signals
from updates.keeper import alerts
from updates.keeper.alerts import due_alerts, orphan_promises, reconcile_missing_alerts
from updates.keeper.claims import claim
from updates.keeper.clock import database_now, task_time_budget
from updates.keeper.outbox import (
    STAFF_CHANNELS,
    build_messages,
    enqueue_on_commit,
    write_and_enqueue,
)
from updates.keeper.sources import covers_for, registered_sources
from updates.models import (
    AlertStage,
    AlertStatus,
    OutboxMessage,
    OutboxStatus,
    PromiseAlert,
    SweepHeartbeat,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
HEARTBEAT_NAME = "promise-sweep"


@dataclass
class SweepResult:
    reconciled: int = 0
    # 1 when this run checked every overdue promise, not only those due since the last sweep.
    full_reconcile: int = 0
    fired: int = 0
    skipped: int = 0
    messages: int = 0
    requeued: int = 0
    duration_ms: int = 0
    # 1 when the time budget ran out with alerts still due: the task queues the next sweep now
    # instead of leaving them for beat's next tick.
    unfinished: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def managers() -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.MANAGER).order_by("pk"))


def recipients_for(stage: str, ticket: Ticket, manager_list: list[User]) -> list[User]:
    """due_soon: the owner (the managers when nobody owns the ticket yet); breached: the owner and
    the managers; still_breached: the managers."""
    owner = ticket.owner if ticket.owner_id and ticket.owner.is_active else None
    if stage == AlertStage.DUE_SOON:
        people = [owner] if owner else list(manager_list)
    elif stage == AlertStage.BREACHED:
        people = ([owner] if owner else []) + list(manager_list)
    else:
        people = list(manager_list)
    unique: dict[int, User] = {}
    for person in people:
        unique.setdefault(person.pk, person)
    return list(unique.values())


def fire_due_alerts(*, now: datetime, batch_size: int | None = None) -> tuple[int, int, int]:
    """Claim and record one batch of due alerts. Returns (fired, skipped, messages written).

    1. In one short transaction, claim up to `batch_size` pending alerts due at `now`.
    2. Re-check each (PromiseAlert.is_worth_sending): a promise no longer pending, or a due-soon
       alert whose deadline already passed (the breach alert speaks for it), is skipped.
    3. Write the outbox messages of the others (in-app and email per recipient) and mark them
       fired, in the same transaction: an alert is fired if and only if its messages exist.
    4. After commit, queue their delivery.
    """
    batch_size = batch_size or BATCH_SIZE  # read at call time, so a test can make it small
    with transaction.atomic():
        # Claimed as fired; the few that turn out stale are re-marked skipped below.
        ids = claim(
            due_alerts(now).order_by("due_at"),
            limit=batch_size,
            status=AlertStatus.FIRED,
            settled_at=now,
        )
        if not ids:
            return 0, 0, 0
        alerts = list(
            PromiseAlert.objects.filter(pk__in=ids).select_related(
                "promise", "ticket__owner", "ticket__organization"
            )
        )
        manager_list = managers()
        skipped: list[int] = []
        messages: list[OutboxMessage] = []
        worth = [alert for alert in alerts if alert.is_worth_sending(now)]
        worth_ids = {alert.pk for alert in worth}
        skipped += [alert.pk for alert in alerts if alert.pk not in worth_ids]
        covers = covers_for(worth) if worth else {}
        for alert in worth:
            data = {}
            if (cover := covers.get(alert.pk)) is not None:
                if cover.due_at is not None and cover.due_at <= alert.promise.due_at:
                    # Answered for elsewhere (a major incident whose own next update is due
                    # first): its reminders go to whoever owns that, not to this ticket's owner.
                    skipped.append(alert.pk)
                    continue
                data = {
                    "cover": cover.label,
                    "cover_link": cover.link,
                    "cover_due": cover.due_at.isoformat() if cover.due_at else "",
                }
            messages += build_messages(
                kind=alert.stage,
                ticket=alert.ticket,
                recipients=recipients_for(alert.stage, alert.ticket, manager_list),
                channels=STAFF_CHANNELS,
                key=f"alert:{alert.pk}",
                now=now,
                alert=alert,
                data=data,
            )
            signals.alert_fired.send(sender=PromiseAlert, alert=alert, at=now)
        if skipped:
            PromiseAlert.objects.filter(pk__in=skipped).update(status=AlertStatus.SKIPPED)
        written = write_and_enqueue(messages)
    return len(ids) - len(skipped), len(skipped), len(written)


def fire_source(
    source, *, now: datetime, result: "SweepResult", began: float, budget: float
) -> None:
    """Fire a promise source's due rows batch by batch, each batch one transaction with its
    messages (updates.keeper.sources)."""
    while True:
        with transaction.atomic():
            claimed, messages = source.fire(now, BATCH_SIZE)
            written = write_and_enqueue(messages)
        result.fired += claimed
        result.messages += len(written)
        if claimed < BATCH_SIZE:
            return
        if time.monotonic() - began > budget:
            result.unfinished = 1
            return


def lost_messages(
    now: Expression, *, queued_before: Expression | None = None
) -> QuerySet[OutboxMessage]:
    """Outbox messages whose delivery task may be gone at `now` (a Value, or Now(): the
    database clock):

    - pending, due, and not queued within OUTBOX_REQUEUE_AFTER_SECONDS (or never: a retry
      waiting for its backoff, or a publish that failed), or queued before `queued_before`
      when given (a worker starting: see requeue_after_worker_start);
    - sending, but their lease expired (the worker died mid-delivery; its claim is void).
    """
    stale_queue = queued_before or now - Value(
        timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    )
    lost = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=stale_queue)
    )
    abandoned = Q(status=OutboxStatus.SENDING, lease_expires_at__lte=now)
    return OutboxMessage.objects.filter(lost | abandoned)


def requeue_lost_messages(
    *, now: datetime, limit: int = 2000, queued_before: datetime | None = None
) -> int:
    """Queue again the outbox messages whose delivery task may be gone (lost_messages).
    A message queued twice is harmless: delivery claims it, so only one task acts on it."""
    at = Value(now, output_field=DateTimeField())
    before = None if queued_before is None else Value(queued_before, output_field=DateTimeField())
    with transaction.atomic():
        ids = claim(
            lost_messages(at, queued_before=before).order_by("next_attempt_at"),
            limit=limit,
            status=OutboxStatus.PENDING,
            enqueued_at=now,
            lease_expires_at=None,
        )
        messages = list(OutboxMessage.objects.filter(pk__in=ids).only("pk", "channel"))
        if messages:
            logger.info("Re-queued %d outbox messages", len(messages))
        enqueue_on_commit(messages)
    return len(ids)


def requeue_after_worker_start() -> int:
    """A worker starting may replace one that was killed with tasks in hand. Those tasks stay
    unacknowledged in Redis until its visibility timeout (an hour), and their messages pending
    until OUTBOX_REQUEUE_AFTER_SECONDS; so queue again now every due pending message queued
    before this moment. Tasks still waiting in the broker get a twin that finds nothing to claim.
    (Messages a dead worker was sending are freed by their lease, which it no longer renews.)"""
    now = database_now()
    return requeue_lost_messages(now=now, queued_before=now)


@dataclass
class WorkDue:
    """What one statement found before the sweep does anything (see check_work_due)."""

    now: datetime
    alerts_due: bool = True
    messages_lost: bool = True
    orphans_due: bool = True
    full_reconcile_due: bool = True
    reconciled_until: datetime | None = None
    # Names of the registered promise sources with a row due (None: all of them, first sweep).
    sources_due: list[str] | None = None


def _clock_expression(now: datetime | None) -> Expression:
    """The moment the check compares with: the test's `now`, else the database's clock."""
    if now is None and connection.vendor == "postgresql":
        return Now()  # STATEMENT_TIMESTAMP(): one instant for the whole statement
    return Value(now or timezone.now(), output_field=DateTimeField())


def _earliest(queryset: QuerySet, field: str) -> Subquery:
    """The smallest `field` among `queryset`'s rows, read as the first entry of an index on it
    (ORDER BY ... LIMIT 1: unlike EXISTS over a range, no row estimate can turn it into a scan
    of the table)."""
    return Subquery(queryset.order_by(field).values(field)[:1])


def _work_due_query(at: Expression) -> QuerySet:
    """check_work_due's statement, comparing with `at` (an expression or a value)."""
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    sources = {
        f"source_{index}_at": _earliest(source.pending(), source.due_field)
        for index, source in enumerate(registered_sources())
    }
    return (
        SweepHeartbeat.objects.filter(name=HEARTBEAT_NAME)
        .annotate(
            **sources,
            checked_at=at,
            next_alert_at=_earliest(
                PromiseAlert.objects.filter(status=AlertStatus.PENDING), "due_at"
            ),
            unqueued_due_at=_earliest(pending.filter(enqueued_at__isnull=True), "next_attempt_at"),
            queued_since=_earliest(
                pending.filter(enqueued_at__isnull=False, next_attempt_at__lte=at), "enqueued_at"
            ),
            lease_expires_at=_earliest(
                # Not null: SQLite sorts nulls first, and no lease never expires (lost_messages).
                OutboxMessage.objects.filter(
                    status=OutboxStatus.SENDING, lease_expires_at__isnull=False
                ),
                "lease_expires_at",
            ),
            orphan_due_at=_earliest(
                orphan_promises(until=at, since=OuterRef("reconciled_until")), "due_at"
            ),
        )
        .values(
            "checked_at",
            "next_alert_at",
            "unqueued_due_at",
            "queued_since",
            "lease_expires_at",
            "orphan_due_at",
            "reconciled_until",
            "full_reconciled_at",
            *sources,
        )
    )


@functools.cache
def _work_due_sql(sources: tuple[str, ...] = ()) -> tuple[str, tuple]:
    """The statement on the database clock never changes (the clock is read inside it), and
    building it through the ORM costs about 4 ms of CPU, more than running it: compile once."""
    return _work_due_query(Now()).query.sql_with_params()


# The raw connections (psycopg's, held weakly) and the check's statements prepared on each.
_prepared_on: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
WORK_DUE_STATEMENT = "keeper_work_due"


def _execute_work_due(cursor) -> None:
    """Run the check; on a PostgreSQL connection of its own (not behind PgBouncer's transaction
    pooling, where the next statement may reach another server connection), as a statement
    prepared once per connection: planning it every time (0.5 ms) cost more than running it
    (0.1 ms), and a sweep every few seconds runs it all day. Keyed by the registered promise
    sources, so a source registered later gets its own statement."""
    sources = tuple(source.name for source in registered_sources())
    sql, params = _work_due_sql(sources)
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        cursor.execute(sql, params)
        return
    raw = connection.connection
    prepared = _prepared_on.setdefault(raw, {})
    name = prepared.get(sources)
    if name is None:
        name = WORK_DUE_STATEMENT + (f"_{len(prepared)}" if prepared else "")
        # Not transactional: a rolled-back transaction keeps it, a new connection has none.
        cursor.execute(f"PREPARE {name} AS {sql}", params)
        prepared[sources] = name
    cursor.execute(f"EXECUTE {name}")


def _fetch_work_due_row(now: datetime | None) -> dict | None:
    if now is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _execute_work_due(cursor)
            row = cursor.fetchone()
            columns = [column.name for column in cursor.description]
        return dict(zip(columns, row, strict=True)) if row else None
    return _work_due_query(_clock_expression(now)).first()


def check_work_due(*, now: datetime | None = None) -> WorkDue:
    """Whether the sweep has anything to do, in one statement (one round trip when idle).

    On the heartbeat row it reads, at one instant of the database clock (or the given `now`):
    1. the earliest deadline of a pending alert (index alert_pending_due): alerts are due if it
       has passed;
    2. the earliest due retry that is not queued (outbox_unqueued_due), the oldest queueing of a
       due pending message (outbox_queued_since) and the earliest sending lease
       (outbox_sending_lease): messages are lost if any of those is past its threshold, which
       is exactly lost_messages' condition;
    3. the earliest deadline, after the reconcile watermark, of a pending promise without its
       breach alert (scale_promise_pending_due, probing one_alert_per_promise_stage);
    4. the watermark and the time of the last full reconcile.
    Without a heartbeat row (the first sweep ever) everything counts as due.
    """
    row = _fetch_work_due_row(now)
    if row is None:
        return WorkDue(now=now or database_now())
    checked_at = now or row["checked_at"]

    def passed(moment: datetime | None, threshold: datetime = checked_at) -> bool:
        return moment is not None and moment <= threshold

    stale_queue = checked_at - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    last_full = row["full_reconciled_at"]
    return WorkDue(
        now=checked_at,
        alerts_due=passed(row["next_alert_at"]),
        messages_lost=(
            passed(row["unqueued_due_at"])
            or passed(row["queued_since"], stale_queue)
            or passed(row["lease_expires_at"])
        ),
        orphans_due=row["orphan_due_at"] is not None,
        full_reconcile_due=(
            last_full is None
            or row["reconciled_until"] is None
            or checked_at - last_full >= timedelta(seconds=settings.SWEEP_FULL_RECONCILE_SECONDS)
        ),
        reconciled_until=row["reconciled_until"],
        sources_due=[
            source.name
            for index, source in enumerate(registered_sources())
            if passed(row[f"source_{index}_at"])
        ],
    )


def record_heartbeat(
    *,
    started_at: datetime,
    finished_at: datetime,
    result: SweepResult,
    reconciled_until: datetime | None = None,
    full_reconciled_at: datetime | None = None,
) -> None:
    """One statement: an UPDATE of the heartbeat row (an INSERT only for the first sweep ever).

    The watermark fields are written only when this run earned them (None leaves them as they
    are). Two sweeps at once may write their watermarks in either order; the earlier one is
    still correct (it only makes the next sweep look again at a few already checked deadlines).
    """
    fields = {
        "started_at": started_at,
        "finished_at": finished_at,
        "fired": result.fired,
        "requeued": result.requeued,
        "duration_ms": result.duration_ms,
    }
    if reconciled_until is not None:
        fields["reconciled_until"] = reconciled_until
    if full_reconciled_at is not None:
        fields["full_reconciled_at"] = full_reconciled_at
    if _update_heartbeat(fields):
        return
    SweepHeartbeat.objects.bulk_create(
        [SweepHeartbeat(name=HEARTBEAT_NAME, **fields)],
        update_conflicts=True,  # two first sweeps at once
        unique_fields=["name"],
        update_fields=list(fields),
    )


def _update_heartbeat(fields: dict) -> int:
    """UPDATE the heartbeat row in one round trip; on PostgreSQL committed without waiting for
    the disk. It is the idle sweep's only write, and waiting for the WAL flush was most of its
    time (3.5 of 4.5 ms on a busy machine). A crash may lose the last heartbeats: an older
    watermark only makes the next sweep check a few deadlines again."""
    queryset = SweepHeartbeat.objects.filter(name=HEARTBEAT_NAME)
    if connection.vendor != "postgresql":
        return queryset.update(**fields)
    query = queryset.query.chain(UpdateQuery)  # what QuerySet.update runs
    query.add_update_values(fields)
    sql, params = query.get_compiler(queryset.db).as_sql()
    with connection.cursor() as cursor:
        # Sent together, the two run as one implicit transaction: SET LOCAL covers this UPDATE
        # alone (inside a caller's transaction, as in tests, the rest of that transaction).
        cursor.execute(f"SET LOCAL synchronous_commit TO OFF; {sql}", params)
        return cursor.rowcount


def reconcile(work: WorkDue, result: SweepResult) -> dict[str, datetime]:
    """Give orphan promises their alerts; return the watermarks this run earned.

    1. Full (no heartbeat yet, or SWEEP_FULL_RECONCILE_SECONDS since the last full one): every
       overdue pending promise is checked (about 5,000 index probes at 1M tickets). This is the
       backstop for an orphan written with a deadline already behind the watermark.
    2. Incremental (the check found an orphan among promises that fell due after the
       watermark): only those are repaired.
    3. Otherwise nothing to do: the check already covered every deadline up to `work.now`.
    A call that hit the repair limit earns no watermark, so the next sweep continues the work.
    """
    if work.full_reconcile_due:
        result.full_reconcile = 1
        result.reconciled = reconcile_missing_alerts(now=work.now)
        if result.reconciled < alerts.RECONCILE_LIMIT:
            return {"reconciled_until": work.now, "full_reconciled_at": work.now}
        return {}
    if work.orphans_due:
        result.reconciled = reconcile_missing_alerts(now=work.now, since=work.reconciled_until)
        if result.reconciled >= alerts.RECONCILE_LIMIT:
            return {}
    return {"reconciled_until": work.now}


def sweep(*, now: datetime | None = None, time_budget: float | None = None) -> SweepResult:
    """One run of the promise sweep.

    1. Check, in one statement, what is due (check_work_due). When nothing is (the steady
       state), skip straight to step 5: no transaction, no claim.
    2. Reconcile: open promises past their deadline without a breach alert get one; only those
       that fell due since the last sweep, and every overdue one at most every
       SWEEP_FULL_RECONCILE_SECONDS (reconcile).
    3. Fire due alerts batch by batch (each batch its own short transaction) until none is left
       or the time budget (half the task's soft time limit) is spent; then the result says
       `unfinished` and the task queues the next run at once (a burst is not left waiting for
       beat's next tick; a concurrent run is harmless, the claims never overlap).
    4. Re-queue outbox messages whose delivery task was lost, if the check found any.
    5. Record a heartbeat for the health page, with the reconcile watermarks, in one statement.
    `now` defaults to the database clock (read by the check; again before each further batch);
    tests pass their own.
    """
    budget = task_time_budget(time_budget)
    began = time.monotonic()
    work = check_work_due(now=now)
    started_at = work.now
    result = SweepResult()
    watermarks = reconcile(work, result)
    if work.alerts_due or result.reconciled:
        moment = started_at
        while True:
            fired, skipped, messages = fire_due_alerts(now=moment)
            result.fired += fired
            result.skipped += skipped
            result.messages += messages
            if fired + skipped < BATCH_SIZE:
                break
            if time.monotonic() - began > budget:
                result.unfinished = 1
                break
            moment = now if now is not None else database_now()
    for source in registered_sources():
        if work.sources_due is None or source.name in work.sources_due:
            fire_source(source, now=started_at, result=result, began=began, budget=budget)
    if work.messages_lost:
        result.requeued = requeue_lost_messages(now=started_at)
    elapsed = time.monotonic() - began
    result.duration_ms = int(elapsed * 1000)
    # The database clock advanced by our own: no query to read it again.
    finished_at = now if now is not None else started_at + timedelta(seconds=elapsed)
    record_heartbeat(started_at=started_at, finished_at=finished_at, result=result, **watermarks)
    if result.fired or result.requeued or result.reconciled:
        logger.info("Promise sweep: %s", result.as_dict())
    return result
