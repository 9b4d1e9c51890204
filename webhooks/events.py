"""Events in: the signals of the apps below become an Event and one Delivery per subscription
that wants it, written in the transaction of the change itself (the outbox), and delivery is
queued once that transaction commits.

Nothing below imports this app; the receivers are connected in WebhooksConfig.ready().
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from incidents import signals as incident_signals
from tickets import signals as ticket_signals
from tickets.models import Ticket
from updates import signals as update_signals
from updates.models import EntryKind, TimelineEntry
from vendors import signals as vendor_signals
from webhooks import payloads
from webhooks.models import Delivery, Event, Subscription
from webhooks.tasks import ring

EVENT_TYPES = [
    "ticket.created",
    "ticket.updated",
    "ticket.status_changed",
    "update.public_posted",
    "update.internal_posted",
    "customer.replied",
    "promise.due_soon",
    "promise.breached",
    "promise.still_breached",
    "escalation.changed",
    "incident.updated",
    "feedback.received",
    "loss.recorded",
    "webhook.ping",
]

Builder = Callable[[], tuple[dict, dict | None]]

# Whether any subscription exists (active or paused: a paused one still collects deliveries), in
# the shared cache, so a desk without webhooks runs no webhooks query on each ticket change.
# Saving a subscription sets it at once; deleting one clears it, again once the deletion commits.
# A reader's guess is only added, never overwrites, so a racing "none" cannot hide a new one.
SUBSCRIPTIONS_EXIST_KEY = "webhooks:subscriptions-exist"
NONE_RECHECK_SECONDS = 300


def subscriptions_exist() -> bool:
    known = cache.get(SUBSCRIPTIONS_EXIST_KEY)
    if known is None:
        known = Subscription.objects.exists()
        # "None" is looked up again every few minutes, in case rows arrived without a save
        # signal (a restored backup, raw SQL); one small query per five minutes.
        cache.add(SUBSCRIPTIONS_EXIST_KEY, known, timeout=None if known else NONE_RECHECK_SECONDS)
    return known


def _subscription_saved(**kwargs) -> None:
    cache.set(SUBSCRIPTIONS_EXIST_KEY, True, timeout=None)


def _subscription_deleted(**kwargs) -> None:
    cache.delete(SUBSCRIPTIONS_EXIST_KEY)
    transaction.on_commit(lambda: cache.delete(SUBSCRIPTIONS_EXIST_KEY))


def matches(
    subscription: Subscription,
    event_type: str,
    *,
    ticket: Ticket | None,
    organization_ids: Iterable[int],
) -> bool:
    """The subscription's event list and filters. Priority filters only events of one ticket."""
    if not subscription.wants(event_type):
        return False
    if subscription.organization_id and subscription.organization_id not in organization_ids:
        return False
    if subscription.priorities and ticket is not None:
        return ticket.priority in subscription.priorities
    return True


def record(
    event_type: str,
    build: Builder,
    *,
    at: datetime,
    ticket: Ticket | None = None,
    organization_ids: Iterable[int] = (),
    subscriptions: Iterable[Subscription] | None = None,
) -> Event | None:
    """Write the event and its deliveries when some subscription wants it (the payloads are
    built only then). A payload without a customer version (`None`) goes to internal
    subscriptions only."""
    organization_ids = set(organization_ids)
    if ticket is not None:
        organization_ids.add(ticket.organization_id)
    if subscriptions is None:
        if not subscriptions_exist():
            return None
        subscriptions = Subscription.objects.all()
    wanted = [
        s
        for s in subscriptions
        if matches(s, event_type, ticket=ticket, organization_ids=organization_ids)
    ]
    if not wanted:
        return None
    staff_data, customer_data = build()
    if customer_data is None:
        wanted = [s for s in wanted if s.internal]
        if not wanted:
            return None
    return record_for(
        event_type,
        wanted,
        staff_data=staff_data,
        customer_data=customer_data,
        at=at,
        ticket=ticket,
    )


def record_for(
    event_type: str,
    subscriptions: list[Subscription],
    *,
    staff_data: dict,
    at: datetime,
    customer_data: dict | None = None,
    ticket: Ticket | None = None,
) -> Event:
    """Write the event and one pending delivery per subscription; queue delivery on commit."""
    event = Event.objects.create(
        type=event_type,
        ticket=ticket,
        organization_id=ticket.organization_id if ticket is not None else None,
        occurred_at=at,
        staff_data=staff_data,
        customer_data=customer_data,
    )
    Delivery.objects.bulk_create(
        Delivery(
            subscription=subscription,
            event=event,
            ticket_id_for_order=event.ticket_id,
            next_attempt_at=at,
            created_at=at,
        )
        for subscription in subscriptions
    )
    ring_on_commit()
    return event


