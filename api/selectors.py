"""What each caller may see through the API (DESIGN "Roles").

Staff see every ticket and the whole timeline. A customer contact sees their own organisation's
tickets (only those they requested, unless they are the organisation's admin contact) and only the
public part of a timeline. Anything else is filtered out here, so it answers 404.
"""

from django.db.models import QuerySet

from accounts.models import User
from tickets.models import Ticket
from updates.models import TimelineEntry


def visible_tickets(user: User) -> QuerySet[Ticket]:
    tickets = Ticket.objects.select_related("organization", "owner", "requester")
    if user.is_helpdesk_staff:
        return tickets
    if user.is_contact and user.organization_id is not None:
        tickets = tickets.filter(organization_id=user.organization_id)
        if not user.sees_organization_tickets:
            tickets = tickets.filter(requester=user)
        return tickets
    return tickets.none()


def visible_timeline(user: User, ticket: Ticket) -> QuerySet[TimelineEntry]:
    entries = TimelineEntry.objects.filter(ticket=ticket).select_related("author")
    if not user.is_helpdesk_staff:
        entries = entries.filter(is_public=True)
    return entries.order_by("created_at", "id")
