"""Issue 15: drop the updates indexes that serve no query, or whose queries another index serves
as well (docs/indexes.md has each verdict and what serves its queries now), and name a few
models in the admin as English does.

The promise tally's covering index folds into its unique constraint (the upsert's conflict
target), which now carries `due` and `kept` so the trends still read the index alone. SQLite has
no INCLUDE, and Django would create no constraint at all there, so SQLite keeps the plain unique
constraint: the upsert needs it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PLAIN_TALLY_KEY = models.UniqueConstraint(
    fields=('hour', 'priority'), name='promise_tally_hour_priority'
)
COVERING_TALLY_KEY = models.UniqueConstraint(
    fields=('hour', 'priority'), include=('due', 'kept'), name='promise_tally_hour_priority'
)


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


def _swap_tally_key(schema_editor, tally, old, new):
    if not schema_editor.connection.features.supports_covering_indexes:
        return
    schema_editor.remove_constraint(tally, old)
    schema_editor.add_constraint(tally, new)


def cover_tally_key(apps, schema_editor):
    tally = apps.get_model('updates', 'PromiseTally')
    _swap_tally_key(schema_editor, tally, PLAIN_TALLY_KEY, COVERING_TALLY_KEY)


def uncover_tally_key(apps, schema_editor):
    tally = apps.get_model('updates', 'PromiseTally')
    _swap_tally_key(schema_editor, tally, COVERING_TALLY_KEY, PLAIN_TALLY_KEY)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0011_prune_overlapping_indexes'),
        ('updates', '0001_squashed_0012'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Served by nothing: no code reads a ticket's promises in order, or promises by outcome.
        migrations.RemoveIndex(
            model_name='promise',
            name='promise_ticket_time',
        ),
        migrations.RemoveIndex(
            model_name='promise',
            name='promise_outcome_due',
        ),
        # A contact's timeline reads timeline_ticket_time and skips the internal entries.
        migrations.RemoveIndex(
            model_name='timelineentry',
            name='timeline_ticket_public',
        ),
        # Foreign keys whose own index another index leading with the same column covers.
        without_own_index(
            'timelineentry',
            'ticket',
            models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='timeline', to='tickets.ticket'),
            'updates_timelineentry',
            'ticket_id',
            'updates_timelineentry_ticket_id_18d0f765',
        ),
        without_own_index(
            'promisealert',
            'promise',
            models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='updates.promise'),
            'updates_promisealert',
            'promise_id',
            'updates_promisealert_promise_id_b7145bfa',
        ),
        without_own_index(
            'notification',
            'recipient',
            models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL),
            'updates_notification',
            'recipient_id',
            'updates_notification_recipient_id_8e37f5bf',
        ),
        without_own_index(
            'notification',
            'alert',
            models.ForeignKey(blank=True, db_index=False, help_text='The promise alert this notification delivers (at most one per recipient).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='updates.promisealert'),
            'updates_notification',
            'alert_id',
            'updates_notification_alert_id_b0d3a494',
        ),
        # The tally's covering index folds into its unique constraint.
        migrations.RemoveIndex(
            model_name='promisetally',
            name='promise_tally_covering',
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name='promisetally',
                    name='promise_tally_hour_priority',
                ),
                migrations.AddConstraint(model_name='promisetally', constraint=COVERING_TALLY_KEY),
            ],
            database_operations=[migrations.RunPython(cover_tally_key, uncover_tally_key)],
        ),
        # Admin names.
        migrations.AlterModelOptions(
            name='feedback',
            options={'verbose_name_plural': 'feedback'},
        ),
        migrations.AlterModelOptions(
            name='loss',
            options={'ordering': ['-created_at'], 'verbose_name_plural': 'losses'},
        ),
        migrations.AlterModelOptions(
            name='promisetally',
            options={'verbose_name_plural': 'promise tallies'},
        ),
    ]
