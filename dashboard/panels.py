"""The losses panel of the staff ticket page (registered in DashboardConfig.ready, see
tickets.panels for how panels work)."""

from typing import Any

from django.http import HttpRequest

from dashboard.selectors import losses_for_ticket
from tickets.models import Ticket


def losses_panel_context(request: HttpRequest, ticket: Ticket, bound: dict[str, Any]) -> dict:
    """The ticket's losses (dissatisfaction events) and, for managers, a link to record one.
    One query whatever the ticket's history."""
    return {
        "losses": list(losses_for_ticket(ticket)),
        "can_record_loss": request.user.is_manager,
    }