def ring_on_commit() -> None:
    """Queue delivery once per transaction, however many events it recorded."""
    if connection.in_atomic_block and any(func is ring for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(ring)


# --- receivers ----------------------------------------------------------------------------------


def on_ticket_created(ticket: Ticket, at: datetime, **kwargs) -> None:
    record("ticket.created", lambda: payloads.ticket(ticket), at=at, ticket=ticket)


def on_status_changed(ticket: Ticket, at: datetime, old: str, new: str, **kwargs) -> None:
    record(
        "ticket.status_changed",
        lambda: payloads.status_change(ticket, old, new),
        at=at,
        ticket=ticket,
    )


def on_ticket_changed(ticket: Ticket, at: datetime, **kwargs) -> None:
    record("ticket.updated", lambda: payloads.ticket(ticket), at=at, ticket=ticket)


ENTRY_EVENTS = {
    EntryKind.PUBLIC_UPDATE: "update.public_posted",
    EntryKind.INTERNAL_NOTE: "update.internal_posted",
    EntryKind.CUSTOMER_REPLY: "customer.replied",
}


def on_entry_posted(entry, at: datetime, **kwargs) -> None:
    event_type = ENTRY_EVENTS.get(entry.kind)
    if event_type:
        record(event_type, lambda: payloads.entry(entry), at=at, ticket=entry.ticket)


def on_alert_fired(alert, at: datetime, **kwargs) -> None:
    record(f"promise.{alert.stage}", lambda: payloads.promise(alert), at=at, ticket=alert.ticket)


def on_escalation_changed(escalation, at: datetime, **kwargs) -> None:
    record(
        "escalation.changed",
        lambda: payloads.escalation(escalation),
        at=at,
        ticket=escalation.ticket,
    )


def on_incident_updated(incident, entry, at: datetime, **kwargs) -> None:
    if not subscriptions_exist():
        return
    organization_ids = set(
        incident.links.values_list("ticket__organization_id", flat=True).distinct()
    )
    record(
        "incident.updated",
        lambda: payloads.incident(incident, entry),
        at=at,
        organization_ids=organization_ids,
    )


def on_feedback_received(feedback, at: datetime, **kwargs) -> None:
    record("feedback.received", lambda: payloads.feedback(feedback), at=at, ticket=feedback.ticket)


def on_loss_recorded(loss, at: datetime, **kwargs) -> None:
    record(
        "loss.recorded",
        lambda: payloads.loss(loss),
        at=at,
        ticket=loss.ticket,
        organization_ids=[loss.organization_id],
    )


def on_tickets_bulk_changed(tickets: list[Ticket], action: str, at: datetime, **kwargs) -> None:
    """A bulk change (tickets.bulk) wrote every ticket's timeline set-based: the same events as
    one by one, each ticket's status change read back from its new timeline event, with the
    subscriptions loaded once for all the tickets."""
    if not tickets or not subscriptions_exist():
        return
    subscriptions = list(Subscription.objects.all())
    if not subscriptions:
        return
    moves = {
        entry.ticket_id: entry.data
        for entry in TimelineEntry.objects.filter(
            ticket_id__in=[ticket.pk for ticket in tickets],
            kind=EntryKind.EVENT,
            event="status_changed",
            created_at=at,
        ).only("ticket_id", "data")
    }
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]).order_by("pk"):
        move = moves.get(ticket.pk)
        if move is not None:
            record(
                "ticket.status_changed",
                lambda ticket=ticket, move=move: payloads.status_change(
                    ticket, move.get("old"), move.get("new")
                ),
                at=at,
                ticket=ticket,
                subscriptions=subscriptions,
            )
        record(
            "ticket.updated",
            lambda ticket=ticket: payloads.ticket(ticket),
            at=at,
            ticket=ticket,
            subscriptions=subscriptions,
        )


def connect() -> None:
    uid = "webhooks.events"
    ticket_signals.ticket_created.connect(on_ticket_created, dispatch_uid=f"{uid}.created")
    ticket_signals.status_changed.connect(on_status_changed, dispatch_uid=f"{uid}.status")
    ticket_signals.tickets_bulk_changed.connect(on_tickets_bulk_changed, dispatch_uid=f"{uid}.bulk")
    for signal in (
        ticket_signals.owner_changed,
        ticket_signals.priority_changed,
        ticket_signals.field_changed,
    ):
        signal.connect(on_ticket_changed, dispatch_uid=f"{uid}.changed")
    update_signals.entry_posted.connect(on_entry_posted, dispatch_uid=f"{uid}.entry")
    post_save.connect(_subscription_saved, sender=Subscription, dispatch_uid=f"{uid}.saved")
    post_delete.connect(_subscription_deleted, sender=Subscription, dispatch_uid=f"{uid}.deleted")
    update_signals.alert_fired.connect(on_alert_fired, dispatch_uid=f"{uid}.alert")
    update_signals.feedback_received.connect(on_feedback_received, dispatch_uid=f"{uid}.feedback")
    update_signals.loss_recorded.connect(on_loss_recorded, dispatch_uid=f"{uid}.loss")
    vendor_signals.escalation_changed.connect(on_escalation_changed, dispatch_uid=f"{uid}.esc")
    incident_signals.incident_updated.connect(on_incident_updated, dispatch_uid=f"{uid}.incident")
