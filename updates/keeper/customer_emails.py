"""The emails the promise implies for the requester (DESIGN rule 11): acknowledgement with the
first promise, each public update with the next one, and the resolution with the feedback link.

Each is an outbox message written in the transaction of the change it reports, delivered after
commit; a public update that also resolves the ticket sends one email, the resolution.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from tickets.models import DONE_STATUSES, Ticket
from updates.keeper.outbox import build_messages, queue_messages, write_and_enqueue
from updates.models import OutboxChannel, OutboxKind, TimelineEntry


def requester_to_email(ticket: Ticket):
    """The requester, when they can be emailed (active, with an address); else None."""
    requester = ticket.requester
    if requester is None or not requester.is_active or not requester.email:
        return None
    return requester


def email_requesters(
    tickets: Iterable[Ticket],
    *,
    kind: str,
    key: Callable[[Ticket], str],
    now: datetime,
    data: dict | None = None,
) -> None:
    """One email of `kind` to each ticket's requester who can be emailed, for many tickets in
    one statement (bulk changes and merges)."""
    messages = []
    for ticket in tickets:
        requester = requester_to_email(ticket)
        if requester is None:
            continue
        messages += build_messages(
            kind=kind,
            ticket=ticket,
            recipients=[requester],
            channels=[OutboxChannel.EMAIL],
            key=key(ticket),
            now=now,
            data=data,
        )
    write_and_enqueue(messages)


def _queue(ticket: Ticket, *, kind: str, key: str, at: datetime, entry=None) -> None:
    requester = requester_to_email(ticket)
    if requester is None:
        return
    queue_messages(
        kind=kind,
        ticket=ticket,
        recipients=[requester],
        channels=[OutboxChannel.EMAIL],
        key=key,
        now=at,
        entry=entry,
    )


def ticket_opened(ticket: Ticket, *, at: datetime) -> None:
    _queue(ticket, kind=OutboxKind.CUSTOMER_ACKNOWLEDGEMENT, key=f"ack:{ticket.pk}", at=at)


def public_update_posted(ticket: Ticket, entry: TimelineEntry) -> None:
    """One email per public update: the resolution email when the update resolved the ticket."""
    kind = (
        OutboxKind.CUSTOMER_RESOLUTION
        if ticket.status in DONE_STATUSES
        else OutboxKind.CUSTOMER_UPDATE
    )
    _queue(ticket, kind=kind, key=f"update:{entry.pk}", at=entry.created_at, entry=entry)


def status_changed(ticket: Ticket, *, old: str, new: str, at: datetime) -> None:
    """Resolved (or closed straight away) without a public update: the resolution email. A
    public update carrying the change sends its own email (public_update_posted)."""
    if new not in DONE_STATUSES or old in DONE_STATUSES:
        return
    _queue(
        ticket,
        kind=OutboxKind.CUSTOMER_RESOLUTION,
        key=f"resolution:{ticket.pk}:{at.isoformat()}",
        at=at,
    )
