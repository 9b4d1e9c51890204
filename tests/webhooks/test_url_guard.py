"""The URL guard (SSRF): internal addresses are refused when a subscription is saved (400 naming
`url`) and again at every delivery, after resolving the name, without opening a connection;
delivery connects to the address it checked, naming the host in the Host header."""

import pytest
import urllib3.util.connection
from rest_framework.test import APIClient

from tests.factories import TicketFactory
from webhooks import guard
from webhooks.delivery import deliver_due
from webhooks.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

INTERNAL = [
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "127.0.0.1",
    "::1",
    "169.254.169.254",  # the cloud metadata service
    "fe80::1",
    "fc00::1",
    "100.64.0.1",
    "0.0.0.0",
    "::",
    "224.0.0.1",
    "ff02::1",
    "::ffff:10.0.0.1",  # an IPv4-mapped private address
]


@pytest.fixture
def dns(monkeypatch):
    """The test's own resolver: each name answers what the test says."""
    answers: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[str]:
        if host in answers:
            return answers[host]
        raise OSError("no such name")

    monkeypatch.setattr(guard, "resolve", resolve)
    return answers


@pytest.fixture
def connections(monkeypatch):
    """Every connection delivery opens (urllib3's), recorded and then opened for real."""
    opened: list[tuple] = []
    real = urllib3.util.connection.create_connection

    def spy(address, *args, **kwargs):
        opened.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", spy)
    return opened


def manager_client(manager) -> APIClient:
    client = APIClient()
    client.force_authenticate(manager)
    return client


@pytest.mark.parametrize("address", INTERNAL)
def test_a_name_resolving_to_an_internal_address_is_refused_naming_url(
    address, dns, manager, settings
):
    settings.WEBHOOK_ALLOWED_NETWORKS = ""
    dns["hooks.example.test"] = [address]

    response = manager_client(manager).post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.test/desk", "events": ["*"]},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["url"]
    assert "internal address" in response.json()["url"][0]


def test_one_internal_address_among_public_ones_is_enough_to_refuse(dns, manager):
    dns["hooks.example.test"] = ["93.184.215.14", "10.0.0.1"]
    response = manager_client(manager).post(
        "/api/v1/webhooks/", {"url": "https://hooks.example.test/", "events": ["*"]}, format="json"
    )
    assert response.status_code == 400


def test_an_ip_literal_and_other_schemes_are_checked_too(manager, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ""
    client = manager_client(manager)
    for url in ("http://127.0.0.1:8000/", "http://[::1]/", "ftp://example.test/", "javascript:x"):
        response = client.post("/api/v1/webhooks/", {"url": url, "events": ["*"]}, format="json")
        assert response.status_code == 400, url
        assert "url" in response.json()


def test_a_public_address_is_accepted_and_an_allowed_network_lets_an_internal_one_through(
    dns, manager, settings
):
    dns["hooks.example.test"] = ["93.184.215.14"]
    dns["intranet.example.test"] = ["10.1.2.3"]
    client = manager_client(manager)
    response = client.post(
        "/api/v1/webhooks/", {"url": "https://hooks.example.test/", "events": ["*"]}, format="json"
    )
    assert response.status_code == 201

    settings.WEBHOOK_ALLOWED_NETWORKS = "10.1.0.0/16, 192.168.7.0/24"
    response = client.post(
        "/api/v1/webhooks/",
        {"url": "http://intranet.example.test/", "events": ["*"]},
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize("address", ["10.0.0.1", "169.254.169.254", "::1"])
def test_a_name_that_turns_internal_after_saving_is_refused_at_delivery_without_connecting(
    address, dns, connections, subscribe, receiver, organization
):
    dns["hooks.example.test"] = ["127.0.0.1"]  # the receiver, allowed in this test
    subscribe(url=f"http://hooks.example.test:{receiver.port}/hook", events=["ticket.created"])
    dns["hooks.example.test"] = [address]  # the DNS answer changes (rebinding)
    TicketFactory(organization=organization)

    result = deliver_due(time_budget=30)

    assert result.retrying == 1
    assert connections == []
    assert receiver.received() == []
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("refused:")
    assert delivery.response_status is None


def test_delivery_connects_to_the_checked_address_and_names_the_host(
    dns, connections, subscribe, receiver, organization
):
    dns["hooks.example.test"] = ["127.0.0.1"]
    subscribe(url=f"http://hooks.example.test:{receiver.port}/hook", events=["ticket.created"])
    TicketFactory(organization=organization)

    assert deliver_due(time_budget=30).delivered == 1

    assert connections == [("127.0.0.1", receiver.port)]
    [request] = receiver.received()
    assert request.headers["host"] == f"hooks.example.test:{receiver.port}"
