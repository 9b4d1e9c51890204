"""Delivery to a real receiver on 127.0.0.1: signed the Standard Webhooks way (checked with the
reference verifier), retried with backoff, ordered per ticket, paused after a day of failures."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from tests.factories import TicketFactory
from tickets import services as ticket_services
from tickets.models import Status
from updates.models import Notification, NotificationKind
from webhooks import services
from webhooks.delivery import deliver_due
from webhooks.models import Delivery, DeliveryStatus, Event

pytestmark = pytest.mark.django_db


def deliver():
    return deliver_due(time_budget=30)


def only_delivery() -> Delivery:
    return Delivery.objects.select_related("event").get()


def test_a_delivery_is_signed_so_the_reference_verifier_accepts_it(
    subscribe, receiver, organization
):
    subscription = subscribe(events=["ticket.created"])
    ticket = TicketFactory(organization=organization, subject="Printer jams")

    assert deliver().delivered == 1

    [request] = receiver.received()
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    assert payload["type"] == "ticket.created"
    assert payload["id"] == request.webhook_id == Event.objects.get().event_id
    assert payload["data"]["ticket"]["reference"] == ticket.reference
    assert payload["timestamp"] == Event.objects.get().occurred_at.isoformat()
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-signature"].startswith("v1,")
    # The signature is of these exact bytes: one changed byte fails the verifier.
    with pytest.raises(Exception, match="signature"):
        Webhook(subscription.secret).verify(request.body + b" ", request.headers)
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.response_status == 200
    assert delivery.duration_ms is not None


def test_an_event_rolled_back_with_its_change_is_never_delivered(subscribe, organization):
    subscribe()

    def open_then_fail():
        with transaction.atomic():
            TicketFactory(organization=organization)
            assert Delivery.objects.count() == 1  # written in the change's own transaction
            raise RuntimeError("the request failed after the ticket was written")

    with pytest.raises(RuntimeError):
        open_then_fail()
    assert not Event.objects.exists()
    assert not Delivery.objects.exists()


def test_a_failed_attempt_is_retried_within_a_minute_with_the_same_webhook_id(
    subscribe, receiver, organization
):
    subscribe(events=["ticket.created"])
    receiver.script = [500, 503]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        TicketFactory(organization=organization)
        assert deliver().retrying == 1
        first = only_delivery()
        assert first.status == DeliveryStatus.PENDING
        assert first.response_status == 500
        assert timedelta(0) < first.next_attempt_at - start <= timedelta(minutes=1)

        assert deliver().delivered == 0  # not due yet: nothing sent
        assert len(receiver.received()) == 1

        clock.move_to(first.next_attempt_at)
        assert deliver().retrying == 1
        second = only_delivery()
        # Backoff: the second wait is longer than the first.
        assert second.next_attempt_at - first.next_attempt_at > first.next_attempt_at - start

        clock.move_to(second.next_attempt_at)
        assert deliver().delivered == 1
    ids = {request.webhook_id for request in receiver.received()}
    assert len(receiver.received()) == 3
    assert len(ids) == 1
    assert only_delivery().attempts == 3


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(subscribe, receiver, organization):
    subscribe(events=["ticket.created"])
    receiver.script = [302]
    TicketFactory(organization=organization)

    assert deliver().retrying == 1

    assert [request.path for request in receiver.received()] == ["/hook"]
    delivery = only_delivery()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.response_status == 302


def test_no_answer_within_the_timeout_is_a_failed_attempt(
    subscribe, receiver, organization, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    subscribe(events=["ticket.created"])
    receiver.hang = threading.Event()
    receiver.hang.set()
    TicketFactory(organization=organization)

    assert deliver().retrying == 1

    delivery = only_delivery()
    assert delivery.response_status is None
    assert delivery.last_error == "timed out"
    assert 900 <= delivery.duration_ms < 5000


def test_a_tickets_later_event_waits_while_an_earlier_one_is_retried(
    subscribe, receiver, organization, agent
):
    subscribe(events=["ticket.created", "ticket.status_changed"])
    receiver.script = [500]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ticket = TicketFactory(organization=organization, owner=agent)
        ticket_services.change_status(ticket, status=Status.IN_PROGRESS, by=agent)
        other = TicketFactory(organization=organization)  # another ticket is not held up

        deliver()
        sent = [r.json["type"] for r in receiver.received()]
        assert sent == ["ticket.created", "ticket.created"]  # the first failed; its ticket waits
        assert receiver.received()[1].json["data"]["ticket"]["id"] == other.pk

        clock.move_to(Delivery.objects.get(response_status=500).next_attempt_at)
        deliver()
        deliver()
    mine = [
        r.json["type"] for r in receiver.received() if r.json["data"]["ticket"]["id"] == ticket.pk
    ]
    assert mine == ["ticket.created", "ticket.created", "ticket.status_changed"]


def test_a_day_of_failures_fails_for_good_pauses_the_subscription_and_tells_managers(
    subscribe, receiver, organization, manager, agent
):
    subscription = subscribe(events=["ticket.created"])
    receiver.always = 500
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        TicketFactory(organization=organization)
        attempts_at = []
        while only_delivery().status == DeliveryStatus.PENDING:
            clock.move_to(only_delivery().next_attempt_at)
            attempts_at.append(timezone.now())
            deliver()
            assert len(attempts_at) < 100
        failed = only_delivery()
        assert failed.status == DeliveryStatus.FAILED
        assert attempts_at[-1] - start <= timedelta(days=1)
        assert attempts_at[-1] - start > timedelta(hours=20)  # it kept trying most of a day
        subscription.refresh_from_db()
        assert subscription.active is False
        assert subscription.paused_at is not None
        notice = Notification.objects.get(kind=NotificationKind.WEBHOOK_FAILED)
        assert notice.recipient == manager
        assert "paused" in notice.message

        # Paused: new events wait. Set active again: they go out.
        receiver.always = None
        TicketFactory(organization=organization)
        count = len(receiver.received())
        deliver()
        assert len(receiver.received()) == count
        services.change_subscription(subscription, by=manager, changes={"active": True})
        assert deliver().delivered == 1
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 1
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 1
