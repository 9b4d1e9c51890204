"""The timeline and composer panel of the staff ticket page (registered in UpdatesConfig.ready,
see tickets.panels for how panels work)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from tickets.models import Ticket
from updates.dashboard import losses_for_ticket
from updates.events import describe
from updates.forms import InternalNoteForm, PublicUpdateForm, customer_timezone
from updates.models import EntryKind, TimelineEntry

ENTRY_STYLE = {
    # kind: (css class, label, icon): colour, words and a symbol, so no one relies on colour alone.
    # The symbols are in DejaVu/Liberation, so they render without an emoji font.
    EntryKind.PUBLIC_UPDATE: ("entry-public", "Public update · sent to the customer", "✉"),
    EntryKind.INTERNAL_NOTE: ("entry-internal", "Internal note · staff only", "✎"),
    EntryKind.CUSTOMER_REPLY: ("entry-customer", "Customer reply", "↩"),
    EntryKind.EVENT: ("entry-event", "System event", "⚙"),
}


# The ticket page shows the newest entries; a long-running ticket's whole history (hundreds of
# entries) is one click away, so the page costs the same however old the ticket is.
TIMELINE_PAGE_SIZE = 50


def timeline(ticket: Ticket, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Newest first, authors joined in the same query; at most `limit` entries when given."""
    entries = (
        TimelineEntry.objects.filter(ticket=ticket)
        .select_related("author")
        .order_by("-created_at", "-id")
    )
    if limit is not None:
        entries = entries[:limit]
    rows = []
    for entry in entries:
        css, label, icon = ENTRY_STYLE.get(entry.kind, ENTRY_STYLE[EntryKind.EVENT])
        if entry.kind == EntryKind.EVENT and entry.is_public:
            label = "System event · customer sees it"
        rows.append(
            {
                "entry": entry,
                "css": css,
                "label": label,
                "icon": icon,
                "text": describe(entry, for_customer=False)
                if entry.kind == EntryKind.EVENT
                else entry.body,
                "extra": entry.body
                if entry.kind == EntryKind.EVENT and entry.event == "owner_changed"
                else "",
            }
        )
    return rows


def timeline_panel_context(
    request: HttpRequest, ticket: Ticket, bound: dict[str, Any]
) -> dict[str, Any]:
    now = timezone.now()
    public_form = bound.get("public_update") or PublicUpdateForm(ticket=ticket, now=now)
    show_all = request.GET.get("timeline") == "all"
    rows = timeline(ticket, limit=None if show_all else TIMELINE_PAGE_SIZE + 1)
    return {
        "timeline": rows[:TIMELINE_PAGE_SIZE] if not show_all else rows,
        "timeline_truncated": not show_all and len(rows) > TIMELINE_PAGE_SIZE,
        "public_form": public_form,
        "note_form": bound.get("internal_note") or InternalNoteForm(),
        "preview": bound.get("preview"),
        "active_tab": bound.get("tab", "public"),
        "promise_options": public_form.options,
        "customer_timezone": customer_timezone(ticket).key,
    }


def losses_panel_context(request: HttpRequest, ticket: Ticket, bound: dict[str, Any]) -> dict:
    """The ticket's losses (dissatisfaction events) and, for managers, a link to record one.
    One query whatever the ticket's history."""
    return {
        "losses": list(losses_for_ticket(ticket)),
        "can_record_loss": request.user.is_manager,
    }
