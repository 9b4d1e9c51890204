"""Tickets waiting on a vendor and since when (vendors.VendorWait): the read model moves here from
updates, which sits below vendors. The rows updates kept are copied in one INSERT ... SELECT
before updates/0012 drops its table (`run_before`, so updates never depends on vendors)."""

import django.db.models.deletion
from django.db import migrations, models

COPY = "INSERT INTO vendors_vendorwait (ticket_id, since) SELECT ticket_id, since FROM updates_vendorwait"
COPY_BACK = "INSERT INTO updates_vendorwait (ticket_id, since) SELECT ticket_id, since FROM vendors_vendorwait"


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_merge_search_and_portal_requester_indexes"),
        ("vendors", "0002_chase_reminders_through_the_outbox"),
        # The table whose rows are copied.
        ("updates", "0010_vendor_wait"),
    ]
    run_before = [("updates", "0012_delete_vendor_wait")]

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
        migrations.RunSQL(COPY, reverse_sql=COPY_BACK),
    ]
