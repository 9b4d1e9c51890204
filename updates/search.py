"""Keeps the ticket's denormalised search text in step with its timeline (see tickets.search).

Every timeline entry with a body (public updates, internal notes, customer replies, handover
notes) is appended to `Ticket.public_search_text` or `Ticket.internal_search_text` by its
visibility. This hangs off `post_save` rather than the services on purpose: it is a derived index,
and every way an entry is created (services, events, other apps, fixtures) must feed it.

1. One UPDATE with database expressions, so concurrent entries on a ticket never lose each other's
   text (no read-modify-write in Python) and `updated_at` is untouched (search text is not an edit
   that should trip another agent's optimistic check).
2. Only the most recent SEARCH_TEXT_MAX_LENGTH characters are kept.
"""

from django.db.models import F, Value
from django.db.models.functions import Concat, Right
from django.db.models.signals import post_save

from tickets.models import Ticket
from tickets.search import SEARCH_TEXT_MAX_LENGTH
from updates.models import TimelineEntry


def index_entry(entry: TimelineEntry) -> None:
    body = entry.body.strip()
    if not body:
        return
    column = "public_search_text" if entry.is_public else "internal_search_text"
    Ticket.objects.filter(pk=entry.ticket_id).update(
        **{column: Right(Concat(F(column), Value("\n" + body)), SEARCH_TEXT_MAX_LENGTH)}
    )


def on_entry_saved(sender, instance: TimelineEntry, created: bool, raw: bool = False, **_) -> None:
    if created and not raw:
        index_entry(instance)


def rebuild_search_text(ticket: Ticket) -> None:
    """Recompute one ticket's search text from its whole timeline (repairs, backfills)."""
    public: list[str] = []
    internal: list[str] = []
    for is_public, body in (
        TimelineEntry.objects.filter(ticket=ticket)
        .exclude(body="")
        .values_list("is_public", "body")
    ):
        (public if is_public else internal).append(body.strip())
    Ticket.objects.filter(pk=ticket.pk).update(
        public_search_text="\n".join(public)[-SEARCH_TEXT_MAX_LENGTH:],
        internal_search_text="\n".join(internal)[-SEARCH_TEXT_MAX_LENGTH:],
    )


def connect() -> None:
    post_save.connect(on_entry_saved, sender=TimelineEntry, dispatch_uid="updates.search_index")
