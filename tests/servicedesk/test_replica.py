"""The dashboard, exports and reports read from the read replica while it is healthy, and from the
primary when it is not; writes and sign-in always use the primary.

scripts/test points the ``replica`` connection at the test database itself (a test mirror): a
second, real PostgreSQL connection. It cannot see a test's open transaction, so these tests commit
their data (``transaction=True``).
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from servicedesk import replica
from tests.factories import TicketFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
    pytest.mark.skipif(
        not replica.replica_configured(),
        reason="DATABASE_REPLICA_URL is not set (scripts/test sets it)",
    ),
]


@pytest.fixture(autouse=True)
def _replica_paths(settings):
    settings.REPLICA_READ_PATHS = ["/dashboard/"]
    settings.REPLICA_CHECK_SECONDS = 0
    replica.health.forget()
    yield
    replica.health.forget()


def _queries(client, path: str) -> tuple[list[str], list[str], int]:
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica_queries,
    ):
        status = client.get(path).status_code
    return (
        [q["sql"] for q in primary.captured_queries],
        [q["sql"] for q in replica_queries.captured_queries],
        status,
    )


def test_the_dashboard_reads_its_figures_from_the_replica_and_who_you_are_from_the_primary(
    client, manager
):
    TicketFactory.create_batch(3)
    client.force_login(manager)

    primary, from_replica, status = _queries(client, "/dashboard/")

    assert status == 200
    assert any("tickets_ticket" in sql for sql in from_replica)
    assert not any("tickets_ticket" in sql for sql in primary)
    # The signed-in user and the session come from the primary: a deactivation counts at once.
    assert any("accounts_user" in sql for sql in primary)
    assert not any(
        'FROM "accounts_user"' in sql and "WHERE" in sql and '"id" =' in sql for sql in from_replica
    )


def test_pages_outside_the_replica_paths_and_posts_read_the_primary(client, agent):
    TicketFactory.create_batch(2)
    client.force_login(agent)

    primary, from_replica, status = _queries(client, "/")

    assert status == 200
    assert from_replica == []
    assert any("tickets_ticket" in sql for sql in primary)


def test_an_unreachable_replica_sends_the_same_request_to_the_primary(client, manager):
    TicketFactory.create_batch(2)
    client.force_login(manager)
    connection = connections["replica"]
    connection.close()
    real_port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = 9  # nothing listens on the discard port of 127.0.0.1
    try:
        with CaptureQueriesContext(connections["default"]) as primary:
            status = client.get("/dashboard/").status_code
        verdict = replica.health.usable
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port

    assert status == 200
    assert verdict is False
    assert any("tickets_ticket" in q["sql"] for q in primary.captured_queries)


def test_the_lag_of_a_database_not_in_recovery_is_zero():
    assert replica.measure_lag() == 0.0


@pytest.mark.parametrize(
    ("lag", "usable"), [(0.0, True), (30.0, True), (30.5, False), (None, False)]
)
def test_a_replica_is_used_only_when_it_answered_within_the_bound(lag, usable):
    assert replica.replica_usable(lag, max_lag_seconds=30) is usable
