"""The queue's bulk "link to a major incident" (tickets.bulk runs it).

incidents.services.link_ticket for many tickets in a fixed number of statements: the links, the
internal note on each timeline, and the incident's latest update queued for each ticket through
the fan-out (incidents.fanout: posted after commit, once per ticket, with its own guarantees).
"""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Right

from accounts.models import User
from incidents import fanout
from incidents.models import Incident, IncidentDelivery, IncidentEntryKind, IncidentLink
from tickets import bulk
from tickets.models import DONE_STATUSES, Ticket
from tickets.search import SEARCH_TEXT_MAX_LENGTH
from updates.models import EntryKind, TimelineEntry


def _prepare(params: dict[str, Any], by: User) -> Incident:
    value = params.get("incident")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise ValidationError({"incident": "Choose the major incident by its id."})
    incident = Incident.objects.select_for_update(of=("self",)).filter(pk=value).first()
    if incident is None:
        raise ValidationError({"incident": f"There is no incident INC-{value}."})
    if incident.is_resolved:
        raise ValidationError(
            {"incident": f"{incident.reference} is resolved; it takes no more tickets."}
        )
    return incident


def _problems(rows: list[Ticket], incident: Incident, by: User, locked) -> list[int]:
    elsewhere = set(
        IncidentLink.objects.filter(ticket__in=rows, incident_open=True)
        .exclude(incident=incident)
        .values_list("ticket_id", flat=True)
    )
    return [t.pk for t in rows if t.status in DONE_STATUSES or t.pk in elsewhere]


def _apply(rows: list[Ticket], incident: Incident, by: User, now: datetime, locked) -> None:
    already = set(
        IncidentLink.objects.filter(ticket__in=rows, incident=incident).values_list(
            "ticket_id", flat=True
        )
    )
    new = [t for t in rows if t.pk not in already]
    if not new:
        return
    IncidentLink.objects.bulk_create(
        [IncidentLink(incident=incident, ticket=t, linked_by=by, linked_at=now) for t in new]
    )
    note = f"Linked to major incident {incident.reference}: {incident.title}"
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                ticket=t,
                kind=EntryKind.INTERNAL_NOTE,
                is_public=False,
                author=by,
                body=note,
                created_at=now,
            )
            for t in new
        ]
    )
    ids = [t.pk for t in new]
    Ticket.objects.filter(pk__in=ids).update(
        internal_search_text=Right(
            Concat(F("internal_search_text"), Value("\n" + note)), SEARCH_TEXT_MAX_LENGTH
        )
    )
    latest = (
        incident.entries.filter(kind=IncidentEntryKind.UPDATE).order_by("-created_at", "-pk")
    ).first()
    if latest is not None:
        IncidentDelivery.objects.bulk_create(
            [IncidentDelivery(entry=latest, ticket_id=pk) for pk in ids], ignore_conflicts=True
        )
        transaction.on_commit(lambda: fanout.enqueue(latest.pk))


def register() -> None:
    bulk.register(
        bulk.BulkAction(
            name="link_incident",
            label="Link to major incident…",
            field="incident",
            prepare=_prepare,
            problems=_problems,
            apply=_apply,
            failure="These tickets are resolved or closed, or linked to another open incident",
        )
    )
