"""The notification outbox: messages are rows written in the transaction that decided them, and
delivery tasks are queued only after that transaction commits.

The broker is a doorbell, not the record: a queued task that vanishes (Redis restarted, worker
killed) leaves its message pending in the database, and the sweep queues it again.

The doorbell is rung by task name (DELIVERY_TASK, which updates.tasks registers): the task runs
the delivery, whose release queues messages again through here, so importing the task would
close an import circle (outbox -> tasks -> delivery -> outbox).
"""

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from email.utils import make_msgid

from celery import current_app
from django.conf import settings
from django.core.mail.utils import DNS_NAME
from django.db import transaction

from accounts.models import User
from tickets.models import Ticket
from updates.events import record_event
from updates.models import OutboxChannel, OutboxMessage, OutboxStatus, PromiseAlert, TimelineEntry

logger = logging.getLogger(__name__)

# Messages per delivery task. In-app messages are cheap database rows. Emails share one SMTP
# connection and one database connection per task; 100 keeps a task to about a second on a
# local relay (a 10,000-email burst is 100 tasks, so two pool processes still share it evenly)
# and far inside the time budget on a slow one (whatever is not reached is released).
BATCH_SIZE = {OutboxChannel.IN_APP: 200, OutboxChannel.EMAIL: 100}
# Redis serves priority 0 (beat's sweep) before this: in a burst the sweep records every due
# alert at once instead of waiting behind hundreds of delivery tasks (and expiring there).
DELIVERY_PRIORITY = 6
DELIVERY_TASK = "updates.deliver_outbox"
# Staff reminders (promise alerts, vendor chases) go to the bell and by email.
STAFF_CHANNELS = (OutboxChannel.IN_APP, OutboxChannel.EMAIL)


def chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def enqueue_delivery(messages: Iterable[tuple[int, str]]) -> None:
    """Queue delivery tasks for (id, channel) pairs, batched per channel.

    A broker that is down must not fail the caller (the web request that posted an update has
    committed): the messages are marked not-queued and the next sweep queues them.
    """
    by_channel: dict[str, list[int]] = {}
    for pk, channel in messages:
        by_channel.setdefault(channel, []).append(pk)
    for channel, ids in by_channel.items():
        for batch in chunks(ids, BATCH_SIZE.get(channel, 20)):
            try:
                current_app.tasks[DELIVERY_TASK].apply_async(
                    (list(batch),), priority=DELIVERY_PRIORITY
                )
            except Exception as error:
                logger.warning(
                    "Could not queue delivery of %s (%s); the sweep will", list(batch), error
                )
                try:
                    OutboxMessage.objects.filter(pk__in=batch, status=OutboxStatus.PENDING).update(
                        enqueued_at=None
                    )
                except Exception:
                    logger.exception("Could not mark %s as not queued", list(batch))


