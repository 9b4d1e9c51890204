"""The updates app's schema as migrations 0001-0012 left it, in one migration (issue 15).

`replaces` lists the migrations it stands for (see tickets/0001_squashed_0010). The backfills of
existing rows (search text, promise owners, the promise tally, the vendor waits) are left out: a
new database has no rows. The vendor-wait table that 0010 made and 0012 dropped is not made at
all; vendors/0001_squashed_0003 creates it in its own app."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('updates', '0001_initial'),
        ('updates', '0002_notifications_feedback_losses'),
        ('updates', '0003_promise_keeper'),
        ('updates', '0004_backfill_ticket_search_text'),
        ('updates', '0005_dashboard_indexes'),
        ('updates', '0005_outbox_vendor_chase'),
        ('updates', '0005_scale_indexes'),
        ('updates', '0006_merge_dashboard_indexes_and_vendor_chase'),
        ('updates', '0006_promise_owner_and_organization'),
        ('updates', '0007_merge_promise_owner_and_vendor_chase'),
        ('updates', '0008_merge_scale_indexes'),
        ('updates', '0009_promise_tally'),
        ('updates', '0009_sweep_watermark_and_idle_check_indexes'),
        ('updates', '0010_vendor_wait'),
        ('updates', '0011_merge_sweep_watermark_and_dashboard_tallies'),
        ('updates', '0012_delete_vendor_wait'),
    ]

    dependencies = [
        ('accounts', '0002_standard_support_plan'),
        ('tickets', '0001_squashed_0010'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='SweepHeartbeat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=40, unique=True)),
                ('started_at', models.DateTimeField()),
                ('finished_at', models.DateTimeField()),
                ('fired', models.PositiveIntegerField(default=0)),
                ('requeued', models.PositiveIntegerField(default=0)),
                ('duration_ms', models.PositiveIntegerField(default=0)),
                ('reconciled_until', models.DateTimeField(blank=True, null=True)),
                ('full_reconciled_at', models.DateTimeField(blank=True, help_text='When every overdue pending promise was last checked.', null=True)),
            ],
        ),
        migrations.CreateModel(
            name='Feedback',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kept_informed', models.PositiveSmallIntegerField()),
                ('resolved', models.PositiveSmallIntegerField()),
                ('comment', models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(50000)])),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='tickets.ticket')),
            ],
        ),
        migrations.CreateModel(
            name='Loss',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.CharField(choices=[('misunderstood_problem', 'Misunderstood problem'), ('missed_update', 'Missed update'), ('slow_response', 'Slow response'), ('wrong_fix', 'Wrong fix'), ('vendor_failure', 'Vendor failure'), ('other', 'Other')], max_length=30)),
                ('description', models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(50000)])),
                ('lessons', models.TextField(blank=True, help_text='What we learned and will do differently.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('feedback', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='loss', to='updates.feedback')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='losses', to='accounts.organization')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='losses', to='tickets.ticket')),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='Promise',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('made_at', models.DateTimeField()),
                ('due_at', models.DateTimeField()),
                ('is_first_response', models.BooleanField(default=False)),
                ('priority', models.PositiveSmallIntegerField(help_text="The ticket's priority when promised.")),
                ('outcome', models.CharField(choices=[('pending', 'Pending'), ('kept', 'Kept'), ('breached', 'Breached'), ('withdrawn', 'Withdrawn (nothing owed any more)')], default='pending', max_length=10)),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('organization', models.ForeignKey(blank=True, db_index=False, help_text="The ticket's customer organisation.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization')),
                ('owner', models.ForeignKey(blank=True, db_index=False, help_text="The ticket's owner while the promise was pending.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='promises', to='tickets.ticket')),
            ],
            options={
                'ordering': ['made_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='PromiseAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stage', models.CharField(choices=[('due_soon', 'Update due soon'), ('breached', 'Promise breached'), ('still_breached', 'Promise still breached')], max_length=20)),
                ('due_at', models.DateTimeField()),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('fired', 'Fired (handed to the outbox)'), ('cancelled', 'Cancelled (the promise was kept or moved)'), ('skipped', 'Skipped (no longer meaningful when its turn came)')], default='pending', max_length=10)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('settled_at', models.DateTimeField(blank=True, help_text='When it fired, was cancelled or was skipped.', null=True)),
                ('promise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='updates.promise')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.ticket')),
            ],
            options={
                'ordering': ['due_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('due_soon', 'Update due soon'), ('breached', 'Promise breached'), ('still_breached', 'Promise still breached'), ('vendor_chase', 'Vendor chase due')], max_length=30)),
                ('message', models.CharField(max_length=300)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.ticket')),
                ('alert', models.ForeignKey(blank=True, help_text='The promise alert this notification delivers (at most one per recipient).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='updates.promisealert')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='PromiseTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hour', models.DateTimeField(help_text='The start of the UTC hour the deadlines fell in.')),
                ('priority', models.PositiveSmallIntegerField()),
                ('due', models.IntegerField(default=0)),
                ('kept', models.IntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['hour'], include=('priority', 'due', 'kept'), name='promise_tally_covering')],
                'constraints': [models.UniqueConstraint(fields=('hour', 'priority'), name='promise_tally_hour_priority')],
            },
        ),
        migrations.CreateModel(
            name='TimelineEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('public_update', 'Public update'), ('internal_note', 'Internal note'), ('customer_reply', 'Customer reply'), ('event', 'System event')], max_length=20)),
                ('is_public', models.BooleanField()),
                ('body', models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(50000)])),
                ('event', models.CharField(blank=True, help_text='For system events: what happened (status_changed, ...).', max_length=40)),
                ('data', models.JSONField(blank=True, default=dict)),
                ('next_update_due', models.DateTimeField(blank=True, help_text='The promise this update made, as the customer was told.', null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timeline', to='tickets.ticket')),
            ],
            options={
                'verbose_name_plural': 'timeline entries',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.AddField(
            model_name='promise',
            name='kept_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='updates.timelineentry'),
        ),
        migrations.AddField(
            model_name='promise',
            name='made_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='updates.timelineentry'),
        ),
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=120, unique=True)),
                ('channel', models.CharField(choices=[('in_app', 'In-app notification'), ('email', 'Email')], max_length=10)),
                ('kind', models.CharField(choices=[('due_soon', 'Update due soon'), ('breached', 'Promise breached'), ('still_breached', 'Promise still breached'), ('customer_acknowledgement', 'Customer: request received'), ('customer_update', 'Customer: public update'), ('customer_resolution', 'Customer: resolved'), ('vendor_chase', 'Vendor chase due')], max_length=30)),
                ('data', models.JSONField(blank=True, default=dict, help_text="What the registered wording of this kind needs (ids of another app's records).")),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending (claimed by a worker)'), ('sent', 'Sent'), ('skipped', 'Skipped (no longer true when its turn came)'), ('dead', 'Dead letter (gave up after bounded attempts)')], default='pending', max_length=10)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('enqueued_at', models.DateTimeField(blank=True, help_text='When a delivery task was last queued for it.', null=True)),
                ('lease_expires_at', models.DateTimeField(blank=True, help_text='While sending: when another worker may take it over.', null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tickets.ticket')),
                ('alert', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='updates.promisealert')),
                ('entry', models.ForeignKey(blank=True, help_text='The public update a customer email carries.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='updates.timelineentry')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='feedback',
            constraint=models.CheckConstraint(condition=models.Q(('kept_informed__gte', 1), ('kept_informed__lte', 5), ('resolved__gte', 1), ('resolved__lte', 5)), name='feedback_scores_1_to_5'),
        ),
        migrations.AddIndex(
            model_name='loss',
            index=models.Index(fields=['-created_at'], name='loss_recent'),
        ),
        migrations.AddIndex(
            model_name='promisealert',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['due_at'], name='alert_pending_due'),
        ),
        migrations.AddConstraint(
            model_name='promisealert',
            constraint=models.UniqueConstraint(fields=('promise', 'stage'), name='one_alert_per_promise_stage'),
        ),
        migrations.AddConstraint(
            model_name='promisealert',
            constraint=models.CheckConstraint(condition=models.Q(('stage__in', ['due_soon', 'breached', 'still_breached'])), name='alert_stage_known'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['recipient', '-created_at'], name='notification_inbox'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('read_at__isnull', True)), fields=['recipient'], name='notification_unread'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(condition=models.Q(('alert__isnull', False)), fields=('alert', 'recipient'), name='one_notification_per_alert_recipient'),
        ),
        migrations.AddIndex(
            model_name='timelineentry',
            index=models.Index(fields=['ticket', 'created_at'], name='timeline_ticket_time'),
        ),
        migrations.AddIndex(
            model_name='timelineentry',
            index=models.Index(condition=models.Q(('is_public', True)), fields=['ticket', 'created_at'], name='timeline_ticket_public'),
        ),
        migrations.AddIndex(
            model_name='timelineentry',
            index=models.Index(condition=models.Q(('data__new', 'waiting_on_vendor'), ('event', 'status_changed'), ('kind', 'event')), fields=['ticket', '-created_at'], name='timeline_vendor_wait_start'),
        ),
        migrations.AddConstraint(
            model_name='timelineentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'internal_note'), _negated=True), ('is_public', False), _connector='OR'), name='internal_note_never_public'),
        ),
        migrations.AddConstraint(
            model_name='timelineentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['public_update', 'customer_reply']), _negated=True), ('is_public', True), _connector='OR'), name='updates_and_replies_public'),
        ),
        migrations.AddIndex(
            model_name='promise',
            index=models.Index(fields=['ticket', 'made_at'], name='promise_ticket_time'),
        ),
        migrations.AddIndex(
            model_name='promise',
            index=models.Index(fields=['outcome', 'due_at'], name='promise_outcome_due'),
        ),
        migrations.AddIndex(
            model_name='promise',
            index=models.Index(condition=models.Q(('outcome', 'withdrawn'), _negated=True), fields=['due_at'], include=('outcome', 'priority', 'owner', 'organization', 'id'), name='promise_came_due_by'),
        ),
        migrations.AddIndex(
            model_name='promise',
            index=models.Index(condition=models.Q(('is_first_response', True)), fields=['made_at'], include=('closed_at', 'outcome', 'ticket'), name='promise_first_response'),
        ),
        migrations.AddIndex(
            model_name='promise',
            index=models.Index(condition=models.Q(('outcome', 'pending')), fields=['due_at', 'id'], name='scale_promise_pending_due'),
        ),
        migrations.AddConstraint(
            model_name='promise',
            constraint=models.UniqueConstraint(condition=models.Q(('outcome', 'pending')), fields=('ticket',), name='one_pending_promise_per_ticket'),
        ),
        migrations.AddConstraint(
            model_name='promise',
            constraint=models.CheckConstraint(condition=models.Q(('due_at__gt', models.F('made_at'))), name='promise_due_after_made'),
        ),
        migrations.AddConstraint(
            model_name='promise',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_at__isnull', True), ('outcome', 'pending')), models.Q(models.Q(('outcome', 'pending'), _negated=True), ('closed_at__isnull', False)), _connector='OR'), name='promise_closed_iff_not_pending'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('status__in', ['pending', 'sending'])), fields=['next_attempt_at'], name='outbox_unsent'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('status', 'dead')), fields=['created_at'], name='outbox_dead_letters'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('enqueued_at__isnull', True), ('status', 'pending')), fields=['next_attempt_at'], name='outbox_unqueued_due'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('enqueued_at__isnull', False), ('status', 'pending')), fields=['enqueued_at'], include=('next_attempt_at',), name='outbox_queued_since'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('status', 'sending')), fields=['lease_expires_at'], name='outbox_sending_lease'),
        ),
    ]
