"""Extended statistics on tickets' (owner, status) so the planner knows unowned tickets are
the new, open ones.

Without them PostgreSQL multiplies the two columns' selectivities as if independent: at a
million tickets it expected 58 unowned new tickets where there were 7,909, and the Now panel's
"Unowned" (oldest first, 51 rows) sorted all of them through a bitmap scan (200-250 ms) instead
of walking `ticket_status_recent` and stopping after 51 (0.5 ms). The MCV list of the pair
gives it the true share. PostgreSQL only (statistics objects do not exist elsewhere); the
dashboard owns it because the dashboard's query needs it.
"""

from django.db import migrations

CREATE = """
CREATE STATISTICS IF NOT EXISTS ticket_owner_status (mcv) ON owner_id, status FROM tickets_ticket;
ANALYZE tickets_ticket;
"""
DROP = "DROP STATISTICS IF EXISTS ticket_owner_status;"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0012_ticket_survivor_and_search_by_date")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