# Set inside batched_delivery(): where committed messages wait to be queued together.
_batch: ContextVar[list[tuple[int, str]] | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def batched_delivery() -> Iterator[None]:
    """Within this block, messages whose transaction commits are queued when the block ends,
    BATCH_SIZE a task, instead of one delivery task per transaction. The incident fan-out posts
    a chunk of tickets in a transaction each; their customer emails then share a task and its
    SMTP connection rather than one task (and connection) per email. A worker that dies inside
    the block leaves committed messages pending: the sweep queues them again, as for a lost task.
    """
    pairs: list[tuple[int, str]] = []
    token = _batch.set(pairs)
    try:
        yield
    finally:
        _batch.reset(token)
        enqueue_delivery(pairs)


def enqueue_on_commit(messages: list[OutboxMessage]) -> None:
    pairs = [(message.pk, message.channel) for message in messages]
    if not pairs:
        return
    batch = _batch.get()
    if batch is not None:
        transaction.on_commit(lambda: batch.extend(pairs))
    else:
        transaction.on_commit(lambda: enqueue_delivery(pairs))


def queue_messages(
    *,
    kind: str,
    ticket: Ticket | None,
    recipients: Iterable[User],
    channels: Iterable[str],
    key: str,
    now: datetime,
    alert: PromiseAlert | None = None,
    entry: TimelineEntry | None = None,
    data: dict | None = None,
) -> list[OutboxMessage]:
    """Write one outbox message per recipient and channel (build_messages) and queue their
    delivery when the current transaction commits. Other apps (vendor chase reminders) use this
    too, passing in `data` the ids their registered wording needs (messages.register_wording).
    Messages already written under the same key are left alone."""
    return write_and_enqueue(
        build_messages(
            kind=kind,
            ticket=ticket,
            recipients=recipients,
            channels=channels,
            key=key,
            now=now,
            alert=alert,
            entry=entry,
            data=data,
        )
    )


def build_messages(
    *,
    kind: str,
    ticket: Ticket | None,
    recipients: Iterable[User],
    channels: Iterable[str],
    key: str,
    now: datetime,
    alert: PromiseAlert | None = None,
    entry: TimelineEntry | None = None,
    data: dict | None = None,
) -> list[OutboxMessage]:
    """The unsaved messages for each recipient and channel, keyed `<key>:<recipient>:<channel>`
    (the key makes each message exist once), due and counted as queued at `now`. `ticket` is
    None for a promise source's message (updates.keeper.sources): not about one ticket."""
    channels = list(channels)
    return [
        OutboxMessage(
            key=f"{key}:{recipient.pk}:{channel}",
            channel=channel,
            kind=kind,
            ticket=ticket,
            recipient=recipient,
            alert=alert,
            entry=entry,
            data=data or {},
            next_attempt_at=now,
            enqueued_at=now,
            created_at=now,
            email_message_id=new_message_id() if channel == OutboxChannel.EMAIL else "",
        )
        for recipient in recipients
        for channel in channels
    ]


def message_id_domain() -> str:
    """The right-hand side of our Message-IDs: the inbound address's domain when there is one."""
    address = settings.INBOUND_EMAIL_ADDRESS
    return address.rpartition("@")[2].strip(" >") if "@" in address else str(DNS_NAME)


def new_message_id() -> str:
    """A Message-ID made once per email outbox message and stored with it, so every retry of
    the message carries the same one and a reply naming it finds its ticket."""
    return make_msgid(domain=message_id_domain())


def write_and_enqueue(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Save the messages whose key is not taken yet; queue their delivery on commit. Emails
    over the send cap are saved held back, not queued, and the ticket says so."""
    if not messages:
        return []
    keys = [message.key for message in messages]
    existing = set(OutboxMessage.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh = [message for message in messages if message.key not in existing]
    held = hold_over_cap(fresh)
    created = OutboxMessage.objects.bulk_create(fresh)
    enqueue_on_commit([message for message in created if message.status != OutboxStatus.HELD])
    for message in held:
        record_event(
            message.ticket,
            "email_held_back",
            at=message.created_at,
            body=(
                f"An email to {message.recipient.email} ({message.get_kind_display()}) was held "
                f"back: {settings.EMAIL_SEND_CAP} emails about this ticket went to that address "
                f"in {settings.EMAIL_SEND_CAP_MINUTES} minutes."
            ),
            recipient=message.recipient_id,
            kind=message.kind,
        )
    return created


def hold_over_cap(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """The loop breaker: mark the emails that would make more than EMAIL_SEND_CAP to one
    address about one ticket within EMAIL_SEND_CAP_MINUTES as held (never sent); returns them."""
    # Only emails about a ticket: the cap breaks a loop with one ticket's correspondent.
    emails = [
        message
        for message in messages
        if message.channel == OutboxChannel.EMAIL and message.ticket_id is not None
    ]
    if not emails:
        return []
    since = min(message.created_at for message in emails) - timedelta(
        minutes=settings.EMAIL_SEND_CAP_MINUTES
    )
    pairs = {(message.ticket_id, message.recipient_id) for message in emails}
    counts = Counter(
        OutboxMessage.objects.filter(
            channel=OutboxChannel.EMAIL,
            ticket_id__in={ticket for ticket, _ in pairs},
            recipient_id__in={recipient for _, recipient in pairs},
            created_at__gte=since,
        )
        .exclude(status=OutboxStatus.HELD)
        .values_list("ticket_id", "recipient_id")
    )
    held = []
    for message in emails:
        pair = (message.ticket_id, message.recipient_id)
        if counts[pair] >= settings.EMAIL_SEND_CAP:
            message.status, message.enqueued_at = OutboxStatus.HELD, None
            held.append(message)
        else:
            counts[pair] += 1
    return held
