"""Helpers for the staff workspace tests (queue, ticket page, composer, notifications)."""

from django.test import Client

from accounts.models import User
from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Ticket


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def htmx(**headers) -> dict[str, str]:
    """Request headers of an htmx request (django-htmx reads them)."""
    result = {"HTTP_HX_REQUEST": "true"}
    result.update({f"HTTP_HX_{name.upper()}": value for name, value in headers.items()})
    return result


TRIAGED_UNDERSTANDING = "The printer jams on every page."


def owned_ticket(owner: User, **fields) -> Ticket:
    """An open ticket owned by `owner`: triaged, with our understanding written (set directly, so
    the timeline holds only the opening, the owner and the status change)."""
    ticket = TicketFactory(**fields)
    Ticket.objects.filter(pk=ticket.pk).update(problem_statement=TRIAGED_UNDERSTANDING)
    ticket.refresh_from_db()
    return ticket_services.take_ownership(ticket, by=owner)


def version(ticket: Ticket) -> str:
    """The optimistic-concurrency token a freshly drawn form would carry."""
    ticket.refresh_from_db()
    return ticket.updated_at.isoformat()
