"""The planner's statistics the dashboard's Now panels rely on (dashboard/migrations/0001)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_tickets_carry_owner_and_status_statistics_for_the_unowned_panel():
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'ticket_owner_status'")
        (kinds,) = cursor.fetchone()
    assert "m" in kinds  # the MCV list of (owner, status) pairs
