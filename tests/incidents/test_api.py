"""The incidents API (API.md "Major incidents"): staff only, a contact gets 404 everywhere."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from incidents import services as incident_services
from incidents.models import IncidentDelivery, IncidentEntry
from tests.vendors.factories import EscalationFactory, VendorFactory
from tickets.models import Status
from updates import services as update_services

from .conftest import TITLE, run_fan_out

BASE = "/api/v1/incidents/"


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.django_db
def test_staff_open_an_incident_and_are_its_commander_by_default(agent):
    response = client_for(agent).post(
        BASE, {"title": "Relay down", "summary": "Email is slow."}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["commander"] == agent.pk
    assert body["status"] == "investigating"
    assert body["tickets"] == []
    assert body["next_update_due"] is None
    assert set(body) == {
        "id", "title", "summary", "status", "commander", "tickets", "next_update_due", "created_at"
    }  # fmt: skip


@pytest.mark.django_db
def test_a_contact_gets_404_from_every_incident_endpoint(contact, incident, tickets):
    client = client_for(contact)
    mine = tickets[0].pk
    calls = [
        ("get", BASE, None),
        ("post", BASE, {"title": "x"}),
        ("get", f"{BASE}{incident.pk}/", None),
        ("patch", f"{BASE}{incident.pk}/", {"status": "monitoring"}),
        ("post", f"{BASE}{incident.pk}/tickets/", {"ticket": mine}),
        ("delete", f"{BASE}{incident.pk}/tickets/{mine}/", None),
        ("post", f"{BASE}{incident.pk}/updates/", {"body": "hi"}),
        ("get", f"{BASE}999999/", None),
    ]
    for method, url, data in calls:
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (method, url)
        assert TITLE not in response.content.decode()
    assert incident.links.count() == 3
    assert not IncidentEntry.objects.exists()


@pytest.mark.django_db
def test_anonymous_callers_must_sign_in(incident):
    assert APIClient().get(BASE).status_code == 401


@pytest.mark.django_db
def test_link_answers_201_with_the_incident_and_refuses_a_second_open_incident(
    agent, organization, tickets
):
    client = client_for(agent)
    first = client.post(BASE, {"title": "One"}, format="json").json()
    second = client.post(BASE, {"title": "Two"}, format="json").json()
    linked = client.post(f"{BASE}{first['id']}/tickets/", {"ticket": tickets[0].pk}, format="json")
    assert linked.status_code == 201
    assert linked.json()["tickets"] == [tickets[0].pk]

    for incident in (first, second):
        again = client.post(
            f"{BASE}{incident['id']}/tickets/", {"ticket": tickets[0].pk}, format="json"
        )
        assert again.status_code == 400
        assert "ticket" in again.json()


@pytest.mark.django_db
def test_linking_a_resolved_ticket_answers_400_naming_ticket(agent, tickets):
    update_services.post_public_update(
        tickets[0], author=agent, body="Done.", status=Status.RESOLVED
    )
    client = client_for(agent)
    incident = client.post(BASE, {"title": "One"}, format="json").json()
    response = client.post(
        f"{BASE}{incident['id']}/tickets/", {"ticket": tickets[0].pk}, format="json"
    )
    assert response.status_code == 400
    assert "ticket" in response.json()


@pytest.mark.django_db
def test_unlink_answers_204_then_404(agent, incident, tickets):
    client = client_for(agent)
    url = f"{BASE}{incident.pk}/tickets/{tickets[0].pk}/"
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404
    assert client.get(f"{BASE}{incident.pk}/").json()["tickets"] == sorted(
        t.pk for t in tickets[1:]
    )


@pytest.mark.django_db
def test_an_update_answers_its_id_and_the_tickets_it_goes_to(agent, incident, tickets):
    response = client_for(agent).post(
        f"{BASE}{incident.pk}/updates/", {"body": "Rerouting mail now."}, format="json"
    )
    assert response.status_code == 201
    entry = IncidentEntry.objects.get()
    assert response.json() == {"id": entry.pk, "tickets_updated": 3}
    assert IncidentDelivery.objects.filter(entry=entry).count() == 3
    # Without a time, the fan-out (not the request) sets the earliest of the new promises.
    run_fan_out()
    incident.refresh_from_db()
    earliest = min(ticket.promises.get(outcome="pending").due_at for ticket in tickets)
    assert incident.next_update_due == earliest


@pytest.mark.django_db
def test_a_vendor_mention_answers_400_until_confirmed(agent, incident, tickets):
    EscalationFactory(ticket=tickets[1], vendor=VendorFactory(name="Contoso"), by=agent)
    client = client_for(agent)
    url = f"{BASE}{incident.pk}/updates/"
    held = client.post(url, {"body": "Contoso is on it."}, format="json")
    assert held.status_code == 400
    assert held.json()["code"] == "vendor_mention"
    assert not IncidentEntry.objects.exists()
    sent = client.post(
        url, {"body": "Contoso is on it.", "confirm_vendor_mention": True}, format="json"
    )
    assert sent.status_code == 201


@pytest.mark.django_db
def test_resolving_needs_the_resolution_while_a_ticket_is_open(agent, incident, tickets):
    client = client_for(agent)
    url = f"{BASE}{incident.pk}/"
    refused = client.patch(url, {"status": "resolved"}, format="json")
    assert refused.status_code == 400
    assert "resolution" in refused.json()

    resolved = client.patch(
        url, {"status": "resolved", "resolution": "Mail flows again."}, format="json"
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["next_update_due"] is None
    run_fan_out()
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED

    for method, path, data in [
        ("patch", "", {"status": "monitoring"}),
        ("post", "updates/", {"body": "More news."}),
        ("post", "tickets/", {"ticket": tickets[0].pk}),
    ]:
        response = getattr(client, method)(f"{url}{path}", data, format="json")
        assert response.status_code == 400, (method, path, response.json())


@pytest.mark.django_db
def test_bad_input_names_the_field_and_changes_nothing(agent, incident):
    client = client_for(agent)
    url = f"{BASE}{incident.pk}/"
    for data, field in [
        ({"status": "exploded"}, "status"),
        ({"title": ""}, "title"),
        ({"commander": 999999}, "commander"),
        ({"resolution": "x"}, "resolution"),
        ({"tickets": [1]}, "tickets"),
    ]:
        response = client.patch(url, data, format="json")
        assert response.status_code == 400, data
        assert field in response.json(), response.json()
    past = client.post(
        f"{url}updates/", {"body": "x", "next_update_due": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert past.status_code == 400
    assert "next_update_due" in past.json()
    incident.refresh_from_db()
    assert incident.title == TITLE


@pytest.mark.django_db
def test_incident_list_runs_a_fixed_number_of_queries(
    agent, incident, django_assert_max_num_queries
):
    incident_services.create_incident(by=agent, title="Another")
    with django_assert_max_num_queries(8):
        response = client_for(agent).get(BASE)
    assert response.json()["count"] == 2
