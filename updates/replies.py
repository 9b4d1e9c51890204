"""Posting a saved reply (saved_replies) as a public update: its text filled for the ticket,
its status and promise unless the request gives its own, one use counted with the update."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from saved_replies.models import SavedReply
from saved_replies.rendering import Values, render
from saved_replies.selectors import visible_replies
from saved_replies.services import count_use
from tickets.models import OWING_STATUSES, Status, Ticket
from updates import cadence, services


def status_after(ticket: Ticket, reply: SavedReply, status: str | None) -> str:
    after = status or reply.status or ticket.status
    return Status.OPEN if after == Status.NEW else after


def reply_due(
    ticket: Ticket,
    reply: SavedReply,
    *,
    now: datetime,
    status: str | None = None,
    requested: datetime | None = None,
) -> datetime | None:
    """The next update the reply promises if posted now: the request's time, else the reply's
    minutes, else the cadence default; none when the status after it owes nothing."""
    if status_after(ticket, reply, status) not in OWING_STATUSES:
        return None
    if requested is not None:
        return requested
    if reply.next_update_minutes:
        return now + timedelta(minutes=reply.next_update_minutes)
    return cadence.next_update_due(ticket, now)


def render_reply(
    reply: SavedReply,
    *,
    ticket: Ticket,
    agent: User,
    now: datetime | None = None,
    status: str | None = None,
    requested_due: datetime | None = None,
) -> str:
    now = now or timezone.now()
    due = reply_due(ticket, reply, now=now, status=status, requested=requested_due)
    return render(reply.body, Values(ticket=ticket, agent=agent, next_update_due=due))


def post_composed_update(
    ticket: Ticket, *, author: User, used_reply: int | None, **arguments: Any
) -> Any:
    """The composer's Send: a public update as written; when a saved reply's text was inserted
    (and the author may still use that reply), one use is counted in the update's transaction."""
    reply = visible_replies(author).filter(pk=used_reply).first() if used_reply else None
    with transaction.atomic():
        entry = services.post_public_update(ticket, author=author, **arguments)
        if reply is not None:
            count_use(reply)
    return entry


def post_saved_reply(
    ticket: Ticket,
    *,
    reply: SavedReply,
    author: User,
    body: str | None = None,
    status: str | None = None,
    next_update_due: datetime | None = None,
    eta: Any = services.UNSET,
    confirm_vendor_mention: bool = False,
    attachments: Sequence[UploadedFile] = (),
) -> Any:
    """The reply as a public update, through post_public_update (the guard included); the
    request's fields win over the reply's. Counts one use, in the update's transaction."""
    now = timezone.now()
    with transaction.atomic():
        due = reply_due(ticket, reply, now=now, status=status, requested=next_update_due)
        if body is None:
            body = render(reply.body, Values(ticket=ticket, agent=author, next_update_due=due))
        if next_update_due is None and not reply.next_update_minutes:
            due = None  # the cadence default, made by the update itself
        entry = services.post_public_update(
            ticket,
            author=author,
            body=body,
            next_update_due=due,
            status=status or reply.status or None,
            eta=eta,
            confirm_vendor_mention=confirm_vendor_mention,
            attachments=attachments,
            now=now,
        )
        count_use(reply)
    return entry
