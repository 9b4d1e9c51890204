"""Writes to the timeline: public updates, internal notes and customer replies.

A public update is the only thing (with the resolution) that keeps a promise, and each one makes
the next promise. The steps run in one short transaction that holds the ticket's row lock.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from attachments import services as attachment_services
from tickets import services as ticket_services
from tickets.models import Status, Ticket
from tickets.validators import message_body, promised_update_time
from updates import cadence, dashboard_tally, notify, signals
from updates.keeper import customer_emails
from updates.models import EntryKind, TimelineEntry
from updates.promises import LONGEST_PROMISE_DAYS, close_pending_promise, make_promise

UNSET: Any = ticket_services.UNSET

# Checks a public update must pass before it reaches the customer. Each takes (ticket, body) and
# returns the phrases it objects to; apps above register theirs (the vendor-mention guard).
PublicUpdateCheck = Callable[[Ticket, str], list[str]]
public_update_checks: list[PublicUpdateCheck] = []
# Offer the author a customer-safe rewording of a held-back update: (ticket, body, matches) -> text.
PublicUpdateRewording = Callable[[Ticket, str, list[str]], str]
public_update_rewordings: list[PublicUpdateRewording] = []


class PublicUpdateHeldBack(ValidationError):
    """A public update that a check objected to; posted only once the author confirms."""

    def __init__(self, matches: list[str], suggestion: str = ""):
        self.matches = matches
        self.suggestion = suggestion
        super().__init__(
            "This update names a supplier or blames a third party. Customers hear that we own "
            "the problem: reword it, or confirm that it should go out as written.",
            code="vendor_mention",
        )


def held_back_phrases(ticket: Ticket, body: str) -> list[str]:
    matches: list[str] = []
    for check in public_update_checks:
        matches.extend(phrase for phrase in check(ticket, body) if phrase not in matches)
    return matches


def suggested_rewording(ticket: Ticket, body: str, matches: list[str]) -> str:
    return next(
        (text for hook in public_update_rewordings if (text := hook(ticket, body, matches))), ""
    )


def held_back(ticket: Ticket, body: str) -> PublicUpdateHeldBack | None:
    """Why sending `body` as a public update would be held back (what the checks object to and a
    suggested rewording), or None when it would go out. Reads only: the composer's preview asks
    the same question Send does, so the two always agree."""
    matches = held_back_phrases(ticket, body)
    if not matches:
        return None
    return PublicUpdateHeldBack(matches, suggestion=suggested_rewording(ticket, body, matches))


def default_next_update_due(ticket: Ticket, *, now: datetime | None = None) -> datetime:
    """What the composer suggests: one update interval of the ticket's cadence from now."""
    return cadence.next_update_due(ticket, now or timezone.now())


def post_public_update(
    ticket: Ticket,
    *,
    author: User,
    body: str,
    next_update_due: datetime | None = None,
    status: str | None = None,
    eta: datetime | None = UNSET,
    confirm_vendor_mention: bool = False,
    expected_updated_at: datetime | None = None,
    attachments: Sequence[UploadedFile] = (),
    now: datetime | None = None,
    checked_matches: list[str] | None = None,
) -> TimelineEntry:
    """Tell the customer where things stand, and promise the next update.

    `checked_matches`: the checks already ran on a wider scope and the author confirmed what
    they found (a major incident's update, guarded once for all its tickets): recorded as they
    are, without running the checks again for this ticket.

    1. Lock the ticket; refuse it if it changed since `expected_updated_at` (the composer's
       optimistic check: its status and ETA fields must not undo a colleague's change), a closed
       ticket, an empty or oversized body, a past promise.
    2. Run the public-update checks; held back unless the author confirmed.
    3. An unowned ticket becomes the author's (someone is accountable from the first word).
    4. Record the update; it answers the pending promise (kept, or breached if late) before the
       status changes, so a pause or resolution it carries finds no promise left to close.
    5. Apply the status and ETA changes it carries.
    6. If the ticket still owes updates, make the next promise: the author's time or the cadence
       default. Paused and resolved tickets owe nothing. A status change that re-opened the
       ticket started rule 5's promise; this one supersedes it (withdrawn: no figure counts it).
    7. Email the requester (after commit): the update and its next promise, or the resolution.

    Its `attachments` are checked before anything is written and stored with the entry; a file
    over a limit refuses the whole update.
    """
    if not author.is_helpdesk_staff:
        raise ValidationError({"visibility": "Only staff post public updates."})
    attachment_services.check_files(attachments)
    with attachment_services.files_removed_on_failure(), transaction.atomic():
        ticket = ticket_services.lock_ticket(ticket)
        ticket_services.ensure_unchanged_since(ticket, expected_updated_at)
        now = now or timezone.now()
        if ticket.status == Status.CLOSED:
            raise ValidationError(
                {"body": f"{ticket.reference} is closed; open a new ticket to continue."}
            )
        body = message_body(body)
        requested_due = promised_update_time(
            next_update_due, now=now, longest_days=LONGEST_PROMISE_DAYS
        )
        if status is not None and status != ticket.status and not ticket.can_move_to(status):
            # Checked up front so nothing is written for an impossible status.
            ticket_services.change_status(ticket, status=status, by=author, now=now)
        if checked_matches is not None:
            matches = list(checked_matches)
        elif confirm_vendor_mention:
            matches = held_back_phrases(ticket, body)
        elif (held := held_back(ticket, body)) is not None:
            raise held
        else:
            matches = []
        attachment_services.check_files(attachments, ticket=ticket)
        if ticket.owner_id is None:
            ticket = ticket_services.assign_owner(ticket, owner=author, by=author, now=now)

        entry = TimelineEntry.objects.create(
            ticket=ticket,
            kind=EntryKind.PUBLIC_UPDATE,
            is_public=True,
            author=author,
            body=body,
            created_at=now,
            data={"confirmed_vendor_mention": matches} if matches else {},
        )
        attachment_services.store_files(entry, attachments, uploaded_by=author)
        # Counted in the dashboard tally together with the next promise (one statement).
        answered = close_pending_promise(
            ticket, at=now, answered_by=entry, answered=True, count=False
        )
        if status is not None and status != ticket.status:
            ticket = ticket_services.change_status(
                ticket, status=status, by=author, customer_told=True, now=now
            )
        elif ticket.status == Status.NEW:
            ticket = ticket_services.change_status(
                ticket, status=Status.OPEN, by=author, customer_told=True, now=now
            )
        if eta is not UNSET:
            ticket = ticket_services.set_eta(ticket, eta=eta, by=author, now=now)
        if ticket.owes_update:
            due = requested_due or cadence.next_update_due(ticket, now)
            make_promise(ticket, due_at=due, made_at=now, made_by=entry, answered=answered)
            answered = None
            entry.next_update_due = due
            entry.save(update_fields=["next_update_due"])
        elif requested_due is not None:
            raise ValidationError(
                {
                    "next_update_due": "Nothing is owed while the ticket is "
                    f"{ticket.get_status_display().lower()}; leave the next update time empty."
                }
            )
        if answered is not None:  # nothing more is owed: the outcome is counted alone
            dashboard_tally.count_closed(answered)
        customer_emails.public_update_posted(ticket, entry)
        signals.entry_posted.send(sender=TimelineEntry, entry=entry, at=now)
    return entry


