"""The promise ledger: the only code that makes, keeps, withdraws or breaks a promise.

Callers hold the ticket's row lock (tickets.services.lock_ticket) so that one ticket never has two
pending promises; the partial unique index `one_pending_promise_per_ticket` backs that up.
`Ticket.next_update_due` always mirrors the pending promise's deadline (or null when none), and
only this module writes it (status changes reach it through updates.receivers; the queue's bulk
actions and merging through the `_many` forms below, a fixed number of statements for any number
of tickets).
Each promise's reminders (updates.keeper.alerts) are written and cancelled in the same transaction,
and so is the dashboard's tally of promises due and kept (updates.dashboard_tally).
"""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError

from accounts.models import Organization, User
from tickets.models import Ticket
from updates import cadence, dashboard_tally
from updates.keeper.alerts import alerts_of, cancel_alerts, schedule_alerts
from updates.models import AlertStatus, Promise, PromiseAlert, PromiseOutcome, TimelineEntry

# A promise further out than this is almost certainly a typo (2062 for 2026).
LONGEST_PROMISE_DAYS = 366


def pending_promise(ticket: Ticket) -> Promise | None:
    return (
        # NO KEY: alerts and messages inserted for this promise may hold FOR KEY SHARE on it.
        Promise.objects.select_for_update(no_key=True)
        .filter(ticket=ticket, outcome=PromiseOutcome.PENDING)
        .first()
    )


def close_pending_promise(
    ticket: Ticket,
    *,
    at: datetime,
    answered_by: TimelineEntry | None = None,
    answered: bool = False,
    count: bool = True,
) -> Promise | None:
    """Close the pending promise, if any.

    `answered` (a public update, a resolution): kept if at or before the deadline, else breached.
    Otherwise nothing more is owed: withdrawn before the deadline, breached after it.
    `count=False` leaves the dashboard tally to the caller, which passes the promise on to
    make_promise(answered=...) so both are counted in one statement.
    """
    promise = _close(ticket, at=at, answered_by=answered_by, answered=answered)
    if promise is not None and count:
        dashboard_tally.count_closed(promise)
    return promise


def _close(
    ticket: Ticket, *, at: datetime, answered_by: TimelineEntry | None, answered: bool
) -> Promise | None:
    """close_pending_promise without the tally (make_promise counts both in one statement)."""
    promise = pending_promise(ticket)
    if promise is None:
        return None
    outcome = promise.outcome_if_closed_at(at)
    if not answered and outcome == PromiseOutcome.KEPT:
        outcome = PromiseOutcome.WITHDRAWN
    promise.outcome = outcome
    promise.closed_at = at
    promise.kept_by = answered_by if outcome == PromiseOutcome.KEPT else None
    promise.save(update_fields=["outcome", "closed_at", "kept_by"])
    cancel_alerts(promise, at=at)
    if ticket.next_update_due is not None:
        ticket.next_update_due = None
        ticket.save(update_fields=["next_update_due", "updated_at"])
    return promise


def make_promise(
    ticket: Ticket,
    *,
    due_at: datetime,
    made_at: datetime,
    made_by: TimelineEntry | None = None,
    is_first_response: bool = False,
    answered: Promise | None = None,
) -> Promise:
    """Record a new "next update by" promise; a still-pending one is withdrawn (superseded).

    `answered`: a promise the caller closed uncounted just before (the one a public update
    answered); its outcome goes into the dashboard tally in the same statement as this one, so
    each recording transaction writes the tally once (rows in key order: no lock-order cycles).
    """
    if not ticket.owes_update:
        raise ValidationError({"next_update_due": "Nothing is owed on this ticket right now."})
    if due_at <= made_at:
        raise ValidationError(
            {"next_update_due": "This time has already passed; choose a time in the future."}
        )
    if (due_at - made_at).days > LONGEST_PROMISE_DAYS:
        raise ValidationError(
            {"next_update_due": f"Promise an update within {LONGEST_PROMISE_DAYS} days."}
        )
    replaced = _close(ticket, at=made_at, answered_by=None, answered=False)
    promise = Promise.objects.create(
        ticket=ticket,
        made_at=made_at,
        due_at=due_at,
        is_first_response=is_first_response,
        priority=ticket.priority,
        made_by=made_by,
    )
    schedule_alerts(promise, ticket)
    dashboard_tally.count_made(promise, closed=[replaced, answered])
    ticket.next_update_due = due_at
    ticket.save(update_fields=["next_update_due", "updated_at"])
    return promise


def follow_owner(ticket_ids: Sequence[int], owner: User) -> None:
    """The new owner is accountable for the promise in force (the dashboard's figures by owner)."""
    Promise.objects.filter(ticket_id__in=ticket_ids, outcome=PromiseOutcome.PENDING).update(
        owner=owner
    )


def close_pending_promises_many(
    ticket_ids: Sequence[int], *, at: datetime, answered: bool = False
) -> None:
    """close_pending_promise for many locked tickets: kept (when `answered` and in time),
    withdrawn (not answered, in time) or breached (late either way); their deadlines cleared."""
    promises = list(
        Promise.objects.select_for_update(no_key=True).filter(
            ticket_id__in=ticket_ids, outcome=PromiseOutcome.PENDING
        )
    )
    if not promises:
        return  # nothing pending, so no deadline to clear: next_update_due mirrors the promise
    for promise in promises:
        outcome = promise.outcome_if_closed_at(at)
        if not answered and outcome == PromiseOutcome.KEPT:
            outcome = PromiseOutcome.WITHDRAWN
        promise.outcome = outcome
        promise.closed_at = at
    Promise.objects.bulk_update(promises, ["outcome", "closed_at"])
    PromiseAlert.objects.filter(promise__in=promises, status=AlertStatus.PENDING).update(
        status=AlertStatus.CANCELLED, settled_at=at
    )
    dashboard_tally.count_closed_many(promises)
    Ticket.objects.filter(pk__in=[p.ticket_id for p in promises]).update(next_update_due=None)


def promise_again_many(tickets: list[Ticket], *, at: datetime) -> None:
    """Rule 5 for many tickets back in a status that owes updates: a fresh promise one interval
    from now each, with its reminders and its count in the dashboard tally."""
    if not tickets:
        return
    _with_cadence(tickets)
    promises = Promise.objects.bulk_create(
        [
            Promise(
                ticket=ticket,
                made_at=at,
                due_at=cadence.next_update_due(ticket, at),
                priority=ticket.priority,
                organization_id=ticket.organization_id,
                owner_id=ticket.owner_id,
            )
            for ticket in tickets
        ]
    )
    alerts = []
    for promise, ticket in zip(promises, tickets, strict=True):
        alerts += alerts_of(promise, ticket, created_at=at)
        ticket.next_update_due = promise.due_at
    PromiseAlert.objects.bulk_create(alerts)
    dashboard_tally.count_made_many(promises)
    Ticket.objects.bulk_update(tickets, ["next_update_due"])


def _with_cadence(tickets: list[Ticket]) -> None:
    """Give the tickets organisations with their plan's cadence rules loaded (three queries for
    any number of tickets), so the cadence and the reminders compute without reading more."""
    organizations = Organization.objects.select_related("support_plan").prefetch_related(
        "support_plan__cadence_rules"
    )
    by_id = {
        org.pk: org for org in organizations.filter(pk__in={t.organization_id for t in tickets})
    }
    for ticket in tickets:
        ticket.organization = by_id[ticket.organization_id]
