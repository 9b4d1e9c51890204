from django.db import migrations, models


class Migration(migrations.Migration):
    """The API's default ticket order (newest first) and its keyset pages walk this index."""

    dependencies = [
        ("tickets", "0005_ticket_contact_preferences"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["-created_at", "-id"], name="ticket_recent"),
        ),
    ]
