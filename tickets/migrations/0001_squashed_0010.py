"""The tickets app's schema as migrations 0001-0010 left it, in one migration (issue 15).

`replaces` lists the migrations it stands for, whose files ship beside it until a later release: a
database that ran all of them has it marked as applied and runs nothing, one that ran some runs the
rest of those files, and a new database runs this alone. Their data backfills are gone (a new
database has no rows to fill); the PostgreSQL-only search indexes stay. docs/upgrading.md."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations, models

OPEN_STATUSES = ["in_progress", "new", "open", "waiting_on_customer", "waiting_on_vendor"]


def _search_vector():
    from django.contrib.postgres.search import SearchVector

    # Frozen copy of tickets.search.staff_search_vector(); tests/tickets/test_queue_indexes.py
    # checks the index and the query still agree.
    return SearchVector(
        "subject",
        "description",
        "problem_statement",
        "public_search_text",
        "internal_search_text",
        config="english",
    )


def create_search_indexes(apps, schema_editor):
    """PostgreSQL only (SQLite searches with icontains): staff full-text search over every ticket,
    and the queue's search of open tickets, which also holds next_update_due (btree_gin) so a
    search in the queue's order reads only the first window's matches (docs/indexes.md)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex
    from django.db.models import F, Q

    ticket = apps.get_model("tickets", "Ticket")
    schema_editor.add_index(ticket, GinIndex(_search_vector(), name="ticket_fulltext"))
    schema_editor.add_index(
        ticket,
        GinIndex(
            _search_vector(),
            F("next_update_due"),
            name="ticket_search_open_due",
            condition=Q(status__in=OPEN_STATUSES),
        ),
    )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "ticket_search_open_due"')
    schema_editor.execute('DROP INDEX IF EXISTS "ticket_fulltext"')


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('tickets', '0001_initial'),
        ('tickets', '0002_notifications_feedback_losses'),
        ('tickets', '0003_promise_constraint_stable_order'),
        ('tickets', '0004_workspace_collaborators_and_search'),
        ('tickets', '0005_ticket_contact_preferences'),
        ('tickets', '0006_dashboard_indexes'),
        ('tickets', '0006_queue_keyset_indexes'),
        ('tickets', '0006_scale_indexes'),
        ('tickets', '0007_merge_queue_and_dashboard_indexes'),
        ('tickets', '0008_merge_scale_indexes'),
        ('tickets', '0009_portal_requester_index'),
        ('tickets', '0009_search_open_due_index'),
        ('tickets', '0010_merge_search_and_portal_requester_indexes'),
    ]

    dependencies = [
        ('accounts', '0002_standard_support_plan'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Ticket',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject', models.CharField(max_length=200)),
                ('description', models.TextField(validators=[django.core.validators.MaxLengthValidator(50000)])),
                ('status', models.CharField(choices=[('new', 'New'), ('open', 'Open'), ('in_progress', 'In progress'), ('waiting_on_customer', 'Waiting on customer'), ('waiting_on_vendor', 'Waiting on vendor'), ('resolved', 'Resolved'), ('closed', 'Closed')], default='new', max_length=20)),
                ('impact', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(4)])),
                ('urgency', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(4)])),
                ('priority', models.PositiveSmallIntegerField(help_text='The matrix priority, or the override when one is set.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(4)])),
                ('priority_override', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(4)])),
                ('priority_override_reason', models.TextField(blank=True)),
                ('next_update_due', models.DateTimeField(blank=True, help_text='The promise in force; null while nothing is owed.', null=True)),
                ('eta', models.DateTimeField(blank=True, null=True)),
                ('needed_by', models.DateTimeField(blank=True, null=True)),
                ('problem_statement', models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(50000)])),
                ('understanding_confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('public_search_text', models.TextField(blank=True, default='', editable=False)),
                ('internal_search_text', models.TextField(blank=True, default='', editable=False)),
                ('people_affected', models.PositiveIntegerField(blank=True, null=True)),
                ('preferred_contact', models.CharField(blank=True, choices=[('email', 'Email'), ('phone', 'Phone'), ('portal', 'Updates in the portal')], max_length=10)),
                ('contact_details', models.CharField(blank=True, help_text='A phone number or other way to reach the customer.', max_length=200)),
                ('best_times', models.CharField(blank=True, help_text='When the customer is best reached, in their words.', max_length=200)),
                ('collaborators', models.ManyToManyField(blank=True, help_text='Staff helping the owner; they follow the ticket but are not accountable.', related_name='collaborating_tickets', to=settings.AUTH_USER_MODEL)),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='accounts.organization')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='owned_tickets', to=settings.AUTH_USER_MODEL)),
                ('requester', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='requested_tickets', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'indexes': [models.Index(condition=models.Q(('next_update_due__isnull', False)), fields=['next_update_due'], name='ticket_promise_due'), models.Index(fields=['owner', 'next_update_due'], name='ticket_owner_due'), models.Index(fields=['organization', '-created_at'], name='ticket_org_recent'), models.Index(fields=['status', '-created_at'], name='ticket_status_recent'), models.Index(condition=models.Q(('status__in', ['in_progress', 'new', 'open', 'waiting_on_customer', 'waiting_on_vendor'])), fields=['next_update_due', 'id'], name='ticket_queue_open_due'), models.Index(condition=models.Q(('status__in', ['in_progress', 'new', 'open', 'waiting_on_customer', 'waiting_on_vendor'])), fields=['owner', 'next_update_due', 'id'], name='ticket_queue_open_owner_due'), models.Index(condition=models.Q(('status__in', ['in_progress', 'new', 'open', 'waiting_on_customer', 'waiting_on_vendor'])), fields=['status', 'next_update_due', 'id'], name='ticket_queue_open_status_due'), models.Index(fields=['priority', 'next_update_due', 'id'], name='ticket_queue_priority'), models.Index(fields=['created_at', 'id'], name='ticket_queue_created'), models.Index(fields=['updated_at', 'id'], name='ticket_queue_updated'), models.Index(condition=models.Q(('status__in', ['in_progress', 'open', 'waiting_on_customer', 'waiting_on_vendor']), ('understanding_confirmed_at__isnull', True)), fields=['created_at'], name='ticket_unconfirmed_age'), models.Index(condition=models.Q(('status__in', ['closed', 'resolved']), _negated=True), fields=['organization', '-created_at', '-id'], name='scale_ticket_org_open'), models.Index(fields=['organization', 'requester', '-created_at', '-id'], include=('status',), name='ticket_requester_recent'), models.Index(fields=['status', 'priority', 'next_update_due', 'id'], name='scale_ticket_status_prio_due')],
                'constraints': [models.CheckConstraint(condition=models.Q(('impact__gte', 1), ('impact__lte', 4)), name='ticket_impact_1_to_4'), models.CheckConstraint(condition=models.Q(('urgency__gte', 1), ('urgency__lte', 4)), name='ticket_urgency_1_to_4'), models.CheckConstraint(condition=models.Q(('priority__gte', 1), ('priority__lte', 4)), name='ticket_priority_1_to_4'), models.CheckConstraint(condition=models.Q(('status__in', ['new', 'open', 'in_progress', 'waiting_on_customer', 'waiting_on_vendor', 'resolved', 'closed'])), name='ticket_status_known'), models.CheckConstraint(condition=models.Q(('status', 'new'), ('owner__isnull', False), _connector='OR'), name='ticket_triaged_has_owner'), models.CheckConstraint(condition=models.Q(('next_update_due__isnull', True), ('status__in', ['in_progress', 'new', 'open', 'waiting_on_vendor']), _connector='OR'), name='ticket_promise_only_while_owed'), models.CheckConstraint(condition=models.Q(('priority_override__isnull', True), models.Q(('priority_override_reason', ''), _negated=True), _connector='OR'), name='ticket_override_has_reason')],
            },
        ),
        # Trusted since PostgreSQL 13: the database owner may create it. A no-op on SQLite.
        BtreeGinExtension(),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
