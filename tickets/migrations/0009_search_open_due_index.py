"""Issue 9, the queue's search: one full-text index of the open tickets that also holds
`next_update_due` (PostgreSQL's btree_gin), so a search in the queue's default order reads only
the matches inside its first window instead of every match (tickets.queue._search_rows,
docs/queue-indexes.md). It replaces `scale_ticket_fulltext_open` (the same expression and rows
without the due time): a search that cannot be bounded uses this index's words alone, so one
index serves both, and every timeline entry re-indexes one GIN instead of two."""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

OPEN_STATUSES = ["in_progress", "new", "open", "waiting_on_customer", "waiting_on_vendor"]
INDEX_NAME = "ticket_search_open_due"


def _vector():
    from django.contrib.postgres.search import SearchVector

    # Frozen copy of tickets.search.staff_search_vector(), like migrations 0004's and 0006's.
    return SearchVector(
        "subject",
        "description",
        "problem_statement",
        "public_search_text",
        "internal_search_text",
        config="english",
    )


def _index(name: str, *, with_due: bool):
    from django.contrib.postgres.indexes import GinIndex
    from django.db.models import F, Q

    expressions = [_vector(), F("next_update_due")] if with_due else [_vector()]
    return GinIndex(*expressions, name=name, condition=Q(status__in=OPEN_STATUSES))


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    ticket = apps.get_model("tickets", "Ticket")
    schema_editor.add_index(ticket, _index(INDEX_NAME, with_due=True))
    schema_editor.execute('DROP INDEX IF EXISTS "scale_ticket_fulltext_open"')


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    ticket = apps.get_model("tickets", "Ticket")
    schema_editor.add_index(ticket, _index("scale_ticket_fulltext_open", with_due=False))
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX_NAME}"')


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_merge_scale_indexes"),
    ]

    operations = [
        # Trusted since PostgreSQL 13: the database owner may create it. A no-op on SQLite.
        BtreeGinExtension(),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
