"""What an operator needs to see that the promise keeper is alive: when the sweep last ran, how
long the oldest due alert has waited, and the outbox backlog. Read-only; a constant few queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min

from updates.keeper.alerts import due_alerts
from updates.keeper.sweep import HEARTBEAT_NAME
from updates.models import OutboxMessage, OutboxStatus, SweepHeartbeat

# Beat runs the sweep every interval; three missed runs in a row is a stall, not a hiccup. With
# an interval of a few seconds, a burst's busy workers or one slow mail server already hold a
# sweep that long: under a minute is not a stall a person should be called for.
STALL_INTERVALS = 3
STALL_FLOOR_SECONDS = 60


@dataclass
class KeeperHealth:
    now: datetime
    healthy: bool
    problems: list[str] = field(default_factory=list)
    last_sweep_at: datetime | None = None
    last_sweep_age_seconds: int | None = None
    last_sweep_fired: int = 0
    last_sweep_duration_ms: int = 0
    # The backstop for orphan promises (see docs/promise-keeper.md, "The guarantee").
    last_full_reconcile_at: datetime | None = None
    due_alerts: int = 0
    oldest_due_alert_age_seconds: int = 0
    outbox_backlog: int = 0
    oldest_unsent_message_age_seconds: int = 0
    dead_letters: int = 0
    sweep_interval_seconds: int = 0

    def as_json(self) -> dict:
        data = {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in self.__dict__.items()
        }
        data["status"] = "ok" if self.healthy else "stalled"
        return data


def _age(now: datetime, moment: datetime | None) -> int:
    return max(0, int((now - moment).total_seconds())) if moment else 0


def keeper_health(*, now: datetime) -> KeeperHealth:
    interval = settings.SWEEP_INTERVAL_SECONDS
    stall_after = timedelta(seconds=max(STALL_INTERVALS * interval, STALL_FLOOR_SECONDS))
    heartbeat = SweepHeartbeat.objects.filter(name=HEARTBEAT_NAME).first()
    due = due_alerts(now).aggregate(count=Count("pk"), oldest=Min("due_at"))
    backlog = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=now
    ).aggregate(count=Count("pk"), oldest=Min("next_attempt_at"))
    dead = OutboxMessage.objects.filter(status=OutboxStatus.DEAD).count()

    health = KeeperHealth(
        now=now,
        healthy=True,
        due_alerts=due["count"],
        oldest_due_alert_age_seconds=_age(now, due["oldest"]),
        outbox_backlog=backlog["count"],
        oldest_unsent_message_age_seconds=_age(now, backlog["oldest"]),
        dead_letters=dead,
        sweep_interval_seconds=interval,
    )
    if heartbeat is None:
        health.problems.append("The promise sweep has never run: is Celery beat running?")
    else:
        health.last_sweep_at = heartbeat.finished_at
        health.last_sweep_age_seconds = _age(now, heartbeat.finished_at)
        health.last_sweep_fired = heartbeat.fired
        health.last_sweep_duration_ms = heartbeat.duration_ms
        health.last_full_reconcile_at = heartbeat.full_reconciled_at
        if now - heartbeat.finished_at > stall_after:
            health.problems.append(
                f"The promise sweep last ran {health.last_sweep_age_seconds} s ago "
                f"(every {interval} s expected): beat or the worker is stalled."
            )
    if due["oldest"] and now - due["oldest"] > stall_after:
        health.problems.append(
            f"A due alert has waited {health.oldest_due_alert_age_seconds} s to be sent."
        )
    requeue_after = timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    if backlog["oldest"] and now - backlog["oldest"] > requeue_after + stall_after:
        health.problems.append(
            f"An outbox message has waited {health.oldest_unsent_message_age_seconds} s: "
            "is a worker running, and is the mail server reachable?"
        )
    if dead:
        health.problems.append(f"{dead} message(s) gave up after repeated failures (dead letters).")
    # Dead letters need a look but do not mean the keeper stopped.
    health.healthy = not [p for p in health.problems if "dead letters" not in p]
    return health
