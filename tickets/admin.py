from django.contrib import admin

from accounts.admin import OrganisationFilter, OrganisationSpelling, organisation
from tickets.models import Ticket


@admin.register(Ticket)
class TicketAdmin(OrganisationSpelling, admin.ModelAdmin):
    """Rule-bound fields (status, owner, priority, the promise) change only through the services,
    so they are read-only here; the staff workspace and the API are where tickets are worked."""

    list_display = [
        "reference",
        "subject",
        organisation,
        "status",
        "priority",
        "owner",
        "next_update_due",
        "created_at",
    ]
    list_filter = ["status", "priority", ("organization", OrganisationFilter)]
    search_fields = ["subject"]
    list_select_related = ["organization", "owner"]
    raw_id_fields = ["requester", "owner", "created_by"]
    readonly_fields = [
        "status",
        "impact",
        "urgency",
        "priority",
        "priority_override",
        "priority_override_reason",
        "owner",
        "next_update_due",
        "understanding_confirmed_at",
        "resolved_at",
        "closed_at",
        "created_at",
        "updated_at",
    ]
    show_full_result_count = False

    @admin.display(description="Reference", ordering="pk")
    def reference(self, ticket: Ticket) -> str:
        return ticket.reference
