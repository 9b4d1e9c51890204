"""The fan-out on a real Celery worker: its pool process is SIGKILLed in the middle of a chunk,
the task is redelivered (and beat's resume queues what it could not take yet), and every ticket
ends with the update once and its requester with one email about it."""

import os
import signal
from collections import Counter

import psycopg2
import pytest

from incidents import services as incident_services
from incidents.models import DeliveryState, IncidentDelivery
from tests.factories import ContactFactory
from tests.updates import keeper_support, worker_support
from tests.updates.keeper_support import make_ticket
from tests.updates.worker_support import database_url_of_this_test, wait_for
from tickets.models import Ticket
from updates.models import EntryKind, OutboxKind, OutboxMessage, OutboxStatus, TimelineEntry

smtp_server = keeper_support.smtp_server
smtp_settings = keeper_support.smtp_settings
keeper_factory = worker_support.keeper_factory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BODY = "Email is delayed; we are rerouting it through a second relay."


def posted() -> int:
    return IncidentDelivery.objects.filter(state=DeliveryState.POSTED).count()


def test_worker_killed_mid_fan_out_resumes_without_doubles(
    keeper_factory, organization, agent, smtp_server
):
    keeper = keeper_factory()
    # A killed worker's row lock outlives it for a moment; beat's resume picks up what it skipped.
    worker = keeper.worker(concurrency=1, INCIDENT_FAN_OUT_RESUME_SECONDS="2")
    beat = keeper.beat(INCIDENT_FAN_OUT_RESUME_SECONDS="2")
    worker.wait_until_ready()
    beat.wait_until_ready()
    tickets = [
        make_ticket(
            organization=organization,
            priority=2,
            requester=ContactFactory(organization=organization, email=f"user{n}@northwind.test"),
        )
        for n in range(6)
    ]
    incident = incident_services.create_incident(by=agent, title="Relay down")
    for ticket in tickets:
        incident_services.link_ticket(incident, ticket, by=agent)

    # Hold the fourth ticket's row: the worker posts three, then waits on it mid-chunk.
    blocker = psycopg2.connect(database_url_of_this_test())
    with blocker.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Ticket._meta.db_table} WHERE id = %s FOR NO KEY UPDATE",
            [tickets[3].pk],
        )
    try:
        incident_services.post_incident_update(incident, by=agent, body=BODY)
        wait_for(lambda: posted() == 3, timeout=30, what=f"three tickets\n{keeper.logs()}")
        [child] = worker.pool_children()
        os.kill(child, signal.SIGKILL)
        wait_for(
            lambda: "WorkerLostError" in worker.output(),
            timeout=30,
            what=f"the worker to notice its lost pool process\n{keeper.logs()}",
        )
    finally:
        blocker.rollback()
        blocker.close()

    wait_for(lambda: posted() == 6, timeout=60, what=f"every ticket\n{keeper.logs()}")
    updates = Counter(
        TimelineEntry.objects.filter(kind=EntryKind.PUBLIC_UPDATE, body=BODY).values_list(
            "ticket_id", flat=True
        )
    )
    assert updates == Counter({ticket.pk: 1 for ticket in tickets})
    emails = OutboxMessage.objects.filter(kind=OutboxKind.CUSTOMER_UPDATE)
    assert sorted(emails.values_list("ticket_id", flat=True)) == sorted(t.pk for t in tickets)
    wait_for(
        lambda: not emails.exclude(status=OutboxStatus.SENT).exists(),
        timeout=60,
        what=f"the update emails\n{keeper.logs()}",
    )
    for ticket in tickets:
        received = [m for m in smtp_server.to(ticket.requester.email) if "Printer" in m["Subject"]]
        assert len([m for m in received if BODY in m.get_body(("plain",)).get_content()]) == 1
