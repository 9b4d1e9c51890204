"""Who hears of what (API.md "Agent speed"): the staff notifications of a customer's reply, a
handover, a new unowned ticket and a mention in an internal note.

Each is written as outbox messages (updates.keeper.outbox) in the transaction of the change it
reports, so it is delivered after commit, never lost and never doubled: in-app always, by email
unless the kind is in the person's `notification_email_off`. Nobody is told of their own action.
New unowned P3/P4 tickets reach email through the digest (`send_digests`), at most one per person
every NOTIFICATION_DIGEST_MINUTES; P1/P2 by email at once.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.models import Role, User
from tickets.models import DONE_STATUSES, Ticket
from updates.keeper.claims import claim
from updates.keeper.clock import clock_from
from updates.keeper.outbox import build_messages, queue_messages, write_and_enqueue
from updates.models import (
    EMAIL_OPTIONAL_KINDS,
    NotificationKind,
    OutboxChannel,
    OutboxKind,
    TimelineEntry,
    TriageDigestItem,
)

# "@" and an email address, not itself part of a word or an address ("bob@x.io" is no mention).
MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
# P1 and P2 reach triage by email at once; P3 and P4 in the digest.
URGENT_PRIORITIES = (1, 2)


def active_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True).filter(
        Q(role__in=[Role.AGENT, Role.MANAGER]) | Q(is_superuser=True)
    )


def triage_team() -> QuerySet[User]:
    """Active staff with triage duty (User.triage_duty: managers unless set, agents when set)."""
    return active_staff().filter(
        Q(triage_duty_setting=True)
        | Q(triage_duty_setting__isnull=True) & (Q(role=Role.MANAGER) | Q(is_superuser=True))
    )


def _notify(
    kind: str,
    *,
    ticket: Ticket,
    recipients: Iterable[User],
    key: str,
    now: datetime,
    entry: TimelineEntry | None = None,
    email: bool = True,
) -> None:
    """In-app to each recipient, and by email to those who have not turned this kind off."""
    people = {user.pk: user for user in recipients}.values()
    by_mail = [user for user in people if email and user.wants_email_for(kind)]
    in_app_only = [user for user in people if user not in by_mail]
    for users, channels in (
        (by_mail, (OutboxChannel.IN_APP, OutboxChannel.EMAIL)),
        (in_app_only, (OutboxChannel.IN_APP,)),
    ):
        if users:
            queue_messages(
                kind=kind,
                ticket=ticket,
                recipients=users,
                channels=channels,
                key=key,
                now=now,
                entry=entry,
            )


def customer_replied(ticket: Ticket, entry: TimelineEntry) -> None:
    """The owner and the collaborators hear of every customer reply (portal, API or email)."""
    people = [ticket.owner] if ticket.owner_id else []
    people += list(ticket.collaborators.all())
    recipients = [
        user
        for user in people
        if user.is_active and user.is_helpdesk_staff and user.pk != entry.author_id
    ]
    _notify(
        NotificationKind.CUSTOMER_REPLY,
        ticket=ticket,
        recipients=recipients,
        key=f"reply:{entry.pk}",
        now=entry.created_at,
        entry=entry,
    )


def owner_changed(ticket: Ticket, *, by: User | None, new: User, event: TimelineEntry) -> None:
    """The new owner hears when someone else made them the owner, with the handover note (the
    body of the owner_changed event)."""
    if by is not None and by.pk == new.pk:
        return
    if not new.is_active:
        return
    _notify(
        NotificationKind.HANDOVER,
        ticket=ticket,
        recipients=[new],
        key=f"handover:{event.pk}",
        now=event.created_at,
        entry=event,
    )


def owners_changed_many(
    changes: Iterable[tuple[Ticket, TimelineEntry]], *, by: User | None, new: User
) -> None:
    """owner_changed for a bulk assign: the same messages, one per ticket, written in a fixed
    number of statements whatever the number of tickets (tickets.bulk's promise)."""
    if (by is not None and by.pk == new.pk) or not new.is_active:
        return
    kind = NotificationKind.HANDOVER
    channels = (OutboxChannel.IN_APP, OutboxChannel.EMAIL)
    if not new.wants_email_for(kind):
        channels = (OutboxChannel.IN_APP,)
    messages = []
    for ticket, event in changes:
        messages += build_messages(
            kind=kind,
            ticket=ticket,
            recipients=[new],
            channels=channels,
            key=f"handover:{event.pk}",
            now=event.created_at,
            entry=event,
        )
    write_and_enqueue(messages)


def ticket_created(ticket: Ticket, *, by: User | None, at: datetime) -> None:
    """A ticket created without an owner: everyone on triage duty hears at once in the app; by
    email at once for P1/P2, in their next digest for P3/P4."""
    if ticket.owner_id is not None:
        return
    team = [user for user in triage_team() if by is None or user.pk != by.pk]
    urgent = ticket.priority in URGENT_PRIORITIES
    _notify(
        NotificationKind.NEW_TICKET,
        ticket=ticket,
        recipients=team,
        key=f"new_ticket:{ticket.pk}",
        now=at,
        email=urgent,
    )
    if not urgent:
        TriageDigestItem.objects.bulk_create(
            [
                TriageDigestItem(recipient=user, ticket=ticket, created_at=at)
                for user in team
                if user.wants_email_for(NotificationKind.NEW_TICKET)
            ],
            ignore_conflicts=True,
        )


def mentioned_emails(body: str) -> set[str]:
    return {match.lower() for match in MENTION.findall(body)}


def internal_note_added(ticket: Ticket, entry: TimelineEntry) -> None:
    """Each active staff member named in the note as `@<their email>` hears of it. A contact
    named that way is never told (the note is internal)."""
    emails = mentioned_emails(entry.body)
    if not emails:
        return
    recipients = active_staff().filter(email__in=emails).exclude(pk=entry.author_id)
    _notify(
        NotificationKind.MENTION,
        ticket=ticket,
        recipients=list(recipients),
        key=f"mention:{entry.pk}",
        now=entry.created_at,
        entry=entry,
    )


# How many people one digest run serves; the next run (a minute later) takes the rest.
DIGEST_BATCH = 200


def send_digests(*, now: datetime | None = None) -> int:
    """Write each waiting person's digest email (the new unowned P3/P4 tickets they have not
    heard of by email), unless they had one within NOTIFICATION_DIGEST_MINUTES. Returns how many
    digests were written.

    Safe with two beats and a killed worker: the people are locked (SKIP LOCKED: another run
    busy with someone leaves them to it), their waiting items are claimed and marked in the
    transaction that writes the outbox email, so a run that dies writes nothing and the next
    one does it; the interval is judged from the last digest committed."""
    now = clock_from(now)()
    interval = timedelta(minutes=settings.NOTIFICATION_DIGEST_MINUTES)
    waiting = (
        TriageDigestItem.objects.filter(digested_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")[:DIGEST_BATCH]
    )
    candidates = list(waiting)
    if not candidates:
        return 0
    written = 0
    with transaction.atomic():
        # (No effect on SQLite, whose writers take turns anyway.)
        locked = (
            User.objects.filter(pk__in=candidates)
            .order_by("pk")
            .select_for_update(skip_locked=True, no_key=True)
        )
        people = {user.pk: user for user in locked}
        recent = set(
            TriageDigestItem.objects.filter(
                recipient_id__in=people, digested_at__gt=now - interval
            ).values_list("recipient_id", flat=True)
        )
        ready = [pk for pk in people if pk not in recent]
        if not ready:
            return 0
        claimed = claim(
            TriageDigestItem.objects.filter(recipient_id__in=ready, digested_at__isnull=True),
            digested_at=now,
        )
        tickets_by_person: dict[int, list[int]] = defaultdict(list)
        for recipient_id, ticket_id in TriageDigestItem.objects.filter(pk__in=claimed).values_list(
            "recipient_id", "ticket_id"
        ):
            tickets_by_person[recipient_id].append(ticket_id)
        still_waiting = set(
            Ticket.objects.filter(
                pk__in={pk for ids in tickets_by_person.values() for pk in ids},
                owner__isnull=True,
            )
            .exclude(status__in=DONE_STATUSES)
            .values_list("pk", flat=True)
        )
        tickets = Ticket.objects.in_bulk(still_waiting)
        for recipient_id, ticket_ids in sorted(tickets_by_person.items()):
            user = people[recipient_id]
            listed = sorted(pk for pk in ticket_ids if pk in still_waiting)
            if not listed or not user.triage_duty:
                continue  # all taken meanwhile, or no longer on triage: nothing to say
            queue_messages(
                kind=OutboxKind.NEW_TICKET_DIGEST,
                ticket=tickets[listed[0]],
                recipients=[user],
                channels=[OutboxChannel.EMAIL],
                key=f"digest:{now.isoformat()}",
                now=now,
                data={"tickets": listed},
            )
            written += 1
    return written


def set_email_preferences(user: User, *, email_on: Iterable[str]) -> User:
    """Email for the optional kinds in `email_on`, the app only for the others (API.md's
    `notification_email_off`). Kinds this page does not offer are kept as they were."""
    optional = {str(kind) for kind in EMAIL_OPTIONAL_KINDS}
    wanted = set(email_on) & optional
    kept = [kind for kind in user.notification_email_off if kind not in optional]
    user.notification_email_off = kept + sorted(optional - wanted)
    user.save(update_fields=["notification_email_off"])
    return user
