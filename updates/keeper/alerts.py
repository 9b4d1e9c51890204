"""When each reminder of a promise fires (DESIGN rule 6), and the writes that schedule and cancel
them. The promise ledger (updates.promises) calls these inside the transaction that makes or
closes a promise, so a promise and its alerts can never disagree.

- due_soon: one lead before the deadline (P1 10 min, P2 30 min, P3 2 and P4 4 business hours,
  per the support plan's `reminder_lead_minutes`). A promise made less than one lead before its
  deadline is reminded halfway between making it and the deadline.
- breached: at the deadline.
- still_breached: one lead after the deadline.
Business-hours priorities count the lead on the organisation's business clock.
"""

from datetime import datetime, timedelta

from django.db.models import Exists, Expression, OuterRef, QuerySet

from accounts.models import DEFAULT_CADENCE, CadenceRule
from tickets.models import Ticket
from updates.models import AlertStage, AlertStatus, Promise, PromiseAlert, PromiseOutcome

# Promises repaired per reconcile call: a bulk import of thousands is repaired over a few sweeps.
RECONCILE_LIMIT = 500


def _lead_and_clock(ticket: Ticket, priority: int) -> tuple[timedelta, bool]:
    try:
        rule = ticket.organization.cadence_for(priority)
        return timedelta(minutes=rule.reminder_lead_minutes), rule.business_hours_only
    except CadenceRule.DoesNotExist:
        # A plan missing a priority must not stop a promise from being kept: use the defaults.
        _, _, lead, business = DEFAULT_CADENCE[priority]
        return timedelta(minutes=lead), business


def alert_times(
    ticket: Ticket, *, made_at: datetime, due_at: datetime, priority: int
) -> dict[str, datetime]:
    """The moment each stage of a promise fires. Pure computation (reads the cadence rule)."""
    lead, business_hours_only = _lead_and_clock(ticket, priority)
    if business_hours_only:
        calendar = ticket.organization.calendar()
        due_soon = calendar.subtract_business_time(due_at, lead)
        if due_soon <= made_at:
            span = calendar.business_time_between(made_at, due_at)
            # A promise made and due outside business hours has no business time to halve.
            due_soon = (
                calendar.add_business_time(made_at, span / 2)
                if span
                else made_at + (due_at - made_at) / 2
            )
        still_breached = calendar.add_business_time(due_at, lead)
    else:
        due_soon = due_at - lead
        if due_soon <= made_at:
            due_soon = made_at + (due_at - made_at) / 2
        still_breached = due_at + lead
    return {
        AlertStage.DUE_SOON: due_soon,
        AlertStage.BREACHED: due_at,
        AlertStage.STILL_BREACHED: still_breached,
    }


def schedule_alerts(promise: Promise, ticket: Ticket) -> list[PromiseAlert]:
    """Write the three alerts of a new promise (inside the ledger's transaction)."""
    return PromiseAlert.objects.bulk_create(alerts_of(promise, ticket, created_at=promise.made_at))


def alerts_of(promise: Promise, ticket: Ticket, *, created_at: datetime) -> list[PromiseAlert]:
    """The unsaved alerts of a promise, one per stage, at the times alert_times gives."""
    times = alert_times(
        ticket, made_at=promise.made_at, due_at=promise.due_at, priority=promise.priority
    )
    return [
        PromiseAlert(
            promise=promise, ticket=ticket, stage=stage, due_at=due_at, created_at=created_at
        )
        for stage, due_at in times.items()
    ]


def cancel_alerts(promise: Promise, *, at: datetime) -> int:
    """The promise was kept, moved or withdrawn: its unsent alerts will never fire.

    Alerts a sweep already claimed are left alone (the row lock makes this wait for that sweep);
    their delivery re-checks the promise and skips what is no longer true.
    """
    return PromiseAlert.objects.filter(promise=promise, status=AlertStatus.PENDING).update(
        status=AlertStatus.CANCELLED, settled_at=at
    )


def due_alerts(now: datetime) -> QuerySet[PromiseAlert]:
    """Pending alerts whose moment has come by `now`: what the sweep fires, what the status page
    counts as waiting."""
    return PromiseAlert.objects.filter(status=AlertStatus.PENDING, due_at__lte=now)


def orphan_promises(
    *, until: datetime | Expression, since: datetime | Expression | OuterRef | None = None
) -> QuerySet[Promise]:
    """Open promises whose deadline passed by `until` (after `since`, when given) and that have
    no breach alert: the promises the keeper would otherwise never escalate. `until` and `since`
    may be datetimes or expressions (the sweep's one-statement check passes the database clock
    and the heartbeat's watermark), so the check and the repair share one definition."""
    promises = Promise.objects.filter(outcome=PromiseOutcome.PENDING, due_at__lte=until)
    if since is not None:
        promises = promises.filter(due_at__gt=since)
    return promises.exclude(
        Exists(PromiseAlert.objects.filter(promise=OuterRef("pk"), stage=AlertStage.BREACHED))
    )


def reconcile_missing_alerts(
    *, now: datetime, since: datetime | None = None, limit: int | None = None
) -> int:
    """Backstop: an open promise past its deadline with no breach alert gets its missing alerts
    (promises made before the keeper existed, rows written by hand or by a bulk import).

    `since` limits the search to promises that fell due after it (the sweep's incremental
    reconcile, from its watermark); without it every overdue pending promise is checked (the
    full reconcile, at most every SWEEP_FULL_RECONCILE_SECONDS). At most `limit` promises are
    repaired per call, earliest deadline first; a caller seeing `limit` back calls again.

    Existing stages are left as they are (unique constraint, conflicts ignored, so two sweeps
    repairing the same promise at once write its alerts once); a due-soon alert created this
    late is skipped by the sweep because the deadline has passed.
    """
    limit = limit or RECONCILE_LIMIT  # read at call time, so a test can make it small
    # Two steps: the check reads only ids (an index-only scan of scale_promise_pending_due
    # against the alerts' unique index); the rare orphans are loaded with their tickets after.
    orphan_ids = list(
        orphan_promises(until=now, since=since)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not orphan_ids:
        return 0
    orphans = list(
        Promise.objects.filter(pk__in=orphan_ids)
        .select_related("ticket__organization__support_plan")
        .order_by("due_at")
    )
    alerts = [
        alert for promise in orphans for alert in alerts_of(promise, promise.ticket, created_at=now)
    ]
    PromiseAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    return len(orphans)
