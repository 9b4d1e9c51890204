from django.db import migrations

# Mirrors tickets.search.SEARCH_TEXT_MAX_LENGTH at the time of writing.
SEARCH_TEXT_MAX_LENGTH = 200_000


def backfill(apps, schema_editor):
    """Fill Ticket.public_search_text / internal_search_text from timelines written before the
    columns existed; from now on updates.search keeps them current."""
    Ticket = apps.get_model("tickets", "Ticket")
    TimelineEntry = apps.get_model("updates", "TimelineEntry")
    texts: dict[int, tuple[list[str], list[str]]] = {}
    entries = (
        TimelineEntry.objects.exclude(body="")
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "is_public", "body")
    )
    for ticket_id, is_public, body in entries.iterator(chunk_size=2000):
        public, internal = texts.setdefault(ticket_id, ([], []))
        (public if is_public else internal).append(body.strip())
    for ticket_id, (public, internal) in texts.items():
        Ticket.objects.filter(pk=ticket_id).update(
            public_search_text="\n".join(public)[-SEARCH_TEXT_MAX_LENGTH:],
            internal_search_text="\n".join(internal)[-SEARCH_TEXT_MAX_LENGTH:],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_workspace_collaborators_and_search"),
        ("updates", "0003_promise_keeper"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
