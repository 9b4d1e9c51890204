"""The wording of vendor chase reminders, registered on the promise keeper's outbox.

A chase reminder is an outbox message of kind `vendor_chase` (updates.models.OutboxKind) whose
`data` holds the VendorChase id. The outbox delivers it like every promise alert: claimed once,
in-app exactly once, email at least once with retries and dead letters. updates never imports
vendors; this module registers its wording there (messages.register_wording) from
VendorsConfig.ready(), so a chase is never written with the customer-update template.

Only staff receive these messages: the recipient is the ticket owner, or whoever opened the
escalation on an unowned ticket.
"""

from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from updates.keeper import wording
from updates.keeper.messages import Email, Wording, register_wording, subject_line
from updates.models import OutboxKind, OutboxMessage
from vendors.models import VendorChase


def _chase(message: OutboxMessage) -> VendorChase:
    return VendorChase.objects.select_related(
        "escalation__vendor", "escalation__ticket__organization", "escalation__incident"
    ).get(pk=message.data["chase"])


def _context(message: OutboxMessage, now: datetime) -> dict:
    chase = _chase(message)
    escalation = chase.escalation
    ticket = escalation.ticket
    if ticket is None:  # a major incident's case: about the incident, for its commander
        incident = escalation.incident
        subject = {"reference": incident.reference, "subject": incident.title}
        customer, url = (
            "major incident",
            settings.SITE_URL + reverse("incidents:detail", args=[incident.pk]),
        )
    else:
        subject = {"reference": ticket.reference, "subject": ticket.subject}
        customer, url = ticket.organization.name, wording.staff_ticket_url(ticket)
    return {
        "ticket": subject,
        "customer": customer,
        "escalation": escalation,
        "vendor": escalation.vendor,
        "reference": escalation.vendor_reference,
        "status": escalation.get_status_display(),
        "due_text": wording.staff_time(chase.due_at, user=message.recipient, now=now),
        "opened_text": wording.staff_time(escalation.opened_at, user=message.recipient, now=now),
        "acknowledgement_overdue": escalation.acknowledgement_overdue(now),
        "url": url,
    }


def _case(context: dict) -> str:
    reference = f" case {context['reference']}" if context["reference"] else ""
    return f"{context['vendor'].name}{reference}"


def chase_notification(message: OutboxMessage, now: datetime) -> str:
    context = _context(message, now)
    ticket = context["ticket"]
    waiting = " Not acknowledged yet." if context["acknowledgement_overdue"] else ""
    return (
        f"{ticket['reference']} ({context['customer']}): chase {_case(context)}, due "
        f"{context['due_text']} ({context['status'].lower()}).{waiting} "
        f"{context['escalation'].summary}"
    )


def chase_email(message: OutboxMessage, now: datetime) -> Email:
    context = _context(message, now)
    ticket = context["ticket"]
    context["summary_line"] = chase_notification(message, now)
    return Email(
        subject=f"[{ticket['reference']}] Chase {_case(context)}: "
        f"{subject_line(ticket['subject'])}",
        text=render_to_string("vendors/email/chase.txt", context),
        html=render_to_string("vendors/email/chase.html", context),
    )


def chase_still_true(message: OutboxMessage, now: datetime) -> bool:
    """A case resolved or closed since the reminder was claimed needs no chasing; and the
    reminder only ever goes to staff."""
    if not message.recipient.is_helpdesk_staff:
        return False
    chase = VendorChase.objects.filter(pk=message.data.get("chase")).select_related("escalation")
    found = chase.first()
    return found is not None and found.escalation.is_active


def register() -> None:
    register_wording(
        OutboxKind.VENDOR_CHASE,
        Wording(email=chase_email, notification=chase_notification, still_true=chase_still_true),
    )
