"""Merging (updates.merging): `merged_into`, with a partial index of the few merged tickets.

And the staff search over every ticket now also holds `created_at` (btree_gin), so a search in
"Everything", newest first (where a queue search now looks unless narrowed), is bounded by the
queue's window like the open views' search (tickets.queue._search_rows; docs/indexes.md). The
index keeps its name, `ticket_fulltext`: a search by words alone still uses it, one GIN over
every ticket as before."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _search_vector():
    from django.contrib.postgres.search import SearchVector

    # Frozen copy of tickets.search.staff_search_vector() (tests/tickets/test_queue_indexes.py).
    return SearchVector(
        "subject",
        "description",
        "problem_statement",
        "public_search_text",
        "internal_search_text",
        config="english",
    )


def _fulltext(apps, schema_editor, *also):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex

    ticket = apps.get_model("tickets", "Ticket")
    schema_editor.execute('DROP INDEX IF EXISTS "ticket_fulltext"')
    schema_editor.add_index(ticket, GinIndex(_search_vector(), *also, name="ticket_fulltext"))


def fulltext_with_created_at(apps, schema_editor):
    from django.db.models import F

    _fulltext(apps, schema_editor, F("created_at"))


def fulltext_words_only(apps, schema_editor):
    _fulltext(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_user_triage_duty_and_email_preferences'),
        ('tickets', '0011_prune_overlapping_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_index=False, help_text='The ticket this one was merged into; null unless merged.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_tickets', to='tickets.ticket'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['merged_into'], name='ticket_merged_into'),
        ),
        migrations.RunPython(fulltext_with_created_at, fulltext_words_only, elidable=False),
    ]
