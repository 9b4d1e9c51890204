"""Reads of tickets for the staff side. Each returns a queryset with its joins decided, so a page
runs the same number of queries whatever its length."""

from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from tickets.models import Status, Ticket


def ticket_for_page(pk: int) -> Ticket:
    """One ticket with everything its staff page header reads; Http404 when there is none."""
    return get_object_or_404(
        Ticket.objects.select_related(
            "organization", "organization__support_plan", "owner", "requester"
        ).prefetch_related("collaborators", "organization__support_plan__cadence_rules"),
        pk=pk,
    )


def triage_inbox() -> QuerySet[Ticket]:
    """New tickets nobody has triaged yet, the first response due soonest first."""
    return (
        Ticket.objects.filter(status=Status.NEW)
        .select_related("organization", "requester", "owner")
        .order_by(F("next_update_due").asc(nulls_last=True), "id")
    )


def customer_visible_tickets(contact: User) -> QuerySet[Ticket]:
    """The one customer-visibility rule, shared by the portal (portal/visibility.py) and the API
    (api/selectors.py): an active customer contact sees the tickets they requested, and an
    organisation admin contact (`sees_organization_tickets`) every ticket of their own
    organisation. Anyone else (staff included: they use their own reads) sees none here."""
    if not (
        contact.is_authenticated
        and contact.is_active
        and contact.is_contact
        and contact.organization_id is not None
    ):
        return Ticket.objects.none()
    tickets = Ticket.objects.filter(organization_id=contact.organization_id)
    if not contact.sees_organization_tickets:
        # A request merged into another ticket (updates.merging) leads its requester there.
        merged_into_theirs = Ticket.objects.filter(
            requester_id=contact.pk, merged_into__isnull=False
        ).values("merged_into")
        tickets = tickets.filter(Q(requester_id=contact.pk) | Q(pk__in=merged_into_theirs))
    return tickets
