"""The ticket page's "Time" panel (registered in BillingConfig.ready; see tickets.panels): the
ticket's time entries, their total, and a form to log time. A fixed number of queries."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from billing import selectors
from billing.forms import TimeEntryForm
from billing.models import TimeEntry, month_of
from tickets.models import Ticket


@dataclass(frozen=True)
class EntryRow:
    entry: TimeEntry
    can_edit: bool
    locked: bool


def time_panel_context(request: HttpRequest, ticket: Ticket, bound: dict) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    closed = selectors.closed_months()
    rows = []
    for entry in selectors.entries_for_ticket(ticket):
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
        "time_form": bound.get("time_entry") or TimeEntryForm(),
    }
