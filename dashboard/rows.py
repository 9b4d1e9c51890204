"""The rows of the dashboard's Now panels, as HTML built in Python.

The panels show up to 250 tickets, refreshed every 30 seconds; through the template engine those
rows cost most of the page's CPU time (about 25 nodes a row, a few microseconds each). Built here
with f-strings and the standard library's html.escape (what Django's escape calls; every text
value escaped, numbers and our own URLs as they are), they cost a few milliseconds. The markup is the one the
panels always had (templates/dashboard/overview.html keeps the headings and the empty states).
"""

from collections.abc import Iterable
from datetime import datetime
from html import escape

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from tickets.display import elapsed_text
from tickets.models import Ticket
from tickets.templatetags.ticket_tags import countdown
from tickets.web import pk_url

VISIBLE_ROWS = {"breached": 15}
DEFAULT_VISIBLE_ROWS = 8


class PanelRow:
    """What a Now panel row shows of a ticket: plain values read with `values_list`, since
    building 250 tickets with their owners and customers as models cost more than the rows."""

    __slots__ = (
        "created_at",
        "customer",
        "next_update_due",
        "owner_id",
        "owner_name",
        "pk",
        "priority",
        "subject",
        "waiting_since",
    )

    def __init__(
        self, pk, subject, priority, due, created_at, owner_id, name, email, customer, since
    ):
        self.pk, self.subject, self.priority = pk, subject, priority
        self.next_update_due, self.created_at = due, created_at
        self.owner_id = owner_id
        self.owner_name = User.display_name_for(name, email) if owner_id else ""
        self.customer, self.waiting_since = customer, since

    @property
    def reference(self) -> str:
        return f"SD-{self.pk}"


def panel_values(tickets: QuerySet[Ticket], limit: int) -> list[PanelRow]:
    """The first `limit` tickets of a panel's query, as PanelRows, in one query."""
    since = "waiting_since" if "waiting_since" in tickets.query.annotations else None
    columns = (
        "pk",
        "subject",
        "priority",
        "next_update_due",
        "created_at",
        "owner_id",
        "owner__name",
        "owner__email",
        "organization__name",
    )
    if since is None:
        return [PanelRow(*row, None) for row in tickets.values_list(*columns)[:limit]]
    return [PanelRow(*row) for row in tickets.values_list(*columns, since)[:limit]]


def _owner(ticket: PanelRow, *, unowned: str = "") -> str:
    return ticket.owner_name if ticket.owner_id else unowned


def _link(ticket: PanelRow, url) -> str:
    return (
        f'<a href="{url("ticket")(ticket.pk)}"><span class="ref">{ticket.reference}</span> '
        f"{escape(ticket.subject)}</a>"
    )


def _priority(ticket: PanelRow) -> str:
    return f'<span class="prio p{ticket.priority}">P{ticket.priority}</span>'


def _reassign(ticket: PanelRow, url) -> str:
    href = url("dashboard-reassign")(ticket.pk)
    return (
        f'<details class="reassign" hx-get="{href}" hx-trigger="toggle once" '
        'hx-target="find .reassign-body" hx-swap="innerHTML">\n'
        f"  <summary>{'Reassign' if ticket.owner_id else 'Assign'}"
        f'<span class="visually-hidden"> {ticket.reference}</span></summary>\n'
        f'  <div class="reassign-body"><a href="{href}">Choose the new owner</a></div>\n'
        "</details>"
    )


def _cells(panel: str, ticket: PanelRow, now: datetime, url) -> str:
    customer = escape(ticket.customer)
    if panel == "breached":
        return (
            f'<td class="late">{escape(countdown(ticket.next_update_due, now))}</td>\n'
            f"<td>{_link(ticket, url)}</td>\n<td>{customer}</td>"
            f"<td>{escape(_owner(ticket, unowned='unowned'))}</td>\n"
            f"<td>{_priority(ticket)}</td>\n<td>{_reassign(ticket, url)}</td>"
        )
    if panel == "due_soon":
        return (
            f'<td class="countdown">{escape(countdown(ticket.next_update_due, now))}</td>\n'
            f'<td>{_link(ticket, url)}<br><span class="muted">{customer} · {_priority(ticket)}'
            f"</span></td>\n<td>{escape(_owner(ticket, unowned='unowned'))}</td>"
            f"<td>{_reassign(ticket, url)}</td>"
        )
    if panel == "unowned":
        return (
            f"<td>{escape(elapsed_text(ticket.created_at, now))}</td>\n"
            f'<td>{_link(ticket, url)}<br><span class="muted">{customer} · {_priority(ticket)}'
            f"</span></td>\n<td>{_reassign(ticket, url)}</td>"
        )
    if panel == "unconfirmed":
        return (
            f"<td>{escape(elapsed_text(ticket.created_at, now))}</td>\n"
            f'<td>{_link(ticket, url)}<br><span class="muted">{customer}</span></td>\n'
            f"<td>{escape(_owner(ticket))}</td>"
        )
    # vendor_waits
    if ticket.waiting_since:
        since = date_format(timezone.localtime(ticket.waiting_since), "D j M H:i")
        waited = (
            f'<span title="since {escape(since)}">'
            f"{escape(elapsed_text(ticket.waiting_since, now))}</span>"
        )
    else:
        waited = "unknown"
    return (
        f"<td>{waited}</td>\n"
        f'<td>{_link(ticket, url)}<br><span class="muted">{customer}</span></td>\n'
        f"<td>{escape(_owner(ticket))}</td>"
    )


def panel_rows(panel: str, tickets: Iterable[PanelRow], now: datetime) -> SafeString:
    """The <tr>s of one Now panel; rows past the visible ones carry class "more" (behind
    "Show all")."""
    visible = VISIBLE_ROWS.get(panel, DEFAULT_VISIBLE_ROWS)
    urls: dict = {}

    def url(name: str):
        if name not in urls:
            urls[name] = pk_url(name)
        return urls[name]

    rows = []
    for index, ticket in enumerate(tickets, start=1):
        more = ' class="more"' if index > visible else ""
        rows.append(
            f'<tr data-ticket="{ticket.reference}"{more}>\n{_cells(panel, ticket, now, url)}</tr>'
        )
    return mark_safe("".join(rows))
