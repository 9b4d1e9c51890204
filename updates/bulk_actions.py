"""The queue's bulk actions that touch the timeline and the promise ledger: assign, status and
merge (tickets.bulk runs them; incidents registers link_incident).

Each writes what the one-ticket services and their receivers (updates.receivers) write, for all
the tickets at once, in a fixed number of statements: the same owner_changed and status_changed
events on every timeline, the same promise outcomes, reminders and dashboard tally, the same
resolution emails through the outbox. Only the per-ticket signals are not sent (their receivers
run one ticket at a time); tickets.signals.tickets_bulk_changed is sent once instead.
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Value
from django.db.models.functions import Concat, Right

from accounts.models import User
from tickets import bulk
from tickets import services as ticket_services
from tickets.models import (
    BODY_MAX_LENGTH,
    DONE_STATUSES,
    OWING_STATUSES,
    Status,
    Ticket,
    customer_status,
)
from tickets.search import SEARCH_TEXT_MAX_LENGTH
from tickets.validators import text as checked_text
from updates import merging, notify, promises
from updates.keeper import customer_emails
from updates.models import (
    OutboxKind,
    TimelineEntry,
)


def _id(value: Any, field: str, noun: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValidationError({field: f"Choose the {noun} by its id."})
    return value


# ---- assign -------------------------------------------------------------------------------


def _prepare_assign(params: dict[str, Any], by: User) -> dict[str, Any]:
    owner_id = _id(params.get("owner"), "owner", "new owner")
    owner = User.objects.filter(pk=owner_id).first()
    if owner is None or not owner.is_active or not owner.is_helpdesk_staff:
        raise ValidationError({"owner": "The owner must be an active agent or manager."})
    note = checked_text(
        params.get("handover_note"), "handover_note", max_length=BODY_MAX_LENGTH, required=False
    )
    return {"owner": owner, "note": note}


def _assign_problems(rows, prepared, by, locked) -> list[int]:
    owner, note = prepared["owner"], prepared["note"]
    return [
        ticket.pk
        for ticket in rows
        if ticket.status == Status.CLOSED or (ticket.owner_id not in (None, owner.pk) and not note)
    ]


def set_owner_many(
    tickets: list[Ticket], owner: User, *, by: User, now: datetime, note: str = ""
) -> list[TimelineEntry]:
    """tickets.services._set_owner and updates.receivers.on_owner_changed for many tickets: the
    owner saved, the pending promises follow, the unsaved owner_changed events returned."""
    ids = [ticket.pk for ticket in tickets]
    ticket_services.set_owner_many(ids, owner, now=now)
    promises.follow_owner(ids, owner)
    events = []
    for ticket in tickets:
        old = ticket.owner
        events.append(
            merging.event_entry(
                ticket,
                "owner_changed",
                by,
                now,
                public=False,
                body=note if old is not None else "",
                old=old.pk if old else None,
                old_name=old.display_name if old else "",
                new=owner.pk,
                new_name=owner.display_name,
            )
        )
        ticket.owner = owner
    handed_over = [ticket.pk for ticket, event in zip(tickets, events, strict=True) if event.body]
    if handed_over and note.strip():
        # The handover note is searchable like any timeline text (updates.search).
        Ticket.objects.filter(pk__in=handed_over).update(
            internal_search_text=Right(
                Concat(F("internal_search_text"), Value("\n" + note.strip())),
                SEARCH_TEXT_MAX_LENGTH,
            )
        )
    return events


def _apply_assign(rows, prepared, by, now, locked) -> None:
    owner, note = prepared["owner"], prepared["note"]
    changing = [ticket for ticket in rows if ticket.owner_id != owner.pk]
    owner_events = set_owner_many(changing, owner, by=by, now=now, note=note)
    # Triage is done once a new ticket has an owner and our understanding (rule 2).
    triaged = [t for t in changing if t.status == Status.NEW and t.problem_statement]
    events = owner_events + move_status_many(triaged, Status.OPEN, by=by, now=now)
    TimelineEntry.objects.bulk_create(events)
    # The new owner hears of each ticket handed to them, as if assigned one by one.
    notify.owners_changed_many(zip(changing, owner_events, strict=True), by=by, new=owner)


# ---- status -------------------------------------------------------------------------------


def _prepare_status(params: dict[str, Any], by: User) -> str:
    status = params.get("status")
    if not isinstance(status, str) or status not in Status.values:
        raise ValidationError({"status": f"Use one of: {', '.join(Status.values)}."})
    return status


def _status_problems(rows, status, by, locked) -> list[int]:
    return [t.pk for t in rows if t.status != status and not t.can_move_to(status)]


def move_status_many(
    tickets: list[Ticket], status: str, *, by: User, now: datetime
) -> list[TimelineEntry]:
    """tickets.services._move_status and the promise ledger's receivers for many tickets, each
    moving from its own status to `status`; returns the unsaved status_changed events."""
    if not tickets:
        return []
    ids = [ticket.pk for ticket in tickets]
    if status not in OWING_STATUSES:
        promises.close_pending_promises_many(ids, at=now, answered=status in DONE_STATUSES)
    changes: dict[str, Any] = {"status": status, "updated_at": now}
    if status == Status.RESOLVED:
        changes["resolved_at"] = now
    elif status == Status.CLOSED:
        changes["closed_at"] = now
    else:
        changes["resolved_at"] = None
    if status == Status.CLOSED:
        # resolved_at stays when it was set (a resolved ticket being closed).
        Ticket.objects.filter(pk__in=ids, resolved_at__isnull=True).update(resolved_at=now)
    Ticket.objects.filter(pk__in=ids).update(**changes)
    was_owing = {ticket.pk: ticket.status in OWING_STATUSES for ticket in tickets}
    events = []
    for ticket in tickets:
        old = ticket.status
        events.append(
            merging.event_entry(
                ticket,
                "status_changed",
                by,
                now,
                public=customer_status(old) != customer_status(status),
                old=old,
                new=status,
            )
        )
        ticket.status = status
    if status in OWING_STATUSES:
        promises.promise_again_many([t for t in tickets if not was_owing[t.pk]], at=now)
    return events


def _apply_status(rows, status, by, now, locked) -> None:
    changing = [ticket for ticket in rows if ticket.status != status]
    was_done = {ticket.pk: ticket.status in DONE_STATUSES for ticket in changing}
    unowned = [ticket for ticket in changing if ticket.owner_id is None]
    # Staff who act on an unowned ticket become its owner (rule 2).
    events = set_owner_many(unowned, by, by=by, now=now)
    events += move_status_many(changing, status, by=by, now=now)
    TimelineEntry.objects.bulk_create(events)
    if status in DONE_STATUSES:
        _resolution_emails([t for t in changing if not was_done[t.pk]], now)


def _resolution_emails(tickets: list[Ticket], now: datetime) -> None:
    """updates.keeper.customer_emails.status_changed for many tickets, in one statement."""
    customer_emails.email_requesters(
        tickets,
        kind=OutboxKind.CUSTOMER_RESOLUTION,
        key=lambda ticket: f"resolution:{ticket.pk}:{now.isoformat()}",
        now=now,
    )


# ---- merge --------------------------------------------------------------------------------


def _prepare_merge(params: dict[str, Any], by: User) -> int:
    return _id(params.get("into"), "into", "ticket to merge into")


def _merge_problems(rows, into, by, locked) -> list[int]:
    survivor = locked.get(into)
    # The target may be among the chosen rows ("merge these into that one"): it is not merged.
    return merging.merge_problems([t for t in rows if t.pk != into], survivor)


def _apply_merge(rows, into, by, now, locked) -> None:
    merging.merge_locked([t for t in rows if t.pk != into], locked[into], by=by, now=now)


def register() -> None:
    bulk.register(
        bulk.BulkAction(
            name="assign",
            label="Assign to…",
            field="owner",
            prepare=_prepare_assign,
            problems=_assign_problems,
            apply=_apply_assign,
            failure="These tickets are closed, or have another owner and need a handover note",
        )
    )
    bulk.register(
        bulk.BulkAction(
            name="status",
            label="Change status to…",
            field="status",
            prepare=_prepare_status,
            problems=_status_problems,
            apply=_apply_status,
            failure="These tickets cannot move to that status",
        )
    )
    bulk.register(
        bulk.BulkAction(
            name="merge",
            label="Merge into…",
            field="into",
            prepare=_prepare_merge,
            problems=_merge_problems,
            apply=_apply_merge,
            also_lock=lambda into: [into],
            failure="These tickets cannot be merged there (only unresolved tickets of the "
            "target's organisation, into an unresolved ticket)",
        )
    )
