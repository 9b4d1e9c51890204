"""What the customer will receive for a public update, shown in the composer before it is sent.

The wording follows DESIGN rule 11 and the house voice: we own the problem, and we always say
when the next update comes ("next update by 14:30 your time, or sooner"). Rendered from
templates/updates/email/public_update_preview.txt.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from tickets.models import DONE_STATUSES, PAUSED_STATUSES, Status, Ticket, customer_status_label
from updates.forms import customer_timezone
from updates.services import default_next_update_due

PREVIEW_TEMPLATE = "updates/email/public_update_preview.txt"


@dataclass(frozen=True)
class EmailPreview:
    recipients: list[str]
    subject: str
    body: str
    note: str = ""


def _recipient(user: User | None) -> str | None:
    if user is None or not user.is_active or not user.email:
        return None
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
    """The email a public update would send: recipients, subject and text, in the customer's
    time zone. `next_update_due` None means the cadence default (when anything is owed)."""
    now = now or timezone.now()
    status = Status.OPEN if status == Status.NEW else status
    owes = status not in DONE_STATUSES and status not in PAUSED_STATUSES
    due = (next_update_due or default_next_update_due(ticket, now=now)) if owes else None
    tz = customer_timezone(ticket)
    recipient = _recipient(ticket.requester)
    context = {
        "ticket": ticket,
        "greeting_name": ticket.requester.name.split()[0]
        if recipient and ticket.requester.name
        else "",
        "body": body.strip(),
        "status_label": customer_status_label(status),
        "resolved": status in DONE_STATUSES,
        "waiting_on_customer": status in PAUSED_STATUSES,
        "next_update_due": due.astimezone(tz) if due else None,
        "eta": eta.astimezone(tz) if eta else None,
        "customer_timezone": tz.key,
        "author": author,
        "site_url": settings.SITE_URL,
    }
    with timezone.override(tz):  # the date filter shows times in the active time zone
        text = render_to_string(PREVIEW_TEMPLATE, context).strip() + "\n"
    subject = f"[{ticket.reference}] {ticket.subject}"
    if status in DONE_STATUSES:
        subject += " (resolved)"
    return EmailPreview(
        recipients=[recipient] if recipient else [],
        subject=subject,
        body=text,
        note=""
        if recipient
        else "This ticket has no customer contact: the update appears in the portal timeline "
        "but nobody is emailed.",
    )
