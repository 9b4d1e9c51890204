"""How the timeline and the promise ledger follow ticket changes (tickets.signals).

Each receiver runs inside the service's transaction, with the ticket row already locked.
"""

from tickets import signals
from tickets.models import DONE_STATUSES, OWING_STATUSES, Ticket, customer_status
from updates import cadence, notify, promises
from updates.events import record_event
from updates.keeper import customer_emails
from updates.promises import close_pending_promise, make_promise, pending_promise


def on_ticket_created(ticket: Ticket, by, at, **_) -> None:
    record_event(ticket, "opened", at=at, by=by, public=True)
    make_promise(
        ticket,
        due_at=cadence.first_response_due(ticket, at),
        made_at=at,
        is_first_response=True,
    )


def on_status_changing(ticket: Ticket, by, at, old: str, new: str, **_) -> None:
    """Rule 5, before the new status is saved: resolution answers the promise (kept if in time);
    waiting on the customer withdraws it (breached if already late)."""
    if new not in OWING_STATUSES:
        close_pending_promise(ticket, at=at, answered=new in DONE_STATUSES)


def on_status_changed(ticket: Ticket, by, at, old: str, new: str, **_) -> None:
    """Rule 5: coming back to a status that owes updates starts a fresh promise."""
    record_event(
        ticket,
        "status_changed",
        at=at,
        by=by,
        public=customer_status(old) != customer_status(new),
        old=old,
        new=new,
    )
    if old not in OWING_STATUSES and new in OWING_STATUSES:
        make_promise(ticket, due_at=cadence.next_update_due(ticket, at), made_at=at)


def on_owner_changed(ticket: Ticket, by, at, old, new, handover_note: str = "", **_) -> None:
    promises.follow_owner([ticket.pk], new)
    event = record_event(
        ticket,
        "owner_changed",
        at=at,
        by=by,
        body=handover_note,
        old=old.pk if old else None,
        old_name=old.display_name if old else "",
        new=new.pk,
        new_name=new.display_name,
    )
    notify.owner_changed(ticket, by=by, new=new, event=event)


def on_priority_changed(ticket: Ticket, by, at, old: int, new: int, reason: str = "", **_) -> None:
    """A higher priority never leaves a slower promise standing: if the new priority's cadence,
    counted from now, is sooner than the pending deadline, the promise is pulled in."""
    record_event(ticket, "priority_changed", at=at, by=by, old=old, new=new, reason=reason)
    promise = pending_promise(ticket)
    if promise is None:
        return
    due_rule = cadence.first_response_due if promise.is_first_response else cadence.next_update_due
    sooner = due_rule(ticket, at)
    if sooner < promise.due_at:
        make_promise(ticket, due_at=sooner, made_at=at, is_first_response=promise.is_first_response)


FIELD_EVENTS = {
    "eta": ("eta_changed", True),
    "needed_by": ("needed_by_changed", False),
    "problem_statement": ("problem_restated", True),
    "understanding_confirmed_at": ("understanding_confirmed", True),
}


def on_field_changed(ticket: Ticket, by, at, field: str, old, new, **_) -> None:
    event, public = FIELD_EVENTS[field]
    if field in ("eta", "needed_by"):
        record_event(
            ticket,
            event,
            at=at,
            by=by,
            public=public,
            old=old.isoformat() if old else None,
            new=new.isoformat() if new else None,
        )
    else:
        record_event(ticket, event, at=at, by=by, public=public)


def on_ticket_created_email(ticket: Ticket, by, at, **_) -> None:
    customer_emails.ticket_opened(ticket, at=at)
    notify.ticket_created(ticket, by=by, at=at)


def on_status_changed_email(
    ticket: Ticket, by, at, old: str, new: str, customer_told: bool = False, **_
) -> None:
    # A public update carrying the change sends its own email (one email per update, rule 11).
    if not customer_told:
        customer_emails.status_changed(ticket, old=old, new=new, at=at)


def on_collaborators_changed(ticket: Ticket, by, at, user, added: bool, **_) -> None:
    record_event(
        ticket,
        "collaborator_added" if added else "collaborator_removed",
        at=at,
        by=by,
        user=user.pk,
        user_name=user.display_name,
    )


def connect() -> None:
    signals.ticket_created.connect(on_ticket_created, dispatch_uid="updates.ticket_created")
    signals.status_changing.connect(on_status_changing, dispatch_uid="updates.status_changing")
    signals.status_changed.connect(on_status_changed, dispatch_uid="updates.status_changed")
    signals.owner_changed.connect(on_owner_changed, dispatch_uid="updates.owner_changed")
    signals.priority_changed.connect(on_priority_changed, dispatch_uid="updates.priority_changed")
    signals.field_changed.connect(on_field_changed, dispatch_uid="updates.field_changed")
    # After the promise ledger's receivers, so the acknowledgement carries the first promise.
    signals.ticket_created.connect(on_ticket_created_email, dispatch_uid="updates.ticket_email")
    signals.status_changed.connect(on_status_changed_email, dispatch_uid="updates.status_email")
    signals.collaborators_changed.connect(
        on_collaborators_changed, dispatch_uid="updates.collaborators_changed"
    )
