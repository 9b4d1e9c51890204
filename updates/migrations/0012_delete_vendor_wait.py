"""updates.VendorWait moved to the vendors app (vendors/0003 copies its rows first: that migration
declares `run_before` this one, so updates' migrations never depend on vendors)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("updates", "0011_merge_sweep_watermark_and_dashboard_tallies"),
    ]

    operations = [
        migrations.DeleteModel(name="VendorWait"),
    ]
