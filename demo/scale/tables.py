"""The tables a ticket's history is loaded into, and the columns each generator fills, in order
(every other column gets its model default)."""

from demo.scale.copy_tables import Table
from tickets.models import Ticket
from updates.models import Feedback, Loss, Notification, Promise, PromiseAlert, TimelineEntry
from vendors.models import EscalationNote, VendorEscalation

HISTORY_COLUMNS = {
    "tickets": (
        Ticket,
        """id organization_id requester_id created_by_id subject description status impact
        urgency priority priority_override priority_override_reason owner_id next_update_due eta
        problem_statement understanding_confirmed_at resolved_at closed_at created_at updated_at
        public_search_text internal_search_text people_affected preferred_contact""",
    ),
    "collaborators": (Ticket.collaborators.through, "ticket_id user_id"),
    "timeline entries": (
        TimelineEntry,
        "id ticket_id kind is_public author_id body event data next_update_due created_at",
    ),
    "promises": (
        Promise,
        """id ticket_id made_at due_at is_first_response priority outcome closed_at kept_by_id
        made_by_id owner_id organization_id""",
    ),
    "alerts": (
        PromiseAlert,
        "id promise_id ticket_id stage due_at status created_at settled_at",
    ),
    "notifications": (
        Notification,
        "recipient_id kind ticket_id message created_at read_at alert_id",
    ),
    "feedback": (
        Feedback,
        "id ticket_id author_id kept_informed resolved comment created_at",
    ),
    "losses": (
        Loss,
        """ticket_id organization_id category description lessons feedback_id recorded_by_id
        created_at""",
    ),
    "vendor escalations": (
        VendorEscalation,
        """id ticket_id vendor_id vendor_reference summary status opened_at opened_by_id
        acknowledged_at resolved_at acknowledge_by next_chase_at last_chase_due_at rca_requested
        rca_received updated_at""",
    ),
    "escalation notes": (EscalationNote, "escalation_id author_id body pushback created_at"),
}


def history_tables() -> dict[str, Table]:
    return {
        name: Table(model, columns.split()) for name, (model, columns) in HISTORY_COLUMNS.items()
    }


def history_table_names() -> list[str]:
    """The tables whose indexes and foreign keys are dropped while loading."""
    return [model._meta.db_table for model, _ in HISTORY_COLUMNS.values()]
