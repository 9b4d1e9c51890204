"""The ticket page's "Time" panel (registered in BillingConfig.ready; see tickets.panels): the
ticket's time entries, their total, and a form to log time, drawn when opened (tickets.panels
rule 5: most views never log time, and its work-type select was a query and a select per view).
A fixed number of queries."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from billing import selectors
from billing.forms import TimeEntryForm
from billing.models import TimeEntry, month_of
from tickets.models import Status, Ticket
from tickets.panels import form_requested
from tickets.rendering import fast


@dataclass(frozen=True)
class EntryRow:
    entry: TimeEntry
    can_edit: bool
    locked: bool


def _time_form(request: HttpRequest, ticket: Ticket, bound: dict) -> dict[str, Any]:
    """The form, drawn open when a POST sent it back or the page asked for it; drawn closed on a
    closed ticket (rarely viewed, and its page offers no loaders); otherwise a loader."""
    form = bound.get("time_entry")
    is_open = form is not None or form_requested(request, "time")
    if form is None and (is_open or ticket.status == Status.CLOSED):
        form = TimeEntryForm()
    return {"time_form": fast(form) if form is not None else None, "time_form_open": is_open}


def time_panel_context(request: HttpRequest, ticket: Ticket, bound: dict) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    entries = selectors.entries_for_ticket(ticket)
    # The closed months matter only to entries: most tickets have none, and skip the query.
    closed = selectors.closed_months() if entries else set()
    rows = []
    for entry in entries:
        in_closed_month = month_of(entry.started_at, ticket.organization.timezone) in closed
        locked = in_closed_month or entry.is_locked(now)
        own_and_open = entry.agent_id == user.pk and not entry.is_locked(now)
        rows.append(
            EntryRow(
                entry=entry,
                can_edit=not in_closed_month and (own_and_open or user.is_manager),
                locked=locked,
            )
        )
    return {
        "time_rows": rows,
        "time_total": sum(row.entry.minutes for row in rows),
        **_time_form(request, ticket, bound),
    }
