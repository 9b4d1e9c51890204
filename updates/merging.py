"""Merge and split: one customer problem reported as several tickets, or several in one.

Merging closes each merged ticket "as merged into SD-…" and carries its history to the survivor.
It is written set-based (a fixed number of statements however many tickets merge) because the
queue's bulk "merge into one" runs the same code as the single merge:

1. Lock the tickets (ids in order, the one lock order that cannot deadlock) and check every rule
   before anything changes: all of one organisation, all unresolved, none the survivor itself.
2. Their pending promises are withdrawn (breached if already late): the survivor's promise
   answers the customer from now on, so they must not count as kept or broken by this ticket.
3. The merged tickets close with `merged_into`; tickets merged into them earlier follow on to the
   survivor, so `merged_into` always names a ticket that is not merged itself.
4. Their timeline entries move to the survivor, each marked `merged_from` (attachments, promise
   references and the search text follow); both timelines get an event.
5. Owners and collaborators of the merged tickets become collaborators of the survivor.
6. Each merged ticket's requester gets one email naming the survivor (outbox, after commit); no
   resolution email goes out, because the status change is not announced to the customer.
"""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat, Right
from django.utils import timezone

from accounts.models import User
from tickets import services as ticket_services
from tickets.bulk import lock_tickets
from tickets.models import BODY_MAX_LENGTH, DONE_STATUSES, Status, Ticket
from tickets.search import SEARCH_TEXT_MAX_LENGTH
from updates import promises
from updates.keeper import customer_emails
from updates.models import (
    EntryKind,
    OutboxKind,
    TimelineEntry,
)

MAX_SPLIT_ENTRIES = 100


def _staff(by: User, field: str) -> None:
    if not by.is_helpdesk_staff:
        raise ValidationError({field: "Only staff merge and split tickets."})


def merge_problems(tickets: Sequence[Ticket], survivor: Ticket | None) -> list[int]:
    """The ids among `tickets` that cannot be merged into `survivor` (every id when the
    survivor itself cannot take them)."""
    if survivor is None or survivor.status in DONE_STATUSES:
        return [ticket.pk for ticket in tickets]
    return [
        ticket.pk
        for ticket in tickets
        if ticket.pk == survivor.pk
        or ticket.status in DONE_STATUSES
        or ticket.organization_id != survivor.organization_id
    ]


def merge_ticket(ticket: Ticket, *, into: int, by: User, now: datetime | None = None) -> Ticket:
    """Merge `ticket` into the ticket whose id is `into`; returns the survivor."""
    _staff(by, "into")
    with transaction.atomic():
        locked = lock_tickets([ticket.pk, into])
        merged, survivor = locked.get(ticket.pk), locked.get(into)
        if merged is None:
            raise Ticket.DoesNotExist
        if survivor is None:
            raise ValidationError({"into": f"There is no ticket SD-{into}."})
        if survivor.pk == merged.pk:
            raise ValidationError({"into": "A ticket cannot be merged into itself."})
        if survivor.organization_id != merged.organization_id:
            raise ValidationError(
                {"into": f"{survivor.reference} belongs to another customer; merge within one."}
            )
        for one in (merged, survivor):
            if one.status in DONE_STATUSES:
                raise ValidationError(
                    {"into": f"{one.reference} is {one.status}; only unresolved tickets merge."}
                )
        merge_locked([merged], survivor, by=by, now=now or timezone.now())
    return survivor


def merge_locked(merged: Sequence[Ticket], survivor: Ticket, *, by: User, now: datetime) -> None:
    """Steps 2-6 of the module docstring for tickets already locked and checked."""
    ids = [ticket.pk for ticket in merged]
    promises.close_pending_promises_many(ids, at=now)
    # A closed ticket has an owner (rule 2): staff who merge an unowned one take it.
    ticket_services.set_owner_many([t.pk for t in merged if t.owner_id is None], by, now=now)
    Ticket.objects.filter(pk__in=ids).update(
        status=Status.CLOSED,
        closed_at=now,
        resolved_at=Coalesce(F("resolved_at"), Value(now)),
        merged_into=survivor.pk,
        updated_at=now,
    )
    Ticket.objects.filter(merged_into__in=ids).update(merged_into=survivor.pk)
    TimelineEntry.objects.filter(ticket_id__in=ids).update(
        ticket=survivor.pk, merged_from=Coalesce(F("merged_from"), F("ticket"))
    )
    _carry_search_text(ids, survivor)
    _join_people(merged, survivor)
    events = []
    for ticket in merged:
        events.append(
            event_entry(
                ticket, "merged_into", by, now, into=survivor.pk, reference=survivor.reference
            )
        )
        events.append(
            event_entry(
                survivor, "merged_from", by, now, source=ticket.pk, reference=ticket.reference
            )
        )
    TimelineEntry.objects.bulk_create(events)
    Ticket.objects.filter(pk=survivor.pk).update(updated_at=now)
    _tell_requesters(merged, survivor, now)


