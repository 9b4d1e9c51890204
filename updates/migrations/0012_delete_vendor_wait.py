"""updates.VendorWait moved to the vendors app. This forgets the model only: vendors/0003, which
depends on this migration, copies the rows and then drops the table. The order runs vendors ->
updates, as the apps do; the other way round made a cycle once the migrations were squashed."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("updates", "0011_merge_sweep_watermark_and_dashboard_tallies"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="VendorWait")],
        ),
    ]
