"""The managers' webhook pages: add a subscription (its secret shown on that answer only), see
its deliveries, redeliver, ping, pause and resume. Anyone else gets 404."""

import pytest

from tests.factories import AgentFactory, TicketFactory
from webhooks.delivery import deliver_due
from webhooks.models import Delivery, DeliveryStatus, Subscription

pytestmark = pytest.mark.django_db


def test_a_manager_adds_a_webhook_and_sees_its_secret_once(client, manager, receiver):
    client.force_login(manager)
    response = client.post(
        "/webhooks/",
        {
            "url": receiver.url(),
            "events": ["ticket.created", "customer.replied"],
            "format": "slack",
        },
    )
    assert response.status_code == 201
    subscription = Subscription.objects.get()
    assert subscription.events == ["ticket.created", "customer.replied"]
    assert subscription.format == "slack"
    assert subscription.secret in response.content.decode()

    page = client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert subscription.secret not in page
    assert subscription.secret not in client.get("/webhooks/").content.decode()


def test_a_refused_url_shows_on_its_field_and_adds_nothing(client, manager, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ""
    client.force_login(manager)
    response = client.post(
        "/webhooks/", {"url": "http://169.254.169.254/", "events": ["*"], "format": "json"}
    )
    assert response.status_code == 400
    assert "internal address" in response.context["form"].errors["url"][0]
    assert not Subscription.objects.exists()


def test_deliveries_redeliver_ping_pause_and_resume_from_the_page(
    client, manager, subscribe, receiver, organization
):
    subscription = subscribe(events=["ticket.created"])
    ticket = TicketFactory(organization=organization)
    deliver_due(time_budget=30)
    client.force_login(manager)
    delivery = Delivery.objects.get()

    page = client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert delivery.event.event_id in page
    assert "ticket.created" in page

    client.post(f"/webhooks/{subscription.pk}/deliveries/{delivery.pk}/redeliver/")
    client.post(f"/webhooks/{subscription.pk}/ping/")
    deliver_due(time_budget=30)
    assert [r.json["type"] for r in receiver.received()] == [
        "ticket.created",
        "ticket.created",
        "webhook.ping",
    ]
    assert receiver.received()[1].json["data"]["ticket"]["id"] == ticket.pk

    client.post(f"/webhooks/{subscription.pk}/active/", {"active": "0"})
    TicketFactory(organization=organization)
    deliver_due(time_budget=30)
    assert len(receiver.received()) == 3  # paused: it waits
    client.post(f"/webhooks/{subscription.pk}/active/", {"active": "1"})
    deliver_due(time_budget=30)
    assert len(receiver.received()) == 4
    assert not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()


def test_agents_get_404_on_every_webhook_page(client, subscribe):
    subscription = subscribe()
    client.force_login(AgentFactory())
    assert client.get("/webhooks/").status_code == 404
    assert client.get(f"/webhooks/{subscription.pk}/").status_code == 404
    assert client.post(f"/webhooks/{subscription.pk}/ping/").status_code == 404
