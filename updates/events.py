"""System events on the timeline, and how each reads to staff and to the customer."""

from datetime import datetime

from django.utils import timezone as django_timezone

from tickets.display import local_time
from tickets.models import Status, Ticket, customer_status_label
from updates.models import EntryKind, TimelineEntry


def record_event(
    ticket: Ticket,
    event: str,
    *,
    at: datetime,
    by=None,
    public: bool = False,
    body: str = "",
    **data,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        ticket=ticket,
        kind=EntryKind.EVENT,
        is_public=public,
        author=by,
        event=event,
        body=body,
        data=data,
        created_at=at,
    )


def _moment(value: str | None, tz) -> str:
    if not value:
        return "none"
    moment = local_time(datetime.fromisoformat(value), tz)
    return moment.strftime("%a %d %b %Y, %H:%M %Z")


def describe(entry: TimelineEntry, *, for_customer: bool, tz=None) -> str:
    """One sentence saying what an event means; customers get their own wording, never staff data."""
    tz = tz or django_timezone.get_current_timezone()
    data = entry.data or {}
    match entry.event:
        case "opened":
            return "We received your request." if for_customer else "Ticket opened."
        case "status_changed":
            if for_customer:
                return f"Status is now: {customer_status_label(data.get('new', ''))}."
            old, new = Status(data["old"]).label, Status(data["new"]).label
            return f"Status changed from {old} to {new}."
        case "owner_changed":
            if data.get("old_name"):
                return f"Handed over from {data['old_name']} to {data['new_name']}."
            return f"{data.get('new_name', 'Someone')} took ownership."
        case "priority_changed":
            return f"Priority P{data['old']} → P{data['new']}: {data.get('reason', '')}".strip()
        case "eta_changed":
            return f"Estimated resolution time: {_moment(data.get('new'), tz)}."
        case "needed_by_changed":
            return f"Needed by: {_moment(data.get('new'), tz)}."
        case "problem_restated":
            if for_customer:
                return "We wrote down our understanding of your problem; please check it."
            return "Problem restated; the customer's confirmation was cleared."
        case "understanding_confirmed":
            if for_customer:
                return "You confirmed our understanding of the problem."
            return "The customer confirmed our understanding of the problem."
        case "collaborator_added":
            return f"{data.get('user_name', 'Someone')} joined as a collaborator."
        case "collaborator_removed":
            return f"{data.get('user_name', 'Someone')} is no longer a collaborator."
        case "merged_into":
            return f"Merged into {data.get('reference', 'another ticket')}; it continues there."
        case "merged_from":
            return f"{data.get('reference', 'Another ticket')} was merged into this one."
        case "split_to":
            return f"Messages split off into {data.get('reference', 'a new ticket')}."
        case "split_from":
            return f"Split off from {data.get('reference', 'another ticket')}."
        case "follow_up_opened":
            # Internal: the customer emailed this ticket after it was done (inbound.services).
            return f"Follow-up opened as {data.get('reference', 'a new ticket')}."
        case "follow_up_of":
            done = Status(data["status"]).label.lower() if data.get("status") else "done"
            return f"Follow-up to {data.get('reference', 'an earlier ticket')}, which was {done}."
        case _:
            return entry.body or entry.event.replace("_", " ").capitalize()
