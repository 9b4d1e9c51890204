"""The ticket page's "Major incident" panel (registered in IncidentsConfig.ready; see
tickets.panels): the incident the ticket is in, or a small form to link it to an open one."""

from typing import Any

from django.http import HttpRequest

from incidents import selectors
from incidents.forms import TicketPanelLinkForm
from tickets.models import Ticket


def incident_panel_context(request: HttpRequest, ticket: Ticket, bound: dict) -> dict[str, Any]:
    current = selectors.open_incident_for_ticket(ticket)
    context: dict[str, Any] = {"current_incident": current}
    if current is None and ticket.is_open:
        context["incident_link_form"] = bound.get("incident_link") or TicketPanelLinkForm(
            prefix="incident_link"
        )
    return context