def event_entry(
    ticket: Ticket,
    event: str,
    by: User | None,
    now: datetime,
    *,
    public: bool = True,
    body: str = "",
    **data,
) -> TimelineEntry:
    """An unsaved system event (updates.events.record_event, for bulk_create)."""
    return TimelineEntry(
        ticket=ticket,
        kind=EntryKind.EVENT,
        is_public=public,
        author=by,
        event=event,
        body=body,
        data=data,
        created_at=now,
    )


def _carry_search_text(ids: Sequence[int], survivor: Ticket) -> None:
    public, internal = [], []
    for public_text, internal_text in Ticket.objects.filter(pk__in=ids).values_list(
        "public_search_text", "internal_search_text"
    ):
        public.append(public_text.strip())
        internal.append(internal_text.strip())
    changes = {}
    for column, texts in (("public_search_text", public), ("internal_search_text", internal)):
        text = "\n".join(t for t in texts if t)
        if text:
            changes[column] = Right(Concat(F(column), Value("\n" + text)), SEARCH_TEXT_MAX_LENGTH)
    if changes:
        Ticket.objects.filter(pk=survivor.pk).update(**changes)


def _join_people(merged: Sequence[Ticket], survivor: Ticket) -> None:
    """The merged tickets' owners and collaborators keep following the problem on the survivor;
    their requesters see it through tickets.selectors.customer_visible_tickets."""
    through = Ticket.collaborators.through
    people = set(
        through.objects.filter(ticket_id__in=[t.pk for t in merged]).values_list(
            "user_id", flat=True
        )
    )
    people |= {t.owner_id for t in merged if t.owner_id is not None}
    people.discard(survivor.owner_id)
    through.objects.bulk_create(
        [through(ticket_id=survivor.pk, user_id=user_id) for user_id in sorted(people)],
        ignore_conflicts=True,
    )


def _tell_requesters(merged: Sequence[Ticket], survivor: Ticket, now: datetime) -> None:
    """One email per merged ticket (its key makes it exist once), written in one statement."""
    customer_emails.email_requesters(
        merged,
        kind=OutboxKind.CUSTOMER_MERGED,
        key=lambda ticket: f"merged:{ticket.pk}",
        now=now,
        data={"into": survivor.pk, "reference": survivor.reference},
    )


# ---- split --------------------------------------------------------------------------------


def split_ticket(
    ticket: Ticket,
    *,
    entries: Sequence[int],
    subject: str,
    by: User,
    now: datetime | None = None,
) -> Ticket:
    """A new ticket from chosen customer messages of `ticket`: same organisation, the original's
    impact and urgency, no owner, its requester the author of the first chosen entry, and its own
    first-response promise (tickets.services.create_ticket)."""
    _staff(by, "entries")
    chosen_ids = list(dict.fromkeys(entries))
    if not chosen_ids:
        raise ValidationError({"entries": "Choose at least one customer message."})
    if len(chosen_ids) > MAX_SPLIT_ENTRIES:
        raise ValidationError({"entries": f"Choose at most {MAX_SPLIT_ENTRIES} messages."})
    with transaction.atomic():
        original = ticket_services.lock_ticket(ticket)
        chosen = {
            entry.pk: entry
            for entry in TimelineEntry.objects.select_related("author").filter(
                ticket=original, kind=EntryKind.CUSTOMER_REPLY, pk__in=chosen_ids
            )
        }
        wrong = [pk for pk in chosen_ids if pk not in chosen]
        if wrong:
            raise ValidationError(
                {
                    "entries": "Only customer replies of this ticket can be split off; not "
                    + ", ".join(str(pk) for pk in wrong)
                    + "."
                }
            )
        ordered = [chosen[pk] for pk in chosen_ids]
        author = ordered[0].author
        requester = (
            author
            if author is not None
            and author.is_contact
            and author.organization_id == original.organization_id
            else None
        )
        now = now or timezone.now()
        new = ticket_services.create_ticket(
            organization=original.organization,
            subject=subject if isinstance(subject, str) else "",
            description="\n\n".join(entry.body for entry in ordered)[:BODY_MAX_LENGTH],
            impact=original.impact,
            urgency=original.urgency,
            created_by=by,
            requester=requester,
            now=now,
        )
        TimelineEntry.objects.bulk_create(
            [
                event_entry(original, "split_to", by, now, into=new.pk, reference=new.reference),
                event_entry(
                    new, "split_from", by, now, source=original.pk, reference=original.reference
                ),
            ]
        )
    return new
