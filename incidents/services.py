"""Writes for major incidents: create, change, link, unlink, post an update or a note, resolve.

Every write locks the incident row first (then tickets, in the order tickets.services expects), so
a link and an update never race: a ticket linked while an update is being written either gets that
update in the fan-out or, linked just after, the latest update at once.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from incidents import checks, fanout, reminders, signals
from incidents.models import (
    Incident,
    IncidentDelivery,
    IncidentEntry,
    IncidentEntryKind,
    IncidentLink,
    IncidentStatus,
)
from incidents.selectors import linked_open_tickets
from tickets.models import DONE_STATUSES, Ticket
from tickets.validators import message_body, promised_update_time
from updates import services as update_services
from updates.promises import LONGEST_PROMISE_DAYS


def _staff(user: User) -> None:
    if not user.is_helpdesk_staff:
        raise ValidationError({"incident": "Only staff work on major incidents."})


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)


def _refuse_if_resolved(incident: Incident, field: str) -> None:
    if incident.is_resolved:
        raise ValidationError(
            {field: f"{incident.reference} is resolved; it takes no more changes."}
        )


def _title(value: str) -> str:
    title = " ".join((value or "").split())
    if not title:
        raise ValidationError({"title": "Give the incident a title staff will recognise."})
    if len(title) > Incident._meta.get_field("title").max_length:
        raise ValidationError({"title": "Keep the title under 200 characters."})
    return title


def create_incident(
    *,
    by: User,
    title: str,
    summary: str = "",
    commander: User | None = None,
    status: str = IncidentStatus.INVESTIGATING,
    now: datetime | None = None,
) -> Incident:
    _staff(by)
    commander = commander or by
    if not commander.is_helpdesk_staff or not commander.is_active:
        raise ValidationError({"commander": "The commander must be an active member of staff."})
    if status == IncidentStatus.RESOLVED:
        raise ValidationError({"status": "A new incident cannot start resolved."})
    incident = Incident(
        title=_title(title),
        summary=(summary or "").strip(),
        status=status,
        commander=commander,
        created_by=by,
        created_at=now or timezone.now(),
    )
    incident.full_clean(exclude=["commander", "created_by"])
    incident.save()
    return incident


def change_incident(
    incident: Incident,
    *,
    by: User,
    title: str | None = None,
    summary: str | None = None,
    commander: User | None = None,
    status: str | None = None,
) -> Incident:
    """Title, summary, commander and the non-final statuses. Resolving is resolve_incident."""
    _staff(by)
    with transaction.atomic():
        incident = _lock(incident)
        _refuse_if_resolved(incident, "status")
        if status == IncidentStatus.RESOLVED:
            raise ValidationError({"status": "Resolve the incident with its resolution text."})
        if title is not None:
            incident.title = _title(title)
        if summary is not None:
            incident.summary = summary.strip()
        if commander is not None:
            if not commander.is_helpdesk_staff or not commander.is_active:
                raise ValidationError(
                    {"commander": "The commander must be an active member of staff."}
                )
            incident.commander = commander
        if status is not None:
            incident.status = status
        incident.full_clean(exclude=["commander", "created_by"])
        incident.save()
        signals.incident_updated.send(
            sender=Incident, incident=incident, entry=None, at=timezone.now()
        )
    return incident


def link_ticket(
    incident: Incident, ticket: Ticket, *, by: User, now: datetime | None = None
) -> IncidentLink:
    """Link an open ticket. A ticket linked late gets the incident's latest update at once."""
    _staff(by)
    with transaction.atomic():
        incident = _lock(incident)
        _refuse_if_resolved(incident, "ticket")
        ticket = Ticket.objects.select_for_update(of=("self",), no_key=True).get(pk=ticket.pk)
        if ticket.status in DONE_STATUSES:
            raise ValidationError(
                {"ticket": f"{ticket.reference} is {ticket.status}; link open tickets only."}
            )
        other = IncidentLink.objects.filter(ticket=ticket, incident_open=True).first()
        if other is not None:
            where = "this" if other.incident_id == incident.pk else f"INC-{other.incident_id}"
            raise ValidationError(
                {"ticket": f"{ticket.reference} is already linked to {where} incident."}
            )
        try:
            with transaction.atomic():
                link = IncidentLink.objects.create(
                    incident=incident, ticket=ticket, linked_by=by, linked_at=now or timezone.now()
                )
        except IntegrityError as error:  # a concurrent link won the race
            raise ValidationError(
                {"ticket": f"{ticket.reference} is already linked to an open incident."}
            ) from error
        update_services.add_internal_note(
            ticket,
            author=by,
            body=f"Linked to major incident {incident.reference}: {incident.title}",
            now=now,
        )
        latest = (
            incident.entries.filter(kind=IncidentEntryKind.UPDATE).order_by("-created_at", "-pk")
        ).first()
        if latest is not None:
            delivery, _ = IncidentDelivery.objects.get_or_create(entry=latest, ticket=ticket)
            fanout.deliver_one(delivery.pk, now=now)
    return link


