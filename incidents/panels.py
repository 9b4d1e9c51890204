"""The ticket page's "Major incident" panel (registered in IncidentsConfig.ready; see
tickets.panels): the incident the ticket is in, or a small form to link it to an open one, drawn
when opened (tickets.panels rule 5: its list of open incidents is a query most views never use)."""

from typing import Any

from django.http import HttpRequest

from incidents import selectors
from incidents.forms import TicketPanelLinkForm
from tickets.models import Ticket
from tickets.panels import form_requested
from tickets.rendering import fast


def incident_panel_context(request: HttpRequest, ticket: Ticket, bound: dict) -> dict[str, Any]:
    current = selectors.open_incident_for_ticket(ticket)
    can_link = current is None and ticket.is_open
    context: dict[str, Any] = {"current_incident": current, "can_link_incident": can_link}
    if can_link:
        form = bound.get("incident_link")
        if form is None and form_requested(request, "incident"):
            form = TicketPanelLinkForm(prefix="incident_link")
        context["incident_link_form"] = fast(form) if form is not None else None
    return context
