"""Issue 15: drop the tickets indexes that serve no query, or whose queries another index
serves as well (docs/indexes.md has each verdict and what serves its queries now).

ticket_promise_due goes with the promise filters now saying "open" too (TicketQuerySet), so
ticket_queue_open_due serves them; ticket_owner_due served nothing; organization_id's own index
is covered by ticket_org_recent and ticket_requester_recent, which lead with it."""

import django.db.models.deletion
from django.db import migrations, models


def without_own_index(model_name: str, name: str, field, table: str, column: str, index: str):
    """db_index=False on a foreign key, by dropping its index alone: Django's AlterField would
    also drop and re-add the foreign key, which checks every row of a large table under lock.
    The index name is the one Django gave it (the same on PostgreSQL and SQLite)."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
            )
        ],
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_organisation_verbose_name'),
        ('tickets', '0001_squashed_0010'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_promise_due',
        ),
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_owner_due',
        ),
        without_own_index(
            'ticket',
            'organization',
            models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='accounts.organization'),
            'tickets_ticket',
            'organization_id',
            'tickets_ticket_organization_id_7128da48',
        ),
    ]
