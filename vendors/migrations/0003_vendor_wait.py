"""Tickets waiting on a vendor and since when (vendors.VendorWait): the read model moves here from
updates, which sits below vendors. updates/0012 forgets its model but leaves the table; this copies
the rows in one INSERT ... SELECT and drops it. Backwards, the table comes back as updates/0010
made it, rows included."""

import django.db.models.deletion
from django.db import migrations, models

COPY = "INSERT INTO vendors_vendorwait (ticket_id, since) SELECT ticket_id, since FROM updates_vendorwait"
COPY_BACK = "INSERT INTO updates_vendorwait (ticket_id, since) SELECT ticket_id, since FROM vendors_vendorwait"
# What updates/0010 made (`manage.py sqlmigrate updates 0010_vendor_wait` on PostgreSQL).
RECREATE = [
    'CREATE TABLE "updates_vendorwait" ("ticket_id" bigint NOT NULL PRIMARY KEY,'
    ' "since" timestamp with time zone NULL)',
    'ALTER TABLE "updates_vendorwait" ADD CONSTRAINT'
    ' "updates_vendorwait_ticket_id_cbbf96a3_fk_tickets_ticket_id" FOREIGN KEY ("ticket_id")'
    ' REFERENCES "tickets_ticket" ("id") DEFERRABLE INITIALLY DEFERRED',
    'CREATE INDEX "vendor_wait_longest" ON "updates_vendorwait" ("since")',
]


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_merge_search_and_portal_requester_indexes"),
        ("vendors", "0002_chase_reminders_through_the_outbox"),
        # The table whose rows are copied and then dropped (updates has forgotten its model).
        ("updates", "0012_delete_vendor_wait"),
    ]

    operations = [
        migrations.CreateModel(
            name="VendorWait",
            fields=[
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="vendor_wait",
                        serialize=False,
                        to="tickets.ticket",
                    ),
                ),
                ("since", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "indexes": [models.Index(fields=["since"], name="vendor_wait_since")],
            },
        ),
        migrations.RunSQL(COPY, reverse_sql=[*RECREATE, COPY_BACK]),
        migrations.RunSQL('DROP TABLE "updates_vendorwait"', reverse_sql=migrations.RunSQL.noop),
    ]