def unlink_ticket(incident: Incident, ticket_id: int, *, by: User) -> None:
    """The ticket leaves the incident (it stays open when the incident resolves). Raises
    IncidentLink.DoesNotExist when it is not linked."""
    _staff(by)
    with transaction.atomic():
        incident = _lock(incident)
        _refuse_if_resolved(incident, "ticket")
        link = IncidentLink.objects.select_related("ticket").get(
            incident=incident, ticket_id=ticket_id
        )
        link.delete()
        update_services.add_internal_note(
            link.ticket, author=by, body=f"Unlinked from major incident {incident.reference}."
        )


def vendor_mentions(incident: Incident, body: str) -> list[str]:
    """The guard once, on the incident (DESIGN rule 8): the checks registered in
    incidents.checks, a fixed number of queries however many tickets are linked."""
    return checks.held_back_phrases(incident, body)


def _guard(incident: Incident, body: str, confirmed: bool) -> list[str]:
    matches = vendor_mentions(incident, body)
    if matches and not confirmed:
        raise update_services.PublicUpdateHeldBack(matches)
    return matches


def _fan_out(entry: IncidentEntry) -> int:
    tickets = list(linked_open_tickets(entry.incident).order_by("pk").values_list("pk", flat=True))
    IncidentDelivery.objects.bulk_create(
        [IncidentDelivery(entry=entry, ticket_id=pk) for pk in tickets], ignore_conflicts=True
    )
    transaction.on_commit(lambda: fanout.enqueue(entry.pk))
    return len(tickets)


def post_incident_update(
    incident: Incident,
    *,
    by: User,
    body: str,
    next_update_due: datetime | None = None,
    confirm_vendor_mention: bool = False,
    now: datetime | None = None,
) -> tuple[IncidentEntry, int]:
    """Record the update and fan it out to every linked open ticket (incidents.fanout). Returns
    the entry and how many tickets it goes to."""
    _staff(by)
    now = now or timezone.now()
    with transaction.atomic():
        incident = _lock(incident)
        _refuse_if_resolved(incident, "body")
        body = message_body(body)
        due = promised_update_time(next_update_due, now=now, longest_days=LONGEST_PROMISE_DAYS)
        matches = _guard(incident, body, confirm_vendor_mention)
        entry = IncidentEntry.objects.create(
            incident=incident,
            kind=IncidentEntryKind.UPDATE,
            author=by,
            body=body,
            next_update_due=due,
            confirmed_vendor_mention=matches,
            created_at=now,
        )
        count = _fan_out(entry)
        # Without the author's time, the fan-out sets the earliest of the tickets' new promises
        # as it makes them (fanout.refresh_incident_due): no per-ticket work in this request.
        incident.next_update_due = due
        changed = reminders.schedule(incident, now=now)
        incident.save(update_fields=["next_update_due", *changed])
        signals.incident_updated.send(sender=Incident, incident=incident, entry=entry, at=now)
    return entry, count


def add_incident_note(
    incident: Incident, *, by: User, body: str, now: datetime | None = None
) -> IncidentEntry:
    _staff(by)
    return IncidentEntry.objects.create(
        incident=incident,
        kind=IncidentEntryKind.NOTE,
        author=by,
        body=message_body(body),
        created_at=now or timezone.now(),
    )


def resolve_incident(
    incident: Incident,
    *,
    by: User,
    resolution: str | None = None,
    confirm_vendor_mention: bool = False,
    now: datetime | None = None,
) -> Incident:
    """Resolve the incident and, through the fan-out, every linked open ticket with the
    resolution text (each its resolution email with the feedback link)."""
    _staff(by)
    now = now or timezone.now()
    with transaction.atomic():
        incident = _lock(incident)
        _refuse_if_resolved(incident, "status")
        has_open = linked_open_tickets(incident).exists()
        entry = None
        if has_open or (resolution or "").strip():
            body = message_body(resolution, field="resolution")
            matches = _guard(incident, body, confirm_vendor_mention)
            entry = IncidentEntry.objects.create(
                incident=incident,
                kind=IncidentEntryKind.RESOLUTION,
                author=by,
                body=body,
                confirmed_vendor_mention=matches,
                created_at=now,
            )
            _fan_out(entry)
        incident.status = IncidentStatus.RESOLVED
        incident.resolved_at = now
        incident.next_update_due = None
        changed = reminders.schedule(incident, now=now)
        incident.save(update_fields=["status", "resolved_at", "next_update_due", *changed])
        incident.links.update(incident_open=False)
        signals.incident_updated.send(sender=Incident, incident=incident, entry=entry, at=now)
    return incident
