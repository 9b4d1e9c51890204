"""What a webhook says: the objects as the API shows them to staff (internal subscriptions) or
as the ticket's customer sees them (the others), and the chat formats' readable messages."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from api.incidents import IncidentSerializer
from api.losses import LossSerializer
from api.tickets import CustomerTicketSerializer, TicketSerializer
from api.timeline import CustomerTimelineEntrySerializer, TimelineEntrySerializer
from api.vendors import EscalationSerializer
from tickets.display import local_time
from tickets.models import Ticket, customer_status

Data = dict[str, Any]


def ticket(ticket: Ticket) -> tuple[Data, Data]:
    return (
        {"ticket": TicketSerializer(ticket).data},
        {"ticket": CustomerTicketSerializer(ticket).data},
    )


def entry(entry) -> tuple[Data, Data | None]:
    staff, customer = ticket(entry.ticket)
    staff["entry"] = TimelineEntrySerializer(entry).data
    if not entry.is_public:
        return staff, None
    customer["entry"] = CustomerTimelineEntrySerializer(entry).data
    return staff, customer


def status_change(ticket_: Ticket, old: str, new: str) -> tuple[Data, Data | None]:
    staff, customer = ticket(ticket_)
    staff["previous_status"] = old
    if customer_status(old) == customer_status(new):
        return staff, None  # a move the customer cannot see (into or out of a vendor wait)
    customer["previous_status"] = customer_status(old)
    return staff, customer


def promise(alert) -> tuple[Data, Data]:
    staff, customer = ticket(alert.ticket)
    details = {"stage": alert.stage, "due_at": alert.promise.due_at.isoformat()}
    staff["promise"] = customer["promise"] = details
    return staff, customer


def escalation(escalation) -> tuple[Data, None]:
    staff, _ = ticket(escalation.ticket)
    staff["escalation"] = EscalationSerializer(escalation).data
    return staff, None


def incident(incident, entry) -> tuple[Data, Data]:
    staff: Data = {"incident": IncidentSerializer(incident).data}
    customer: Data = {
        "incident": {
            "id": incident.pk,
            "summary": incident.summary,
            "status": incident.status,
            "next_update_due": incident.next_update_due.isoformat()
            if incident.next_update_due
            else None,
        }
    }
    if entry is not None:
        staff["entry"] = customer["entry"] = {
            "id": entry.pk,
            "kind": entry.kind,
            "body": entry.body,
            "created_at": entry.created_at.isoformat(),
        }
    return staff, customer


def feedback(feedback) -> tuple[Data, Data]:
    staff, customer = ticket(feedback.ticket)
    details = {
        "id": feedback.pk,
        "kept_informed": feedback.kept_informed,
        "resolved": feedback.resolved,
        "comment": feedback.comment,
        "created_at": feedback.created_at.isoformat(),
    }
    staff["feedback"] = customer["feedback"] = details
    return staff, customer


def loss(loss) -> tuple[Data, Data]:
    staff: Data = {"loss": LossSerializer(loss).data}
    customer: Data = {
        "loss": {
            key: value
            for key, value in staff["loss"].items()
            if key in ("id", "ticket", "organization", "category", "created_at")
        }
    }
    if loss.ticket is not None:
        more_staff, more_customer = ticket(loss.ticket)
        staff.update(more_staff)
        customer.update(more_customer)
    return staff, customer


# --- chat formats -------------------------------------------------------------------------------

HEADLINES = {
    "ticket.created": "New ticket",
    "ticket.updated": "Ticket changed",
    "ticket.status_changed": "Status changed",
    "update.public_posted": "Update sent to the customer",
    "update.internal_posted": "Internal note",
    "customer.replied": "Customer replied",
    "promise.due_soon": "Update due soon",
    "promise.breached": "Promise breached",
    "promise.still_breached": "Promise still breached",
    "escalation.changed": "Vendor escalation changed",
    "incident.updated": "Major incident updated",
    "feedback.received": "Feedback received",
    "loss.recorded": "Loss recorded",
    "webhook.ping": "Test message from the service desk",
}


def _moment(value: str | None, tz_name: str) -> str:
    if not value:
        return "none owed"
    moment = local_time(datetime.fromisoformat(value), ZoneInfo(tz_name))
    return moment.strftime("%a %d %b %Y, %H:%M %Z")


def chat_facts(
    event_type: str, data: Data, tz_name: str | None
) -> tuple[str, list[tuple[str, str]], str | None]:
    """(headline, facts as (label, value), link) for a chat message."""
    headline = HEADLINES.get(event_type, event_type)
    facts: list[tuple[str, str]] = []
    link = None
    ticket_data = data.get("ticket")
    if ticket_data:
        headline = f"{headline}: {ticket_data['reference']} {ticket_data['subject']}"
        facts += [
            ("Ticket", ticket_data["reference"]),
            ("Customer", ticket_data.get("organization_name") or ""),
            ("Status", ticket_data["status"].replace("_", " ")),
            ("Priority", f"P{ticket_data['priority']}"),
            (
                "Next update",
                _moment(ticket_data.get("next_update_due"), tz_name or settings.TIME_ZONE),
            ),
        ]
        link = settings.SITE_URL.rstrip("/") + reverse("ticket", args=[ticket_data["id"]])
    if "promise" in data:
        facts.append(
            ("Promised by", _moment(data["promise"]["due_at"], tz_name or settings.TIME_ZONE))
        )
    if "incident" in data:
        incident_data = data["incident"]
        facts.append(("Incident", incident_data.get("title") or incident_data.get("summary", "")))
    if "entry" in data and data["entry"].get("body"):
        body = data["entry"]["body"]
        facts.append(("Text", body if len(body) <= 500 else body[:499] + "…"))
    return headline, facts, link


def slack(event_type: str, data: Data, tz_name: str | None) -> Data:
    headline, facts, link = chat_facts(event_type, data, tz_name)
    lines = [f"*{_slack_escape(headline)}*"]
    lines += [f"{label}: {_slack_escape(value)}" for label, value in facts]
    if link:
        lines.append(f"<{link}|Open {data['ticket']['reference']}>")
    return {"text": "\n".join(lines)}


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn reads these three as markup.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams(event_type: str, data: Data, tz_name: str | None) -> Data:
    """A Teams workflow webhook's message: one Adaptive Card attachment."""
    headline, facts, link = chat_facts(event_type, data, tz_name)
    card: Data = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": headline,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {
                "type": "FactSet",
                "facts": [{"title": label, "value": value} for label, value in facts],
            },
        ],
    }
    if link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": f"Open {data['ticket']['reference']}", "url": link}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
