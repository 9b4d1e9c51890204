"""What the customer will receive for a public update, shown in the composer before it is sent.

The preview is the promise keeper's real customer email (updates.keeper.messages
.customer_email_for, templates/keeper/email/customer_update.* and customer_resolution.*),
rendered for the update as if it were posted now: the same recipient rule, subject, wording and
time zone. There is no preview template of its own, so the two can never drift apart.
"""

import copy
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from accounts.models import User
from tickets.models import DONE_STATUSES, PAUSED_STATUSES, Status, Ticket
from updates.keeper.customer_emails import requester_to_email
from updates.keeper.messages import customer_email_for
from updates.models import EntryKind, OutboxKind, TimelineEntry
from updates.services import default_next_update_due


@dataclass(frozen=True)
class EmailPreview:
    recipients: list[str]
    subject: str
    body: str
    note: str = ""


def _address(user: User) -> str:
    return f"{user.name} <{user.email}>" if user.name else user.email


def public_update_preview(
    ticket: Ticket,
    *,
    author: User,
    body: str,
    status: str,
    next_update_due: datetime | None,
    eta: datetime | None,
    now: datetime | None = None,
) -> EmailPreview:
    """The email a public update would send: recipients, subject and text. `next_update_due`
    None means the cadence default (when anything is owed). Nothing is saved."""
    now = now or timezone.now()
    status = Status.OPEN if status == Status.NEW else status
    owes = status not in DONE_STATUSES and status not in PAUSED_STATUSES
    due = (next_update_due or default_next_update_due(ticket, now=now)) if owes else None
    # The ticket and the update as they would be once posted (unsaved copies).
    after = copy.copy(ticket)
    after.status, after.eta, after.next_update_due = status, eta, due
    if after.owner_id is None:
        after.owner = author
    entry = TimelineEntry(
        ticket=after,
        kind=EntryKind.PUBLIC_UPDATE,
        is_public=True,
        author=author,
        body=body.strip(),
        next_update_due=due,
        created_at=now,
    )
    recipient = requester_to_email(ticket)
    if recipient is None:
        return EmailPreview(
            recipients=[],
            subject="",
            body=entry.body,
            note="This ticket has no customer contact who can be emailed: the update appears in "
            "the portal timeline but nobody is emailed.",
        )
    # One email per public update: the resolution email when it resolves (keeper rule).
    kind = OutboxKind.CUSTOMER_RESOLUTION if status in DONE_STATUSES else OutboxKind.CUSTOMER_UPDATE
    email = customer_email_for(kind, ticket=after, recipient=recipient, entry=entry, now=now)
    return EmailPreview(recipients=[_address(recipient)], subject=email.subject, body=email.text)
