"""A desk without webhooks pays nothing for them on the write path: no webhooks query on a ticket
change, and a new subscription is seen by the very next change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status
from webhooks import services
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def webhooks_queries(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries if "webhooks_" in query["sql"]]


def test_a_ticket_change_without_subscriptions_runs_no_webhooks_query(organization, agent):
    ticket = TicketFactory(organization=organization, owner=agent)
    ticket_services.change_status(ticket, status=Status.IN_PROGRESS, by=agent)  # learns "none"

    with CaptureQueriesContext(connection) as context:
        ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)

    assert len(context.captured_queries) > 0  # the change itself was written
    assert webhooks_queries(context) == []


def test_a_new_subscription_is_seen_by_the_next_change_and_a_deleted_one_no_more(
    organization, agent, manager, receiver
):
    ticket = TicketFactory(organization=organization, owner=agent)
    ticket_services.change_status(ticket, status=Status.IN_PROGRESS, by=agent)  # learns "none"

    subscription = services.create_subscription(
        by=manager, url=receiver.url(), events=["ticket.status_changed"]
    )
    ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)
    assert Delivery.objects.filter(subscription=subscription).count() == 1

    services.delete_subscription(subscription, by=manager)
    with CaptureQueriesContext(connection) as context:
        ticket_services.change_status(ticket, status=Status.IN_PROGRESS, by=agent)
    # Deleting the last one is seen too: one look finds none, the next change makes no query.
    assert len(webhooks_queries(context)) == 1
    with CaptureQueriesContext(connection) as context:
        ticket_services.change_status(ticket, status=Status.WAITING_ON_CUSTOMER, by=agent)
    assert webhooks_queries(context) == []


def test_a_paused_subscription_still_collects_its_deliveries(
    organization, agent, manager, receiver
):
    subscription = services.create_subscription(
        by=manager, url=receiver.url(), events=["ticket.status_changed"], active=False
    )
    ticket = TicketFactory(organization=organization, owner=agent)

    ticket_services.change_status(ticket, status=Status.IN_PROGRESS, by=agent)

    assert Delivery.objects.filter(subscription=subscription).count() == 1
