"""Reads for major incidents (staff only: nothing here is customer-facing except
`banner_summaries`, which returns the customer-facing summaries and nothing else)."""

from django.db.models import Count, Q, QuerySet

from incidents.models import (
    DeliveryState,
    Incident,
    IncidentDelivery,
    IncidentEntry,
    IncidentLink,
    IncidentStatus,
)
from tickets.models import DONE_STATUSES, Ticket


def linked_open_tickets(incident: Incident) -> QuerySet[Ticket]:
    return Ticket.objects.filter(incident_links__incident=incident).exclude(
        status__in=sorted(DONE_STATUSES)
    )


def incident_list() -> QuerySet[Incident]:
    """Open incidents first (newest first), then resolved ones; with the affected ticket and
    customer counts."""
    return (
        Incident.objects.select_related("commander")
        .annotate(
            ticket_count=Count("links", distinct=True),
            customer_count=Count("links__ticket__organization", distinct=True),
            is_open=~Q(status=IncidentStatus.RESOLVED),
        )
        .order_by("-is_open", "next_update_due", "-created_at", "-pk")
    )


def open_incidents() -> QuerySet[Incident]:
    return incident_list().exclude(status=IncidentStatus.RESOLVED)


def linked_tickets(incident: Incident) -> QuerySet[Ticket]:
    """The linked tickets with what the page shows of each: its promise state and customer."""
    return (
        Ticket.objects.filter(incident_links__incident=incident)
        .select_related("organization", "owner", "requester")
        .order_by("next_update_due", "pk")
    )


def ticket_ids(incident: Incident) -> list[int]:
    return list(
        IncidentLink.objects.filter(incident=incident)
        .order_by("ticket_id")
        .values_list("ticket_id", flat=True)
    )


def timeline(incident: Incident) -> list[IncidentEntry]:
    """Entries oldest first, each with `progress`: its deliveries counted by state."""
    entries = list(incident.entries.select_related("author"))
    counts = (
        IncidentDelivery.objects.filter(entry__incident=incident)
        .values("entry_id", "state")
        .annotate(n=Count("pk"))
    )
    by_entry: dict[int, dict[str, int]] = {}
    for row in counts:
        by_entry.setdefault(row["entry_id"], {})[row["state"]] = row["n"]
    for entry in entries:
        states = by_entry.get(entry.pk, {})
        entry.progress = {
            "total": sum(states.values()),
            "posted": states.get(DeliveryState.POSTED, 0),
            "skipped": states.get(DeliveryState.SKIPPED, 0),
            "pending": states.get(DeliveryState.PENDING, 0),
        }
    return entries


def fan_out_pending(incident: Incident) -> int:
    return IncidentDelivery.objects.filter(
        entry__incident=incident, state=DeliveryState.PENDING
    ).count()


def open_incident_for_ticket(ticket: Ticket) -> Incident | None:
    link = (
        IncidentLink.objects.filter(ticket=ticket, incident_open=True)
        .select_related("incident")
        .first()
    )
    return link.incident if link else None


def banner_summaries(tickets: QuerySet[Ticket]) -> list[str]:
    """The customer-facing summaries of open incidents touching these tickets (the caller's own):
    the summary text only, never a title, a count or another customer."""
    return list(
        Incident.objects.filter(
            links__ticket__in=tickets.exclude(status__in=sorted(DONE_STATUSES)),
        )
        .exclude(status=IncidentStatus.RESOLVED)
        .exclude(summary="")
        .order_by("created_at")
        .values_list("summary", flat=True)
        .distinct()
    )
