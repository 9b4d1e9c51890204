"""The promise sweep: the periodic task body that makes sure no promise passes unnoticed.

The database is the source of truth. Alerts are rows written with their promise; the sweep finds
the ones due by the database clock, claims them in short transactions (SKIP LOCKED, or
compare-and-set on SQLite), records them as fired together with their outbox messages, and queues
delivery after commit. Two sweeps at once, a sweep killed mid-batch, or a broker that lost its
queue therefore never lose or double an alert: an uncommitted claim rolls back and is claimed
again; a committed one exists exactly once.
"""

import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from tickets.models import Ticket
from updates.keeper.alerts import reconcile_missing_alerts
from updates.keeper.outbox import claim, enqueue_on_commit, write_and_enqueue
from updates.models import (
    AlertStage,
    AlertStatus,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    PromiseAlert,
    PromiseOutcome,
    SweepHeartbeat,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
HEARTBEAT_NAME = "promise-sweep"
CHANNELS = (OutboxChannel.IN_APP, OutboxChannel.EMAIL)


@dataclass
class SweepResult:
    reconciled: int = 0
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


def database_now() -> datetime:
    """The database's clock: every process compares deadlines against the same time, whatever
    the skew of the web and worker machines. (SQLite runs in-process, so its clock is ours.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
    return timezone.now()


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
    2. Re-check each: a promise no longer pending, or a due-soon alert whose deadline already
       passed (the breach alert speaks for it), is skipped.
    3. Write the outbox messages of the others (in-app and email per recipient) and mark them
       fired, in the same transaction: an alert is fired if and only if its messages exist.
    4. After commit, queue their delivery.
    """
    batch_size = batch_size or BATCH_SIZE  # read at call time, so a test can make it small
    with transaction.atomic():
        due = PromiseAlert.objects.filter(status=AlertStatus.PENDING, due_at__lte=now).order_by(
            "due_at"
        )
        # Claimed as fired; the few that turn out stale are re-marked skipped below.
        ids = claim(due, limit=batch_size, status=AlertStatus.FIRED, settled_at=now)
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
        for alert in alerts:
            promise = alert.promise
            stale = promise.outcome != PromiseOutcome.PENDING or (
                alert.stage == AlertStage.DUE_SOON and promise.due_at <= now
            )
            if stale:
                skipped.append(alert.pk)
                continue
            for recipient in recipients_for(alert.stage, alert.ticket, manager_list):
                for channel in CHANNELS:
                    messages.append(
                        OutboxMessage(
                            key=f"alert:{alert.pk}:{recipient.pk}:{channel}",
                            channel=channel,
                            kind=alert.stage,
                            ticket=alert.ticket,
                            recipient=recipient,
                            alert=alert,
                            next_attempt_at=now,
                            enqueued_at=now,
                            created_at=now,
                        )
                    )
        if skipped:
            PromiseAlert.objects.filter(pk__in=skipped).update(status=AlertStatus.SKIPPED)
        written = write_and_enqueue(messages)
    return len(ids) - len(skipped), len(skipped), len(written)


def requeue_lost_messages(*, now: datetime, limit: int = 2000) -> int:
    """Queue again the outbox messages whose delivery task may be gone.

    - pending, due, and not queued within OUTBOX_REQUEUE_AFTER_SECONDS (or never: a retry
      waiting for its backoff, or a publish that failed);
    - sending, but their lease expired (the worker died mid-delivery; its claim is void).
    A message queued twice is harmless: delivery claims it, so only one task acts on it.
    """
    stale_queue = now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    lost = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=stale_queue)
    )
    abandoned = Q(status=OutboxStatus.SENDING, lease_expires_at__lte=now)
    with transaction.atomic():
        ids = claim(
            OutboxMessage.objects.filter(lost | abandoned).order_by("next_attempt_at"),
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


def record_heartbeat(*, started_at: datetime, finished_at: datetime, result: SweepResult) -> None:
    SweepHeartbeat.objects.bulk_create(
        [
            SweepHeartbeat(
                name=HEARTBEAT_NAME,
                started_at=started_at,
                finished_at=finished_at,
                fired=result.fired,
                requeued=result.requeued,
                duration_ms=result.duration_ms,
            )
        ],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["started_at", "finished_at", "fired", "requeued", "duration_ms"],
    )


def sweep(*, now: datetime | None = None, time_budget: float | None = None) -> SweepResult:
    """One run of the promise sweep.

    1. Reconcile: open promises past their deadline without a breach alert get one.
    2. Fire due alerts batch by batch (each batch its own short transaction) until none is left
       or the time budget (half the task's soft time limit) is spent; then the result says
       `unfinished` and the task queues the next run at once (a burst is not left waiting for
       beat's next tick; a concurrent run is harmless, the claims never overlap).
    3. Re-queue outbox messages whose delivery task was lost.
    4. Record a heartbeat for the health page.
    `now` defaults to the database clock, read afresh for each batch; tests pass their own.
    """
    clock = (lambda: now) if now is not None else database_now
    budget = time_budget if time_budget is not None else settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    began = time.monotonic()
    started_at = clock()
    result = SweepResult()
    result.reconciled = reconcile_missing_alerts(now=started_at)
    while True:
        fired, skipped, messages = fire_due_alerts(now=clock())
        result.fired += fired
        result.skipped += skipped
        result.messages += messages
        if fired + skipped < BATCH_SIZE:
            break
        if time.monotonic() - began > budget:
            result.unfinished = 1
            break
    result.requeued = requeue_lost_messages(now=clock())
    result.duration_ms = int((time.monotonic() - began) * 1000)
    record_heartbeat(started_at=started_at, finished_at=clock(), result=result)
    if result.fired or result.requeued or result.reconciled:
        logger.info("Promise sweep: %s", result.as_dict())
    return result
