"""The month index covers what the billing page's and the export's queries read of an entry, so
a month of entries is an index-only scan instead of tens of thousands of scattered heap pages
(docs/benchmarks.md, "Time and billing"). Added before the old one is dropped."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_time_and_billing"),
        ("tickets", "0012_ticket_survivor_and_search_by_date"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="timeentry",
            index=models.Index(
                fields=["started_at", "id"],
                include=("ticket", "minutes", "billable", "work_type", "agent"),
                name="time_entry_month",
            ),
        ),
        migrations.RemoveIndex(model_name="timeentry", name="time_entry_started"),
    ]
