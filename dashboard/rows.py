"""The rows of the dashboard's Now panels, as HTML built in Python.

The panels show up to 250 tickets, refreshed every 30 seconds; through the template engine those
rows cost most of the page's CPU time (about 25 nodes a row, a few microseconds each). Built here
with format_html (every value escaped), they cost a few milliseconds. The markup is the one the
panels always had (templates/dashboard/overview.html keeps the headings and the empty states).
"""

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tickets.display import elapsed_text
from tickets.models import Ticket
from tickets.templatetags.ticket_tags import countdown
from tickets.web import pk_url

VISIBLE_ROWS = {"breached": 15}
DEFAULT_VISIBLE_ROWS = 8


def _owner(ticket: Ticket, *, unowned: str = "") -> str:
    return ticket.owner.display_name if ticket.owner_id else unowned


def _url(name: str, pk: int) -> str:
    return pk_url(name)(pk)


def _link(ticket: Ticket) -> SafeString:
    return format_html(
        '<a href="{}"><span class="ref">{}</span> {}</a>',
        _url("ticket", ticket.pk),
        ticket.reference,
        ticket.subject,
    )


def _priority(ticket: Ticket) -> SafeString:
    return format_html('<span class="prio p{}">P{}</span>', ticket.priority, ticket.priority)


def _reassign(ticket: Ticket) -> SafeString:
    url = _url("dashboard-reassign", ticket.pk)
    return format_html(
        '<details class="reassign" hx-get="{}" hx-trigger="toggle once" '
        'hx-target="find .reassign-body" hx-swap="innerHTML">\n'
        '  <summary>{}<span class="visually-hidden"> {}</span></summary>\n'
        '  <div class="reassign-body"><a href="{}">Choose the new owner</a></div>\n'
        "</details>",
        url,
        "Reassign" if ticket.owner_id else "Assign",
        ticket.reference,
        url,
    )


def _cells(panel: str, ticket: Ticket, now: datetime) -> SafeString:
    if panel == "breached":
        return format_html(
            '<td class="late">{}</td>\n<td>{}</td>\n<td>{}</td><td>{}</td>\n<td>{}</td>\n'
            "<td>{}</td>",
            countdown(ticket.next_update_due, now),
            _link(ticket),
            ticket.organization.name,
            _owner(ticket, unowned="unowned"),
            _priority(ticket),
            _reassign(ticket),
        )
    if panel == "due_soon":
        return format_html(
            '<td class="countdown">{}</td>\n<td>{}<br><span class="muted">{} · {}</span></td>\n'
            "<td>{}</td><td>{}</td>",
            countdown(ticket.next_update_due, now),
            _link(ticket),
            ticket.organization.name,
            _priority(ticket),
            _owner(ticket, unowned="unowned"),
            _reassign(ticket),
        )
    if panel == "unowned":
        return format_html(
            '<td>{}</td>\n<td>{}<br><span class="muted">{} · {}</span></td>\n<td>{}</td>',
            elapsed_text(ticket.created_at, now),
            _link(ticket),
            ticket.organization.name,
            _priority(ticket),
            _reassign(ticket),
        )
    if panel == "unconfirmed":
        return format_html(
            '<td>{}</td>\n<td>{}<br><span class="muted">{}</span></td>\n<td>{}</td>',
            elapsed_text(ticket.created_at, now),
            _link(ticket),
            ticket.organization.name,
            _owner(ticket),
        )
    # vendor_waits
    if ticket.waiting_since:
        waited = format_html(
            '<span title="since {}">{}</span>',
            date_format(timezone.localtime(ticket.waiting_since), "D j M H:i"),
            elapsed_text(ticket.waiting_since, now),
        )
    else:
        waited = "unknown"
    return format_html(
        '<td>{}</td>\n<td>{}<br><span class="muted">{}</span></td>\n<td>{}</td>',
        waited,
        _link(ticket),
        ticket.organization.name,
        _owner(ticket),
    )


def panel_rows(panel: str, tickets: Iterable[Ticket], now: datetime) -> SafeString:
    """The <tr>s of one Now panel; rows past the visible ones carry class "more" (behind
    "Show all")."""
    visible = VISIBLE_ROWS.get(panel, DEFAULT_VISIBLE_ROWS)

    def rows():
        for index, ticket in enumerate(tickets, start=1):
            more = mark_safe(' class="more"') if index > visible else ""
            yield ticket.reference, more, _cells(panel, ticket, now)

    return format_html_join("", '<tr data-ticket="{}"{}>\n{}</tr>', rows())
