"""Delivering outbox messages: in-app notifications exactly once, emails at least once.

Both paths claim their messages first, so two tasks holding the same ids (a message queued twice,
a broker redelivery) never both act on one message, and both re-check that the message is still
true (the promise is still open) just before delivering it.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F

from updates.keeper.claims import claim
from updates.keeper.clock import clock_from, task_time_budget
from updates.keeper.mail import OutboxEmail
from updates.keeper.messages import (
    UnknownMessageKind,
    render_email,
    render_notification,
    still_true_for_kind,
)
from updates.keeper.outbox import enqueue_delivery
from updates.models import Notification, OutboxChannel, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000


@dataclass
class DeliveryResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    dead: int = 0
    released: int = 0

    def add(self, other: "DeliveryResult") -> "DeliveryResult":
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def still_true(message: OutboxMessage, now: datetime) -> bool:
    """Whether a message should still go out: its recipient is active and, for a promise alert,
    the alert is still worth sending (PromiseAlert.is_worth_sending: the promise is still open;
    a due-soon reminder fired before the deadline goes out even late, saying so). Customer
    messages report something that happened, so they stay true. Kinds registered by other apps
    add their own check (messages.Wording.still_true)."""
    if not message.recipient.is_active:
        return False
    if not still_true_for_kind(message, now):
        return False
    return message.alert_id is None or message.alert.is_worth_sending(now)


def _load(ids: list[int]):
    return OutboxMessage.objects.filter(pk__in=ids).select_related(
        "alert__promise",
        "ticket__organization",
        "ticket__owner",
        "recipient__organization",
        "entry__author",
    )


def deliver_in_app(ids: list[int], *, now: datetime | None = None) -> DeliveryResult:
    """Write the notifications of pending in-app messages, in one transaction with their claim:
    the notification exists if and only if its message is marked sent (and the unique
    (alert, recipient) constraint backs that up), so in-app delivery happens at most once."""
    result = DeliveryResult()
    now = clock_from(now)()
    with transaction.atomic():
        claimed = claim(
            OutboxMessage.objects.filter(
                pk__in=ids, channel=OutboxChannel.IN_APP, status=OutboxStatus.PENDING
            ),
            status=OutboxStatus.SENDING,
            attempts=F("attempts") + 1,
        )
        if not claimed:
            return result
        notifications, sent, skipped = [], [], []
        for message in _load(claimed):
            if not still_true(message, now):
                skipped.append(message.pk)
                continue
            try:
                text = render_notification(message, now)
            except UnknownMessageKind as error:
                # Nothing a retry would fix: a dead letter at once, and the others still go.
                _dead_letter(message, error, now)
                result.dead += 1
                continue
            notifications.append(
                Notification(
                    recipient=message.recipient,
                    kind=message.kind,
                    ticket=message.ticket,
                    link=message.data.get("link", "")[:200],
                    label=message.data.get("label", "")[:40],
                    message=text,
                    alert=message.alert,
                    created_at=now,
                )
            )
            sent.append(message.pk)
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        _mark(sent, OutboxStatus.SENT, now)
        _mark(skipped, OutboxStatus.SKIPPED, now)
    result.sent, result.skipped = len(sent), len(skipped)
    return result


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]


def _dead_letter(message: OutboxMessage, error: BaseException, now: datetime) -> None:
    text = _error_text(error)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.DEAD, last_error=text, enqueued_at=None
    )
    logger.error("Outbox message %s is a dead letter: %s", message.pk, text)


def backoff(attempts: int) -> timedelta:
    """60 s, 2 min, 4 min, 8 min ... after the 1st, 2nd, 3rd, 4th failed attempt."""
    return timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))


def record_failure(message: OutboxMessage, error: BaseException, now: datetime) -> bool:
    """Back the message off for a later attempt, or dead-letter it after the last one.
    Returns True when it became a dead letter."""
    dead = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    text = _error_text(error)
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.DEAD if dead else OutboxStatus.PENDING,
        next_attempt_at=now + backoff(message.attempts),
        enqueued_at=None,
        lease_expires_at=None,
        last_error=text,
    )
    log = logger.error if dead else logger.warning
    log("Email %s attempt %d failed: %s%s", message.pk, message.attempts, text, " (dead)" * dead)
    return dead


# Emails accepted by the mail server are marked sent in groups of this many (one UPDATE per
# group): the at-least-once duplicate window is at most this many emails (docs/promise-keeper.md).
SENT_MARK_GROUP = 10


def deliver_email(
    ids: list[int], *, now: datetime | None = None, time_budget: float | None = None
) -> DeliveryResult:
    """Send pending emails, at least once each.

    1. Claim them in a short transaction: status sending, one more attempt, and a lease of
       OUTBOX_LEASE_SECONDS. Messages waiting for a retry backoff are left alone.
    2. Re-check each just before sending; skip what is no longer true. Before each email, once
       a quarter of the lease has passed since it was last set, renew it for every message still
       held (one UPDATE): a live worker keeps its emails however long the batch takes, and a
       dead one's are free again one lease after its last renewal (renew_lease).
    3. Send them one by one over one SMTP connection (EMAIL_TIMEOUT bounds every network wait).
       The ones the server accepted are marked sent in groups of SENT_MARK_GROUP, one UPDATE
       per group, and whatever is accepted is marked before the task ends, whether it ends
       normally or by an exception (a database error on a later message, the task stopped).
       A worker killed outright (SIGKILL, power) after the server accepted some emails of a
       group and before the group's mark leaves them sending; when the lease expires the sweep
       queues them again and they are sent twice. That window (at most SENT_MARK_GROUP emails,
       one group's SMTP conversations: milliseconds on a local relay) is the at-least-once
       duplicate window.
    4. A failure backs off that one message (exponential) or dead-letters it after the last
       attempt; the others of the batch carry on, over a fresh connection.
    5. Messages not reached within the time budget are released and queued again at once.
    """
    result = DeliveryResult()
    budget = task_time_budget(time_budget)
    began = time.monotonic()
    clock = clock_from(now)
    now = clock()
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        claimed = claim(
            OutboxMessage.objects.filter(
                pk__in=ids,
                channel=OutboxChannel.EMAIL,
                status=OutboxStatus.PENDING,
                next_attempt_at__lte=now,
            ),
            status=OutboxStatus.SENDING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + lease,
        )
    if not claimed:
        return result
    renew_at = now + lease / 4
    messages = list(_load(claimed).order_by("pk"))
    accepted: list[int] = []
    skipped: list[int] = []

    def mark_done() -> None:
        """Record the accepted (sent) and the no-longer-true (skipped) messages so far."""
        if accepted:
            _mark(accepted, OutboxStatus.SENT, clock())
            result.sent += len(accepted)
            accepted.clear()
        if skipped:
            _mark(skipped, OutboxStatus.SKIPPED, clock())
            result.skipped += len(skipped)
            skipped.clear()

    earlier = earlier_message_ids(messages)
    reply_to = [settings.INBOUND_EMAIL_ADDRESS] if settings.INBOUND_EMAIL_ADDRESS else None
    # Django 6.1's configured mailer (from MAILERS, or the EMAIL_* settings until 7.0).
    connection = mailers.default
    with asynchronous_commits():
        try:
            for index, message in enumerate(messages):
                if time.monotonic() - began > budget:
                    result.released += _release(messages[index:], now=clock())
                    break
                now = clock()
                if now >= renew_at:
                    renew_lease(claimed, until=now + lease)
                    renew_at = now + lease / 4
                if not still_true(message, now):
                    skipped.append(message.pk)
                    continue
                try:
                    email = render_email(message, now)
                    mail = OutboxEmail(
                        subject=email.subject,
                        text=email.text,
                        html=email.html,
                        to=[message.recipient.email],
                        headers=threading_headers(message, earlier),
                        message_id=message.email_message_id,
                        reply_to=reply_to,
                    )
                    for filename, content, content_type in email.attachments:
                        mail.attach(filename, content, content_type)
                    connection.open()  # once per task; again only after a failure closed it
                    connection.send_messages([mail])
                except Exception as error:
                    _close_quietly(connection)
                    result.failed += 1
                    result.dead += record_failure(message, error, clock())
                    continue
                accepted.append(message.pk)
                if len(accepted) >= SENT_MARK_GROUP:
                    mark_done()
        finally:
            # Marked before the goodbye to the server: QUIT is a round trip the window need not
            # include. On an exception this still runs, so nothing accepted is left unmarked.
            try:
                mark_done()
            finally:
                _close_quietly(connection)
    return result


def renew_lease(ids: list[int], *, until: datetime) -> int:
    """Extend the lease of the claimed emails still sending (one statement). Those already marked
    sent, skipped or backed off are no longer "sending" and are left as they are."""
    return OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENDING).update(
        lease_expires_at=until
    )


# How many of a ticket's earlier emails to the same person References names (the latest ones).
REFERENCES_LIMIT = 10


def earlier_message_ids(messages: list[OutboxMessage]) -> dict[tuple[int, int], list[tuple]]:
    """For each (ticket, recipient) of the batch: their emails' (id, Message-ID) in order, one
    query for the whole batch (threading_headers takes those before each message)."""
    pairs = {
        (message.ticket_id, message.recipient_id)
        for message in messages
        if message.ticket_id is not None
    }
    found: dict[tuple[int, int], list[tuple]] = {}
    if not pairs:
        return found
    rows = (
        OutboxMessage.objects.filter(
            channel=OutboxChannel.EMAIL,
            ticket_id__in={ticket for ticket, _ in pairs},
            recipient_id__in={recipient for _, recipient in pairs},
            status__in=[OutboxStatus.SENT, OutboxStatus.SENDING],
        )
        .exclude(email_message_id="")
        .order_by("pk")
        .values_list("ticket_id", "recipient_id", "pk", "email_message_id")
    )
    for ticket, recipient, pk, message_id in rows:
        if (ticket, recipient) in pairs:
            found.setdefault((ticket, recipient), []).append((pk, message_id))
    return found


def threading_headers(message: OutboxMessage, earlier: dict) -> dict[str, str]:
    """Our own marker, References/In-Reply-To naming the ticket's earlier emails to this person
    (so mail clients thread them), and Auto-Submitted on the automatic ones: an email that
    carries no one's own words (acknowledgement, resolution without an update, reminders)."""
    headers = {"X-Service-Desk-Message": message.key}
    before = [
        message_id
        for pk, message_id in earlier.get((message.ticket_id, message.recipient_id), [])
        if pk < message.pk
    ][-REFERENCES_LIMIT:]
    if before:
        headers["References"] = " ".join(before)
        headers["In-Reply-To"] = before[-1]
    if message.entry_id is None:
        headers["Auto-Submitted"] = "auto-generated"
    return headers


def _mark(ids: list[int], status: str, now: datetime) -> None:
    """One statement for a group of claimed messages; only those still ours (sending)."""
    OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENDING).update(
        status=status, sent_at=now, lease_expires_at=None
    )


