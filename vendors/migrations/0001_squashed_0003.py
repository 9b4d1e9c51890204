"""The vendors app's schema as migrations 0001-0003 left it, in one migration (issue 15).

`replaces` lists the migrations it stands for (see tickets/0001_squashed_0010). 0003 copies the
vendor-wait rows out of the updates app and drops its table; a new database has no rows to copy,
so this one simply creates the table."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('vendors', '0001_vendors_escalations_chases'),
        ('vendors', '0002_chase_reminders_through_the_outbox'),
        ('vendors', '0003_vendor_wait'),
    ]

    dependencies = [
        ('tickets', '0001_squashed_0010'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BlamePhrase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phrase', models.CharField(max_length=100, unique=True)),
                ('is_active', models.BooleanField(default=True)),
            ],
            options={
                'ordering': ['phrase'],
            },
        ),
        migrations.CreateModel(
            name='Vendor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True)),
                ('aliases', models.TextField(blank=True, help_text='Other names staff may write for this vendor (product names, abbreviations), one per line or separated by commas. The vendor-mention guard looks for these too.')),
                ('support_email', models.EmailField(blank=True, max_length=254)),
                ('support_phone', models.CharField(blank=True, max_length=50)),
                ('portal_url', models.URLField(blank=True, help_text='Where we open and follow cases.')),
                ('account_number', models.CharField(blank=True, max_length=100)),
                ('contract_reference', models.CharField(blank=True, max_length=100)),
                ('support_hours', models.CharField(blank=True, help_text='As the contract states them, e.g. 24x7 or Mon-Fri 9-17 CET.', max_length=200)),
                ('expected_response_minutes', models.PositiveIntegerField(blank=True, help_text='How soon the vendor promises to acknowledge a case; blank if unknown.', null=True, validators=[django.core.validators.MinValueValidator(1)])),
                ('notes', models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(50000)])),
                ('is_active', models.BooleanField(default=True, help_text='Inactive vendors keep their history but take no new escalations.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='VendorEscalation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('vendor_reference', models.CharField(blank=True, help_text="The vendor's own case or ticket number.", max_length=100)),
                ('summary', models.TextField(validators=[django.core.validators.MaxLengthValidator(2000)])),
                ('status', models.CharField(choices=[('open', 'Open'), ('acknowledged', 'Acknowledged'), ('awaiting_vendor', 'Awaiting vendor'), ('vendor_needs_info', 'Vendor needs info'), ('resolved', 'Resolved'), ('closed', 'Closed')], default='open', max_length=20)),
                ('opened_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('acknowledge_by', models.DateTimeField(blank=True, help_text="Opened at plus the vendor's expected response time (null if it has none).", null=True)),
                ('next_chase_at', models.DateTimeField(blank=True, help_text='When the ticket owner is reminded to chase the vendor.', null=True)),
                ('last_chase_due_at', models.DateTimeField(blank=True, help_text='The chase time the owner was last reminded of.', null=True)),
                ('rca_requested', models.BooleanField(default=False, verbose_name='root-cause analysis requested')),
                ('rca_received', models.BooleanField(default=False, verbose_name='root-cause analysis received')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('opened_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='vendor_escalations', to='tickets.ticket')),
                ('vendor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='vendors.vendor')),
            ],
            options={
                'ordering': ['-opened_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='VendorChase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_at', models.DateTimeField()),
                ('claimed_at', models.DateTimeField()),
                ('escalation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chases', to='vendors.vendorescalation')),
            ],
            options={
                'ordering': ['-due_at'],
            },
        ),
        migrations.CreateModel(
            name='EscalationNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('body', models.TextField(validators=[django.core.validators.MaxLengthValidator(50000)])),
                ('pushback', models.BooleanField(default=False, help_text='The vendor pushed work back to us or to the customer.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('escalation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='vendors.vendorescalation')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='VendorWait',
            fields=[
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='vendor_wait', serialize=False, to='tickets.ticket')),
                ('since', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['since'], name='vendor_wait_since')],
            },
        ),
        migrations.AddIndex(
            model_name='vendorescalation',
            index=models.Index(condition=models.Q(('next_chase_at__isnull', False)), fields=['next_chase_at'], name='escalation_chase_due'),
        ),
        migrations.AddIndex(
            model_name='vendorescalation',
            index=models.Index(fields=['ticket', '-opened_at'], name='escalation_ticket_recent'),
        ),
        migrations.AddIndex(
            model_name='vendorescalation',
            index=models.Index(fields=['vendor', 'opened_at'], name='escalation_vendor_opened'),
        ),
        migrations.AddConstraint(
            model_name='vendorescalation',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['open', 'acknowledged', 'awaiting_vendor', 'vendor_needs_info', 'resolved', 'closed'])), name='escalation_status_known'),
        ),
        migrations.AddConstraint(
            model_name='vendorescalation',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'open'), ('acknowledged_at__isnull', False), _connector='OR'), name='escalation_acknowledged_once_past_open'),
        ),
        migrations.AddConstraint(
            model_name='vendorescalation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['resolved', 'closed']), _negated=True), ('resolved_at__isnull', False), _connector='OR'), name='escalation_resolved_has_time'),
        ),
        migrations.AddConstraint(
            model_name='vendorescalation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['resolved', 'closed']), _negated=True), ('next_chase_at__isnull', True), _connector='OR'), name='escalation_done_not_chased'),
        ),
        migrations.AddConstraint(
            model_name='vendorchase',
            constraint=models.UniqueConstraint(fields=('escalation', 'due_at'), name='one_chase_per_chase_time'),
        ),
        migrations.AddIndex(
            model_name='escalationnote',
            index=models.Index(fields=['escalation', 'created_at'], name='escalation_note_time'),
        ),
    ]
