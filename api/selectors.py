"""What each caller may see through the API (DESIGN "Roles").

Staff see every ticket and the whole timeline. A customer contact sees their own organisation's
tickets (only those they requested, unless they are the organisation's admin contact; the rule is
tickets.selectors.customer_visible_tickets, shared with the portal) and only the public part of a
timeline. Anything else is filtered out here, so it answers 404.
"""

from django.db.models import QuerySet

from accounts.models import User
from tickets.models import Ticket
from tickets.selectors import customer_visible_tickets
from updates.models import TimelineEntry


def visible_tickets(user: User) -> QuerySet[Ticket]:
    tickets = Ticket.objects.all() if user.is_helpdesk_staff else customer_visible_tickets(user)
    return tickets.select_related("organization", "owner", "requester")


def visible_timeline(user: User, ticket: Ticket) -> QuerySet[TimelineEntry]:
    # Files in one more query for the whole page, however many there are.
    entries = (
        TimelineEntry.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related("attachments")
    )
    if not user.is_helpdesk_staff:
        entries = entries.filter(is_public=True)
    return entries.order_by("created_at", "id")
