"""Delivery: workers claim due deliveries from the database, POST them, and record the outcome.

The broker only rings the bell (webhooks.tasks); the rows decide what is due, so a lost task, a
restarted Redis or a killed worker loses nothing:
1. A claim (SELECT ... FOR UPDATE SKIP LOCKED through updates.keeper.claims) takes up to
   BATCH_SIZE pending deliveries that are due, whose lease (if any) has lapsed, whose
   subscription is active, and that no earlier pending delivery of the same ticket and
   subscription is waiting for (the per-ticket order). It leases them for
   WEBHOOK_LEASE_SECONDS, renewed every quarter of that while the worker works through them.
2. Each is sent and its outcome written at once (one UPDATE), so a worker killed outright
   leaves at most the one delivery it was sending unrecorded: the duplicate window.
3. A failure backs off (WEBHOOK_RETRY_BASE_SECONDS doubled per attempt, at most
   WEBHOOK_RETRY_MAX_SECONDS); a delivery still failing WEBHOOK_GIVE_UP_SECONDS after its first
   attempt fails for good, which pauses its subscription and tells the managers.
"""

import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from updates.keeper.claims import claim
from updates.keeper.clock import task_time_budget
from updates.models import Notification, NotificationKind
from webhooks import guard, payloads
from webhooks.models import Delivery, DeliveryStatus, Format, Subscription
from webhooks.sender import Outcome, Sender, headers

logger = logging.getLogger(__name__)

BATCH_SIZE = 20


@dataclass
class DeliveryResult:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    unfinished: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def due_deliveries(now: datetime) -> QuerySet[Delivery]:
    earlier_pending = Delivery.objects.filter(
        subscription_id=OuterRef("subscription_id"),
        ticket_id_for_order=OuterRef("ticket_id_for_order"),
        status=DeliveryStatus.PENDING,
        id__lt=OuterRef("id"),
    )
    return (
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            subscription__active=True,
        )
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
        .exclude(Exists(earlier_pending))
    )


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 15 s, 30 s, 1 min, ... at most an hour."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


def body_of(delivery: Delivery) -> bytes:
    """What the subscription gets: the event envelope, or a chat message."""
    event, subscription = delivery.event, delivery.subscription
    data = event.staff_data if subscription.internal else event.customer_data
    data = data or {}
    if subscription.format == Format.JSON:
        document = {
            "id": event.event_id,
            "type": event.type,
            "timestamp": event.occurred_at.isoformat(),
            "data": data,
        }
    else:
        tz_name = event.organization.timezone if event.organization_id else None
        chat = payloads.slack if subscription.format == Format.SLACK else payloads.teams
        document = chat(event.type, data, tz_name)
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def attempt(delivery: Delivery, sender: Sender, *, now: datetime) -> Outcome:
    """Check the URL again (resolving it now) and POST to the address checked."""
    if not delivery.subscription.internal and delivery.event.customer_data is None:
        # Internal-only when recorded; the subscription has since stopped being internal.
        return Outcome(None, 0, "refused: internal event, subscription no longer internal")
    body = body_of(delivery)
    signed = headers(
        delivery.subscription.secret, delivery.event.event_id, int(now.timestamp()), body
    )
    try:
        target = guard.check(delivery.subscription.url)
    except guard.UrlRefused as refused:
        return Outcome(None, 0, f"refused: {refused}"[:300])
    return sender.post(target, body, signed)


def record_outcome(delivery: Delivery, outcome: Outcome, *, now: datetime) -> str:
    """Write what happened; returns the delivery's status afterwards."""
    first = delivery.first_attempt_at or now
    attempts = delivery.attempts + 1
    fields = {
        "attempts": attempts,
        "first_attempt_at": first,
        "last_attempt_at": now,
        "response_status": outcome.status,
        "duration_ms": outcome.duration_ms,
        "last_error": outcome.error if not outcome.ok else "",
        "lease_expires_at": None,
    }
    if outcome.ok:
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.DELIVERED, **fields)
        return DeliveryStatus.DELIVERED
    retry_at = now + backoff(attempts)
    if retry_at <= first + timedelta(seconds=settings.WEBHOOK_GIVE_UP_SECONDS):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=retry_at, **fields)
        return DeliveryStatus.PENDING
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, **fields)
        pause(delivery, now=now, error=outcome.error or f"HTTP {outcome.status}")
    return DeliveryStatus.FAILED


def pause(delivery: Delivery, *, now: datetime, error: str) -> None:
    """A delivery failed for good: the subscription stops (its later deliveries wait) and every
    manager hears of it in the app."""
    paused = Subscription.objects.filter(pk=delivery.subscription_id, active=True).update(
        active=False, paused_at=now
    )
    if not paused:
        return
    host = urlsplit(delivery.subscription.url).hostname or delivery.subscription.url
    message = (
        f"Webhook to {host} paused: {delivery.event.type} failed for a day "
        f"({error}). Fix the receiver, then set the subscription active."
    )[:300]
    Notification.objects.bulk_create(
        Notification(
            recipient=manager,
            kind=NotificationKind.WEBHOOK_FAILED,
            ticket_id=delivery.event.ticket_id,
            # Where the bell leads: the paused subscription's page.
            link=reverse("webhooks:detail", args=[delivery.subscription_id]),
            label=f"Webhook {delivery.subscription_id}",
            message=message,
            created_at=now,
        )
        for manager in User.objects.filter(is_active=True, role=Role.MANAGER)
    )
    logger.warning(
        "Webhook subscription %s paused after delivery %s failed for good",
        delivery.subscription_id,
        delivery.pk,
    )


def deliver_due(*, now: datetime | None = None, time_budget: float | None = None) -> DeliveryResult:
    """Claim and send due deliveries in batches until none is due or the time budget is spent
    (then `unfinished`: the task rings again)."""
    budget = task_time_budget(time_budget)
    lease = timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    started = time.monotonic()
    result = DeliveryResult()
    sender = Sender(settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        while True:
            if time.monotonic() - started > budget:
                result.unfinished = True
                break
            moment = now or timezone.now()
            with transaction.atomic():
                ids = claim(
                    due_deliveries(moment).order_by("id"),
                    limit=BATCH_SIZE,
                    lease_expires_at=moment + lease,
                )
            if not ids:
                break
            _send_batch(ids, sender, result, now=now, lease=lease)
            if now is not None and len(ids) < BATCH_SIZE:
                break  # a fixed clock (tests): what failed now is not due again now
    finally:
        sender.close()
    return result


def _send_batch(
    ids: list[int],
    sender: Sender,
    result: DeliveryResult,
    *,
    now: datetime | None,
    lease: timedelta,
) -> None:
    deliveries = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("event", "event__organization", "subscription")
        .order_by("id")
    )
    renewed = time.monotonic()
    for index, delivery in enumerate(deliveries):
        if time.monotonic() - renewed > lease.total_seconds() / 4:
            # Still alive: keep what is left of the batch from another worker's claim.
            Delivery.objects.filter(
                pk__in=[d.pk for d in deliveries[index:]], status=DeliveryStatus.PENDING
            ).update(lease_expires_at=(now or timezone.now()) + lease)
            renewed = time.monotonic()
        moment = now or timezone.now()
        outcome = attempt(delivery, sender, now=moment)
        status = record_outcome(delivery, outcome, now=now or timezone.now())
        if status == DeliveryStatus.DELIVERED:
            result.delivered += 1
        elif status == DeliveryStatus.FAILED:
            result.failed += 1
        else:
            result.retrying += 1
