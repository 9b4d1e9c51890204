"""How the agent-speed notifications are said (API.md "Agent speed"): a customer's reply, a
handover, a new unowned ticket (one at a time, or the P3/P4 digest) and a mention in a note.

Each kind has its bell line and its email; every email's subject starts with the ticket's
`[SD-…]` tag (the digest's with the tag of each ticket it lists). Each kind's `still_true` is
asked again just before delivery, so a message that stopped being true is skipped (the reply's
ticket was handed to someone else, the person left triage duty).
"""

from datetime import datetime

from django.template.loader import render_to_string

from tickets.models import Ticket
from updates.keeper import wording
from updates.keeper.messages import Email, Wording, register_wording, subject_line
from updates.models import OutboxKind, OutboxMessage

EXCERPT_LENGTH = 140
# Tickets a digest lists by name; the rest are counted.
DIGEST_LIST_LIMIT = 50


def _excerpt(text: str) -> str:
    return subject_line(" ".join(text.split()), EXCERPT_LENGTH)


def _context(message: OutboxMessage) -> dict:
    ticket, entry = message.ticket, message.entry
    author = entry.author.display_name if entry is not None and entry.author else ""
    body = entry.body if entry is not None else ""
    return {
        "ticket": ticket,
        "customer": ticket.organization.name,
        "author": author,
        "body": body,
        "excerpt": _excerpt(body),
        "url": wording.staff_ticket_url(ticket),
    }


def _head(message: OutboxMessage) -> str:
    return f"{message.ticket.reference} ({message.ticket.organization.name})"


# ---- customer_reply -------------------------------------------------------------------------


def reply_notification(message: OutboxMessage, now: datetime) -> str:
    context = _context(message)
    return f"{_head(message)}: {context['author'] or 'The customer'} replied: {context['excerpt']}"


def reply_email(message: OutboxMessage, now: datetime) -> Email:
    context = _context(message)
    context["author"] = context["author"] or "The customer"
    subject = subject_line(message.ticket.subject)
    return Email(
        subject=f"[{message.ticket.reference}] {context['author']} replied: {subject}",
        text=render_to_string("keeper/email/customer_replied.txt", context),
        html=render_to_string("keeper/email/customer_replied.html", context),
    )


def reply_still_true(message: OutboxMessage, now: datetime) -> bool:
    """Only ever to staff, and only while they own the ticket or help on it."""
    recipient, ticket = message.recipient, message.ticket
    if not recipient.is_helpdesk_staff:
        return False
    return ticket.owner_id == recipient.pk or ticket.collaborators.filter(pk=recipient.pk).exists()


# ---- handover -------------------------------------------------------------------------------


def _staff_notice(message: OutboxMessage, *, title: str, lead: str, quote: str = "") -> Email:
    context = {**_context(message), "title": title, "lead": lead, "quote": quote}
    return Email(
        subject=f"[{message.ticket.reference}] {title}",
        text=render_to_string("keeper/email/staff_notice.txt", context),
        html=render_to_string("keeper/email/staff_notice.html", context),
    )


def handover_notification(message: OutboxMessage, now: datetime) -> str:
    context = _context(message)
    by = context["author"] or "Someone"
    note = f" Note: {context['excerpt']}" if context["body"] else ""
    return f"{_head(message)}: {by} made you the owner.{note}"


def handover_email(message: OutboxMessage, now: datetime) -> Email:
    context = _context(message)
    by = context["author"] or "Someone"
    ticket = message.ticket
    return _staff_notice(
        message,
        title=f"{by} handed you: {subject_line(ticket.subject)}",
        lead=f"{by} made you the owner of {ticket.reference} ({context['customer']}). "
        "You are accountable for its next update."
        + ("" if context["body"] else " They left no handover note."),
        quote=context["body"],
    )


def handover_still_true(message: OutboxMessage, now: datetime) -> bool:
    return message.recipient.is_helpdesk_staff and message.ticket.owner_id == message.recipient_id


# ---- new_ticket -----------------------------------------------------------------------------


def new_ticket_notification(message: OutboxMessage, now: datetime) -> str:
    ticket = message.ticket
    return f"{_head(message)}: new P{ticket.priority} ticket, nobody owns it yet: {ticket.subject}"


def new_ticket_email(message: OutboxMessage, now: datetime) -> Email:
    ticket = message.ticket
    return _staff_notice(
        message,
        title=f"New P{ticket.priority}, nobody owns it: {subject_line(ticket.subject)}",
        lead=f"{ticket.organization.name} opened {ticket.reference} (P{ticket.priority}) and "
        "nobody owns it yet. Take it, or assign it, from triage.",
        quote=ticket.description,
    )


def triage_still_true(message: OutboxMessage, now: datetime) -> bool:
    return message.recipient.triage_duty


def digest_tickets(message: OutboxMessage) -> list[Ticket]:
    ids = (message.data or {}).get("tickets", [])
    tickets = Ticket.objects.filter(pk__in=ids).select_related("organization").order_by("pk")
    return list(tickets)


def digest_email(message: OutboxMessage, now: datetime) -> Email:
    tickets = digest_tickets(message)
    listed = tickets[:DIGEST_LIST_LIMIT]
    tags = " ".join(f"[{ticket.reference}]" for ticket in listed)
    count = len(tickets)
    title = f"{count} new ticket{'s' if count != 1 else ''} nobody owns yet"
    context = {
        "title": title,
        "tickets": [
            {
                "reference": ticket.reference,
                "subject": ticket.subject,
                "customer": ticket.organization.name,
                "priority": ticket.priority,
                "owned": ticket.owner_id is not None,
                "url": wording.staff_ticket_url(ticket),
            }
            for ticket in listed
        ],
        "more": count - len(listed),
    }
    return Email(
        subject=subject_line(f"{tags} {title}", 250),
        text=render_to_string("keeper/email/triage_digest.txt", context),
        html=render_to_string("keeper/email/triage_digest.html", context),
    )


# ---- mention --------------------------------------------------------------------------------


def mention_notification(message: OutboxMessage, now: datetime) -> str:
    context = _context(message)
    return f"{_head(message)}: {context['author'] or 'A colleague'} mentioned you: {context['excerpt']}"


def mention_email(message: OutboxMessage, now: datetime) -> Email:
    context = _context(message)
    by = context["author"] or "A colleague"
    return _staff_notice(
        message,
        title=f"{by} mentioned you: {subject_line(message.ticket.subject)}",
        lead=f"{by} mentioned you in an internal note on {message.ticket.reference} "
        f"({context['customer']}). The customer does not see it.",
        quote=context["body"],
    )


def staff_still_true(message: OutboxMessage, now: datetime) -> bool:
    return message.recipient.is_helpdesk_staff


def register() -> None:
    register_wording(
        OutboxKind.CUSTOMER_REPLY,
        Wording(email=reply_email, notification=reply_notification, still_true=reply_still_true),
    )
    register_wording(
        OutboxKind.HANDOVER,
        Wording(
            email=handover_email,
            notification=handover_notification,
            still_true=handover_still_true,
        ),
    )
    register_wording(
        OutboxKind.NEW_TICKET,
        Wording(
            email=new_ticket_email,
            notification=new_ticket_notification,
            still_true=triage_still_true,
        ),
    )
    register_wording(
        OutboxKind.NEW_TICKET_DIGEST, Wording(email=digest_email, still_true=triage_still_true)
    )
    register_wording(
        OutboxKind.MENTION,
        Wording(
            email=mention_email, notification=mention_notification, still_true=staff_still_true
        ),
    )


register()
