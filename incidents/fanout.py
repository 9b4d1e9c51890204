"""The fan-out: one incident update (or the resolution) onto every linked open ticket.

Each (update, ticket) pair is an IncidentDelivery row. Posting the ticket's public update (through
updates.services.post_public_update: the promise kept or breached, the next one made, the
requester's email queued) and marking the row posted happen in one transaction, so a worker that
dies mid-chunk leaves the rest pending and a re-run posts each remaining ticket exactly once.
"""

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from incidents import reminders
from incidents.models import (
    DeliveryState,
    Incident,
    IncidentDelivery,
    IncidentEntry,
    IncidentEntryKind,
    IncidentLink,
    IncidentStatus,
)
from tickets import services as ticket_services
from tickets.models import DONE_STATUSES, Status
from updates import services as update_services
from updates.keeper import outbox

logger = logging.getLogger(__name__)

# Tickets per task: each is one short transaction (about 10 ms), so a chunk takes about a second
# and two workers share a large incident evenly.
CHUNK_SIZE = 100
FAN_OUT_TASK = "incidents.fan_out"


def enqueue(entry_id: int) -> None:
    """Queue a task per chunk of the entry's pending deliveries. A broker that is down loses
    nothing: the rows stay pending, and resume_stalled() or the incident page queues them again."""
    ids = list(
        IncidentDelivery.objects.filter(entry_id=entry_id, state=DeliveryState.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK_SIZE):
        try:
            current_app.tasks[FAN_OUT_TASK].apply_async((ids[start : start + CHUNK_SIZE],))
        except Exception as error:
            logger.warning("Could not queue the fan-out of entry %s (%s)", entry_id, error)
            return


def deliver_chunk(delivery_ids: list[int]) -> int:
    """Deliver each pending delivery, then bring the incident's next update time up to date;
    returns how many were posted."""
    # The chunk's customer emails are queued together when it ends (one delivery task per 100).
    with outbox.batched_delivery():
        posted = sum(deliver_one(pk) for pk in delivery_ids)
    entry_ids = set(
        IncidentDelivery.objects.filter(pk__in=delivery_ids).values_list("entry_id", flat=True)
    )
    for entry_id in entry_ids:
        refresh_incident_due(entry_id)
    return posted


def refresh_incident_due(entry_id: int, *, now: datetime | None = None) -> None:
    """An update posted without a time sets the incident's next update time to the earliest of
    the tickets' new promises (API.md), computed here as the fan-out makes them rather than in
    the web request. Each chunk lowers it to the earliest so far; only while this entry is the
    incident's latest update and the incident is open (a later update or the resolution wins).
    """
    with transaction.atomic():
        entry = IncidentEntry.objects.filter(pk=entry_id).first()
        if entry is None or entry.kind != IncidentEntryKind.UPDATE or entry.next_update_due:
            return
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .exclude(status=IncidentStatus.RESOLVED)
            .filter(pk=entry.incident_id)
            .first()
        )
        latest = (
            IncidentEntry.objects.filter(
                incident_id=entry.incident_id, kind=IncidentEntryKind.UPDATE
            )
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        if incident is None or latest != entry.pk:
            return
        earliest = IncidentDelivery.objects.filter(
            entry_id=entry.pk, state=DeliveryState.POSTED
        ).aggregate(due=Min("timeline_entry__next_update_due"))["due"]
        if earliest is None or earliest == incident.next_update_due:
            return
        incident.next_update_due = earliest
        changed = reminders.schedule(incident, now=now or timezone.now())
        incident.save(update_fields=["next_update_due", *changed])


def deliver_one(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Post one incident entry on one ticket, once. Returns whether a public update was posted.

    A ticket that is done or was unlinked meanwhile is skipped; one the update cannot go to (its
    own rules refuse it) is skipped with the reason, so one odd ticket never stalls the rest.
    """
    with transaction.atomic():
        delivery = (
            # OF self: locking the joined entry and author rows too would make every other
            # delivery of the same update look taken to a second worker.
            IncidentDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("entry", "entry__author")
            .filter(pk=delivery_id, state=DeliveryState.PENDING)
            .first()
        )
        if delivery is None:  # already posted, or another worker has it
            return False
        now = now or timezone.now()
        entry = delivery.entry
        ticket = ticket_services.lock_ticket(delivery.ticket_id)
        linked = IncidentLink.objects.filter(
            incident_id=entry.incident_id, ticket_id=ticket.pk
        ).exists()
        note = ""
        if not linked:
            note = "Unlinked before the update reached it."
        elif ticket.status in DONE_STATUSES:
            note = f"Already {ticket.get_status_display().lower()}."
        posted = None
        if not note:
            resolves = entry.kind == IncidentEntryKind.RESOLUTION
            due = entry.next_update_due
            if resolves or not ticket.owes_update or (due is not None and due <= now):
                due = None  # paused tickets stay paused; a past time falls back to the cadence
            try:
                with transaction.atomic():
                    posted = update_services.post_public_update(
                        ticket,
                        author=entry.author,
                        body=entry.body,
                        next_update_due=due,
                        status=Status.RESOLVED if resolves else None,
                        # The guard ran once, on the incident: its confirmed findings.
                        checked_matches=entry.confirmed_vendor_mention or [],
                        now=now,
                    )
            except ValidationError as error:
                note = "; ".join(error.messages)[:300]
        delivery.state = DeliveryState.POSTED if posted else DeliveryState.SKIPPED
        delivery.timeline_entry = posted
        delivery.note = note
        delivery.settled_at = now
        delivery.save(update_fields=["state", "timeline_entry", "note", "settled_at"])
    return posted is not None


def resume_stalled(*, older_than_seconds: int | None = None) -> int:
    """Queue again the entries whose deliveries are still pending a while after they were
    written (a lost task, a restarted broker, a worker killed while holding a row). Returns how
    many entries were queued."""
    if older_than_seconds is None:
        older_than_seconds = settings.INCIDENT_FAN_OUT_RESUME_SECONDS
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    entry_ids = list(
        IncidentDelivery.objects.filter(state=DeliveryState.PENDING, entry__created_at__lt=cutoff)
        .values_list("entry_id", flat=True)
        .distinct()
    )
    for entry_id in entry_ids:
        enqueue(entry_id)
    return len(entry_ids)
