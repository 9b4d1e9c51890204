"""Each rule in one place (issue 15): every statement that writes a ticket's `next_update_due`
comes from the promise ledger (updates/promises.py), and every one that writes its owner from
tickets/services.py, whichever path changes the ticket: one ticket at a time, the queue's bulk
actions or a merge. The SQL is watched as it runs and traced back to the code that sent it."""

import re
import traceback
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import TicketFactory
from tests.tickets.helpers import owned_ticket
from tickets import services as ticket_services
from tickets.models import Status
from updates import services as update_services

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
WRITERS = {"next_update_due": "updates/promises.py", "owner_id": "tickets/services.py"}
TICKET_WRITE = re.compile(r'^\s*(UPDATE|INSERT INTO) "tickets_ticket"', re.IGNORECASE)


class WriteWatcher:
    """A connection execute wrapper noting, for each write of a watched column of the ticket
    table, the innermost project file (outside tests) on the stack that issued it."""

    def __init__(self):
        self.writes: list[tuple[str, str]] = []

    def __call__(self, execute, sql, params, many, context):
        if TICKET_WRITE.match(sql) and sql.upper().startswith("UPDATE"):
            set_clause = sql.split(" WHERE ")[0]
            for column in WRITERS:
                if f'"{column}"' in set_clause:
                    self.writes.append((column, self._caller()))
        return execute(sql, params, many, context)

    @staticmethod
    def _caller() -> str:
        for frame in reversed(traceback.extract_stack()):
            path = Path(frame.filename).resolve()
            if ROOT in path.parents and ".venv" not in path.parts and "tests" not in path.parts:
                return str(path.relative_to(ROOT))
        return "?"


@pytest.fixture
def watched():
    watcher = WriteWatcher()
    with connection.execute_wrapper(watcher):
        yield watcher
    assert watcher.writes, "the journey wrote neither column: the watcher saw nothing"
    strays = [(column, caller) for column, caller in watcher.writes if caller != WRITERS[column]]
    assert not strays, f"written outside its one writer: {strays}"


def bulk(user, tickets, action, **params):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    response = client.post(
        "/api/v1/tickets/bulk/",
        {"tickets": [t.pk for t in tickets], "action": action, **params},
        format="json",
    )
    assert response.status_code == 200, response.json()


def test_one_ticket_owned_updated_paused_and_resolved(watched, agent, other_agent, organization):
    ticket = owned_ticket(agent, organization=organization)
    update_services.post_public_update(ticket, author=agent, body="On it: the router is next.")
    ticket_services.assign_owner(ticket, owner=other_agent, by=agent, handover_note="Covering")
    ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=other_agent)
    ticket_services.change_status(ticket, status=Status.OPEN, by=other_agent)
    ticket_services.change_status(ticket, status=Status.RESOLVED, by=other_agent)


def test_bulk_assign_and_status_changes(watched, agent, other_agent, organization):
    tickets = [TicketFactory(organization=organization) for _ in range(3)]
    bulk(agent, tickets, "status", status=Status.IN_PROGRESS)  # takes the unowned ones
    bulk(agent, tickets, "assign", owner=other_agent.pk, handover_note="Covering for Alice")
    bulk(other_agent, tickets, "status", status=Status.WAITING_ON_CUSTOMER)
    bulk(other_agent, tickets, "status", status=Status.OPEN)  # promised again
    bulk(other_agent, tickets, "status", status=Status.RESOLVED)


def test_a_merge(watched, agent, organization):
    survivor = owned_ticket(agent, organization=organization)
    unowned = TicketFactory(organization=organization)
    owned = owned_ticket(agent, organization=organization)
    bulk(agent, [unowned, owned], "merge", into=survivor.pk)
