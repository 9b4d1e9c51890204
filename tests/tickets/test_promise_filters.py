"""The promise filters (TicketQuerySet.update_overdue, update_not_overdue, due_within): the one
home of "overdue" and "due within the hour" for the queue, the dashboard and the API."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def tickets_by_deadline(organization, agent):
    """Tickets whose promise falls due at these offsets from NOW, and one that owes nothing."""
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        made = {}
        for name in ("late", "now", "soon", "in_an_hour", "later", "paused"):
            made[name] = TicketFactory(organization=organization, owner=agent)
        ticket_services.change_status(made["paused"], status=Status.WAITING_ON_CUSTOMER, by=agent)
    deadlines = {
        "late": NOW - timedelta(seconds=1),
        "now": NOW,
        "soon": NOW + timedelta(minutes=59),
        "in_an_hour": NOW + HOUR,
        "later": NOW + 2 * HOUR,
    }
    for name, due in deadlines.items():
        Ticket.objects.filter(pk=made[name].pk).update(next_update_due=due)
    return {name: Ticket.objects.get(pk=ticket.pk) for name, ticket in made.items()}


def _names(queryset, tickets_by_deadline) -> set[str]:
    pks = set(queryset.values_list("pk", flat=True))
    return {name for name, ticket in tickets_by_deadline.items() if ticket.pk in pks}


def test_overdue_means_the_deadline_passed_before_now(tickets_by_deadline):
    assert _names(Ticket.objects.update_overdue(NOW), tickets_by_deadline) == {"late"}


def test_not_overdue_is_every_other_ticket_including_those_owing_nothing(tickets_by_deadline):
    assert _names(Ticket.objects.update_not_overdue(NOW), tickets_by_deadline) == {
        "now",
        "soon",
        "in_an_hour",
        "later",
        "paused",
    }


def test_due_within_counts_from_now_up_to_but_not_including_the_end(tickets_by_deadline):
    assert _names(Ticket.objects.due_within(HOUR, NOW), tickets_by_deadline) == {"now", "soon"}


def test_one_loaded_ticket_agrees_with_the_overdue_filter(tickets_by_deadline):
    assert {
        name for name, ticket in tickets_by_deadline.items() if ticket.update_overdue_at(NOW)
    } == {"late"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
@pytest.mark.parametrize(
    "promise_filter",
    [
        lambda tickets: tickets.update_overdue(NOW),
        lambda tickets: tickets.due_within(HOUR, NOW),
    ],
    ids=["update_overdue", "due_within"],
)
def test_the_promise_filters_read_the_open_tickets_by_due_index(
    tickets_by_deadline, promise_filter
):
    """The dashboard's panels and the API's ?update_overdue=true: only open tickets have a deadline,
    but the planner cannot know that from a CHECK constraint, so the filters say "open" as well
    and the partial ticket_queue_open_due serves them (docs/indexes.md). A test-sized table is
    planned with sequential scans unless they are switched off, as tests/tickets/
    test_queue_indexes.py does."""
    queryset = promise_filter(Ticket.objects.all()).order_by("next_update_due")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = queryset.explain()
    assert "ticket_queue_open_due" in plan, plan
    index_condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "next_update_due" in index_condition, plan
