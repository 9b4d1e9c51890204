"""Bulk actions from the staff queue: one change to many tickets, all or nothing.

The actions themselves need apps above tickets (the timeline and promises for assign, status and
merge; incidents for linking), so they register here from their AppConfig.ready(), as the ticket
page's panels do (tickets.panels). This module runs them:

1. The ids are deduplicated and capped (MAX_TICKETS); the tickets are locked in id order in one
   statement, so two bulk requests never deadlock each other.
2. The action reads and checks its own input (a bad owner, status, incident or target answers
   400 naming that field) and then every ticket; if any ticket cannot take the change, or does
   not exist, the answer names the action's field and `tickets` with every failing id, and
   nothing changes.
3. The action applies the change set-based: a fixed number of statements whatever the number of
   tickets, each ticket's timeline still showing its change as if made one by one. Emails and
   notifications are outbox messages written in the same transaction and sent after commit.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from tickets import signals
from tickets.models import Ticket

MAX_TICKETS = 500


@dataclass(frozen=True)
class BulkAction:
    """`prepare(params, by)` returns the action's checked input or raises ValidationError naming
    its field; `also_lock(prepared)` other tickets it needs locked with them (a merge's target);
    `problems(tickets, prepared, by, locked)` the ids of locked tickets that cannot take it;
    `apply(tickets, prepared, by, now, locked)` makes the change to all of them. `locked` maps
    the id of every locked ticket to it."""

    name: str
    label: str
    field: str
    prepare: Callable[[dict[str, Any], User], Any]
    problems: Callable[[list[Ticket], Any, User, dict[int, Ticket]], list[int]]
    apply: Callable[[list[Ticket], Any, User, datetime, dict[int, Ticket]], None]
    failure: str = "These tickets cannot take this change"
    also_lock: Callable[[Any], list[int]] = lambda prepared: []


ACTIONS: dict[str, BulkAction] = {}


class BulkRefused(ValidationError):
    """Some tickets cannot take the change: the action's field says why, `failing` holds every
    failing id (ids that do not exist included)."""

    def __init__(self, action: BulkAction, failing: list[int]):
        self.field = action.field
        self.failing = failing
        self.message_text = f"{action.failure}: {', '.join(f'SD-{pk}' for pk in failing)}."
        super().__init__({self.field: self.message_text, "tickets": [str(pk) for pk in failing]})


def register(action: BulkAction) -> None:
    ACTIONS[action.name] = action


def ticket_ids(raw: Any) -> list[int]:
    """The distinct ticket ids of a request, in the order given; 400 naming `tickets`."""
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationError({"tickets": "Choose at least one ticket."})
    ids: list[int] = []
    for value in raw:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            raise ValidationError({"tickets": "Each ticket is a ticket id (a positive number)."})
        ids.append(value)
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_TICKETS:
        raise ValidationError({"tickets": f"At most {MAX_TICKETS} tickets at a time."})
    return ids


def lock_tickets(ids: Sequence[int]) -> dict[int, Ticket]:
    """Lock these tickets in id order (tickets.services.lock_ticket's lock, for many at once)."""
    rows = (
        Ticket.objects.select_for_update(of=("self",), no_key=True)
        .select_related("organization", "owner", "requester")
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
    )
    return {ticket.pk: ticket for ticket in rows}


def run(
    *, action: str, tickets: Any, params: dict[str, Any], by: User, now: datetime | None = None
) -> int:
    """Apply `action` to every ticket of `tickets` or to none; returns how many were changed."""
    chosen = ACTIONS.get(action) if isinstance(action, str) else None
    if chosen is None:
        raise ValidationError({"action": f"Use one of: {', '.join(sorted(ACTIONS))}."})
    if not by.is_helpdesk_staff:
        raise ValidationError({"tickets": "Only staff change tickets in bulk."})
    ids = ticket_ids(tickets)
    with transaction.atomic():
        prepared = chosen.prepare(params, by)
        locked = lock_tickets([*ids, *chosen.also_lock(prepared)])
        rows = [locked[pk] for pk in ids if pk in locked]
        failing = set(ids) - set(locked)
        failing |= set(chosen.problems(rows, prepared, by, locked))
        if failing:
            raise BulkRefused(chosen, sorted(failing))
        now = now or timezone.now()
        chosen.apply(rows, prepared, by, now, locked)
        signals.tickets_bulk_changed.send(
            sender=Ticket, tickets=rows, action=chosen.name, by=by, at=now
        )
    return len(rows)