@contextmanager
def asynchronous_commits() -> Iterator[None]:
    """While sending emails, commit without waiting for the disk (PostgreSQL's
    synchronous_commit off, this connection only, reset afterwards).

    What these commits record (sent, backed off, released) is safe to lose in a database crash:
    a lost "sent" mark means the email goes out once more, which at-least-once delivery allows,
    and the others only make a retry come sooner. Waiting for the disk after every email was a
    large part of a burst's delivery time. In-app notifications keep durable commits."""
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:
        logger.warning("Closing the SMTP connection failed", exc_info=True)


def _release(messages: list[OutboxMessage], *, now: datetime) -> int:
    """Give unsent claimed messages back (their attempt did not happen) and queue them again."""
    ids = [message.pk for message in messages]
    released = OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING,
        attempts=F("attempts") - 1,
        lease_expires_at=None,
        enqueued_at=now,
    )
    enqueue_delivery((pk, OutboxChannel.EMAIL) for pk in ids)
    return released


def deliver(ids: list[int], *, now: datetime | None = None) -> DeliveryResult:
    """Deliver whichever of these outbox messages are still pending (the task body). Times are
    the database's unless `now` is given (tests at a travelled time)."""
    channels = dict(OutboxMessage.objects.filter(pk__in=ids).values_list("pk", "channel"))
    in_app = [pk for pk in ids if channels.get(pk) == OutboxChannel.IN_APP]
    email = [pk for pk in ids if channels.get(pk) == OutboxChannel.EMAIL]
    result = DeliveryResult()
    if in_app:
        result.add(deliver_in_app(in_app, now=now))
    if email:
        result.add(deliver_email(email, now=now))
    return result