def add_internal_note(
    ticket: Ticket,
    *,
    author: User,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> TimelineEntry:
    """A note for colleagues. It never reaches the customer and never keeps a promise; nor do
    its files (attachments.selectors)."""
    if not author.is_helpdesk_staff:
        raise ValidationError({"visibility": "Only staff write internal notes."})
    body = message_body(body)
    attachment_services.check_files(attachments)
    with attachment_services.files_removed_on_failure(), transaction.atomic():
        if attachments:
            ticket = ticket_services.lock_ticket(ticket)
            attachment_services.check_files(attachments, ticket=ticket)
        entry = TimelineEntry.objects.create(
            ticket=ticket,
            kind=EntryKind.INTERNAL_NOTE,
            is_public=False,
            author=author,
            body=body,
            created_at=now or timezone.now(),
        )
        attachment_services.store_files(entry, attachments, uploaded_by=author)
        notify.internal_note_added(ticket, entry)
        signals.entry_posted.send(sender=TimelineEntry, entry=entry, at=entry.created_at)
    return entry


def post_customer_reply(
    ticket: Ticket, *, author: User, body: str, attachments: Sequence[UploadedFile] = ()
) -> TimelineEntry:
    """The customer writes back. A ticket waiting on them (or resolved) is open again, and a
    fresh promise starts from this moment (rule 5)."""
    attachment_services.check_files(attachments)
    with attachment_services.files_removed_on_failure(), transaction.atomic():
        ticket = ticket_services.lock_ticket(ticket)
        if ticket.status == Status.CLOSED:
            raise ValidationError(
                {"body": f"{ticket.reference} is closed; please raise a new request."}
            )
        body = message_body(body)
        attachment_services.check_files(attachments, ticket=ticket)
        entry = TimelineEntry.objects.create(
            ticket=ticket,
            kind=EntryKind.CUSTOMER_REPLY,
            is_public=True,
            author=author,
            body=body,
            created_at=timezone.now(),
        )
        attachment_services.store_files(entry, attachments, uploaded_by=author)
        if ticket.status in (Status.WAITING_ON_CUSTOMER, Status.RESOLVED):
            ticket_services.change_status(ticket, status=Status.OPEN, by=author)
        notify.customer_replied(ticket, entry)
        signals.entry_posted.send(sender=TimelineEntry, entry=entry, at=entry.created_at)
    return entry


def open_ticket(
    *, created_by: User | None, attachments: Sequence[UploadedFile] = (), **fields: Any
) -> Ticket:
    """Intake with files: tickets.services.create_ticket, and the files on the ticket's opening
    entry (the "opened" event, public), in one transaction; a file over a limit refuses it all."""
    attachment_services.check_files(attachments)
    with attachment_services.files_removed_on_failure(), transaction.atomic():
        ticket = ticket_services.create_ticket(created_by=created_by, **fields)
        if attachments:
            opening = TimelineEntry.objects.filter(
                ticket=ticket, kind=EntryKind.EVENT, event="opened"
            ).first()
            attachment_services.store_files(opening, attachments, uploaded_by=created_by)
    return ticket
