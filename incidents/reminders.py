"""The promise keeper knows the incident: reminders about an incident's own next update time.

Registered on the keeper (updates.keeper.sources) from IncidentsConfig.ready(), so updates never
imports incidents:

- A promise source. Each incident carries its next reminder (`reminder_stage`,
  `reminder_due_at`), written by `schedule()` whenever `next_update_due` changes. The sweep's
  idle check reads the earliest `reminder_due_at` (index incident_reminder_due); `fire()` claims
  the due incidents (SKIP LOCKED), writes their outbox messages and moves each to its next stage
  in the sweep's transaction. Due soon (one lead before the deadline, halfway for a closer one)
  goes to the commander; breached (at the deadline) to the commander and the managers. Each
  message's key names the incident, the stage and the deadline, so one deadline is reminded once
  per stage whatever runs twice.
- A cover for ticket alerts. A linked ticket's own promise alert is skipped when its incident's
  next update is due by that ticket's deadline (the incident's update will keep it; the commander
  is reminded instead); otherwise it goes to its owner as usual, naming the incident.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from incidents.models import Incident, IncidentLink, IncidentStatus
from updates.keeper import wording
from updates.keeper.claims import claim
from updates.keeper.messages import Email, Wording, register_wording, subject_line
from updates.keeper.outbox import STAFF_CHANNELS, build_messages
from updates.keeper.sources import Cover, PromiseSource, register_cover, register_source
from updates.keeper.sweep import managers
from updates.models import OutboxKind, OutboxMessage, PromiseAlert

# An incident is a P1-sized event: its commander hears one P1 lead before the update is due.
REMINDER_LEAD = timedelta(minutes=10)
DUE_SOON, BREACHED = "due_soon", "breached"
KIND = {DUE_SOON: OutboxKind.INCIDENT_DUE_SOON, BREACHED: OutboxKind.INCIDENT_BREACHED}


def schedule(incident: Incident, *, now: datetime) -> list[str]:
    """Set the incident's next reminder from its next_update_due (the caller saves the returned
    fields, in the transaction that changed the time). A resolved incident owes nothing."""
    due = incident.next_update_due
    if due is None or incident.status == IncidentStatus.RESOLVED:
        incident.reminder_stage, incident.reminder_due_at = "", None
    else:
        due_soon = due - REMINDER_LEAD
        if due_soon <= now:
            due_soon = now + (due - now) / 2 if due > now else due
        incident.reminder_stage, incident.reminder_due_at = DUE_SOON, due_soon
    return ["reminder_stage", "reminder_due_at"]


def pending() -> QuerySet[Incident]:
    return Incident.objects.filter(reminder_due_at__isnull=False)


def incident_path(incident_id: int) -> str:
    return reverse("incidents:detail", args=[incident_id])


def fire(now: datetime, limit: int) -> tuple[int, list[OutboxMessage]]:
    """Claim up to `limit` incidents with a reminder due; return how many and their messages."""
    ids = claim(
        pending().filter(reminder_due_at__lte=now).order_by("reminder_due_at"),
        limit=limit,
        reminder_due_at=None,
    )
    if not ids:
        return 0, []
    manager_list = managers()
    messages: list[OutboxMessage] = []
    for incident in Incident.objects.filter(pk__in=ids).select_related("commander"):
        deadline = incident.next_update_due
        if deadline is None or incident.is_resolved:
            Incident.objects.filter(pk=incident.pk).update(reminder_stage="")
            continue
        commander = incident.commander if incident.commander.is_active else None
        # A due-soon reminder not fired by the deadline gives way to the breach, as for tickets.
        if incident.reminder_stage == DUE_SOON and now < deadline:
            stage, recipients = DUE_SOON, [commander] if commander else manager_list
            next_stage, next_at = BREACHED, deadline
        else:
            stage, recipients = BREACHED, ([commander] if commander else []) + manager_list
            next_stage, next_at = "", None
        Incident.objects.filter(pk=incident.pk).update(
            reminder_stage=next_stage, reminder_due_at=next_at
        )
        unique = list({person.pk: person for person in recipients}.values())
        messages += build_messages(
            kind=KIND[stage],
            ticket=None,
            recipients=unique,
            channels=STAFF_CHANNELS,
            key=f"incident:{incident.pk}:{stage}:{deadline.isoformat()}",
            now=now,
            data={
                "incident": incident.pk,
                "due_at": deadline.isoformat(),
                "link": incident_path(incident.pk),
                "label": incident.reference,
            },
        )
    return len(ids), messages


# --- wording -------------------------------------------------------------------------------------


def _context(message: OutboxMessage, now: datetime) -> dict:
    incident = Incident.objects.select_related("commander").get(pk=message.data["incident"])
    due_at = datetime.fromisoformat(message.data["due_at"])
    return {
        "kind": message.kind,
        "incident": incident,
        "commander": incident.commander.display_name,
        "due_text": wording.staff_time(due_at, user=message.recipient, now=now),
        "left": wording.duration(due_at - now) if due_at > now else "",
        "late": wording.duration(now - due_at) if now > due_at else "",
        "tickets": IncidentLink.objects.filter(incident=incident).count(),
        "url": settings.SITE_URL + incident_path(incident.pk),
    }


def _line(message: OutboxMessage, context: dict) -> str:
    head = f"{context['incident'].reference} ({subject_line(context['incident'].title)})"
    if message.kind == OutboxKind.INCIDENT_DUE_SOON and context["late"]:
        return (
            f"{head}: late reminder, the incident update was due by {context['due_text']} "
            f"({context['late']} ago). Post it on the incident now."
        )
    if message.kind == OutboxKind.INCIDENT_DUE_SOON:
        left = f", {context['left']} left" if context["left"] else ""
        return f"{head}: next incident update due by {context['due_text']}{left}."
    return (
        f"{head}: the incident update promised by {context['due_text']} is late. "
        f"Commander: {context['commander']}. Post it on the incident now."
    )


def notification_text(message: OutboxMessage, now: datetime) -> str:
    return _line(message, _context(message, now))


def email(message: OutboxMessage, now: datetime) -> Email:
    context = _context(message, now)
    context["summary"] = _line(message, context)
    reference = context["incident"].reference
    title = subject_line(context["incident"].title)
    if message.kind == OutboxKind.INCIDENT_DUE_SOON:
        subject = f"[{reference}] Incident update due by {context['due_text']}: {title}"
    else:
        subject = f"[{reference}] Incident update late, due {context['due_text']}: {title}"
    return Email(
        subject=subject,
        text=render_to_string("incidents/email/reminder.txt", context),
        html=render_to_string("incidents/email/reminder.html", context),
    )


def still_true(message: OutboxMessage, now: datetime) -> bool:
    """Only to staff, only while the incident is open and still owes the update this message is
    about (a new update moved the time: its own reminders speak). A due-soon reminder fired
    before the deadline goes out even late, saying so (the ticket rule)."""
    if not message.recipient.is_helpdesk_staff:
        return False
    due = message.data.get("due_at")
    incident = Incident.objects.filter(pk=message.data.get("incident")).first()
    if incident is None or incident.is_resolved or due is None:
        return False
    if incident.next_update_due is None or incident.next_update_due.isoformat() != due:
        return False
    return (
        message.kind != OutboxKind.INCIDENT_DUE_SOON
        or message.created_at < incident.next_update_due
    )


# --- linked tickets ------------------------------------------------------------------------------


def ticket_covers(alerts: list[PromiseAlert]) -> dict[int, Cover]:
    """The cover of each alert whose ticket is in an open incident (one query a batch)."""
    incidents = {
        ticket_id: (incident_id, due)
        for ticket_id, incident_id, due in IncidentLink.objects.filter(
            ticket_id__in={alert.ticket_id for alert in alerts}, incident_open=True
        ).values_list("ticket_id", "incident_id", "incident__next_update_due")
    }
    covers: dict[int, Cover] = {}
    for alert in alerts:
        if alert.ticket_id in incidents:
            incident_id, due = incidents[alert.ticket_id]
            covers[alert.pk] = Cover(
                label=f"major incident INC-{incident_id}",
                due_at=due,
                link=incident_path(incident_id),
            )
    return covers


def register() -> None:
    register_source(
        PromiseSource(name="incidents", pending=pending, due_field="reminder_due_at", fire=fire)
    )
    register_cover(ticket_covers)
    for kind in KIND.values():
        register_wording(
            kind, Wording(email=email, notification=notification_text, still_true=still_true)
        )
