"""/api/v1/webhooks/ to the contract: managers only (404 to other users, 401 anonymous), the secret
shown once, deliveries with their fields, redeliver and ping answering 202."""

import pytest
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from tests.factories import AgentFactory, ContactFactory, TicketFactory
from webhooks.delivery import deliver_due
from webhooks.models import Delivery, DeliveryStatus, Subscription

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_manager_subscribes_and_sees_the_secret_only_in_the_answer_to_the_post(manager, receiver):
    client = client_for(manager)
    response = client.post(
        "/api/v1/webhooks/",
        {
            "url": receiver.url(),
            "events": ["ticket.created", "promise.breached"],
            "priorities": [1, 2],
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["format"] == "json"
    assert body["internal"] is False
    assert body["active"] is True
    assert body["organization"] is None
    assert body["priorities"] == [1, 2]

    listed = client.get("/api/v1/webhooks/").json()
    assert [s["id"] for s in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{body['id']}/").json()


def test_a_given_secret_is_kept_and_a_malformed_one_refused(manager, receiver):
    client = client_for(manager)
    good = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    response = client.post(
        "/api/v1/webhooks/", {"url": receiver.url(), "events": ["*"], "secret": good}, format="json"
    )
    assert response.status_code == 201
    assert Subscription.objects.get().secret == good
    for bad in ("not-whsec", "whsec_!!!", "whsec_c2hvcnQ="):
        response = client.post(
            "/api/v1/webhooks/",
            {"url": receiver.url(), "events": ["*"], "secret": bad},
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["secret"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("events", []),
        ("events", ["ticket.deleted"]),
        ("format", "discord"),
        ("priorities", [0]),
        ("priorities", [5]),
        ("internal", "yes"),
        ("organization", 999999),
    ],
)
def test_bad_fields_answer_400_naming_the_field_and_create_nothing(manager, receiver, field, value):
    data = {"url": receiver.url(), "events": ["*"], field: value}
    response = client_for(manager).post("/api/v1/webhooks/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Subscription.objects.exists()


def test_only_managers_see_webhooks(organization, receiver, subscribe):
    subscription = subscribe()
    for user in (AgentFactory(), ContactFactory(organization=organization)):
        client = client_for(user)
        assert client.get("/api/v1/webhooks/").status_code == 404
        assert client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/").status_code == 404
        assert client.post(f"/api/v1/webhooks/{subscription.pk}/ping/").status_code == 404
    assert client_for(None).get("/api/v1/webhooks/").status_code == 401


def test_deliveries_list_redeliver_and_ping(manager, receiver, subscribe, organization):
    subscription = subscribe(events=["ticket.created"])
    TicketFactory(organization=organization)
    deliver_due(time_budget=30)
    client = client_for(manager)

    [delivery] = client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/").json()["results"]
    assert set(delivery) == {
        "id",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "response_status",
        "last_attempt_at",
        "duration_ms",
    }
    assert delivery["status"] == "delivered"
    assert delivery["event_id"] == receiver.received()[0].webhook_id

    response = client.post(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/{delivery['id']}/redeliver/"
    )
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    deliver_due(time_budget=30)
    first, again = receiver.received()
    assert first.webhook_id == again.webhook_id  # the same event, the same webhook-id
    assert Delivery.objects.get().attempts == 2

    response = client.post(f"/api/v1/webhooks/{subscription.pk}/ping/")
    assert response.status_code == 202
    assert response.json()["event_type"] == "webhook.ping"
    deliver_due(time_budget=30)
    ping = receiver.received()[-1]
    assert Webhook(subscription.secret).verify(ping.body, ping.headers)["type"] == "webhook.ping"

    other = subscribe()
    missing = client.post(f"/api/v1/webhooks/{other.pk}/deliveries/{delivery['id']}/redeliver/")
    assert missing.status_code == 404


def test_patch_changes_a_subscription_and_delete_removes_it(manager, receiver, subscribe):
    subscription = subscribe()
    client = client_for(manager)
    response = client.patch(
        f"/api/v1/webhooks/{subscription.pk}/",
        {"events": ["loss.recorded"], "internal": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["events"] == ["loss.recorded"]
    assert response.json()["internal"] is True
    assert (
        client.patch(
            f"/api/v1/webhooks/{subscription.pk}/", {"secret": "whsec_x"}, format="json"
        ).status_code
        == 400
    )
    assert client.delete(f"/api/v1/webhooks/{subscription.pk}/").status_code == 204
    assert not Subscription.objects.exists()
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 0


def test_the_webhook_operations_are_in_the_api_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/v1/webhooks/" in paths
    assert "/api/v1/webhooks/{id}/deliveries/" in paths
    assert "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver/" in paths
    assert "/api/v1/webhooks/{id}/ping/" in paths
