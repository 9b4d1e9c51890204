"""/api/v1/responses/ and posting a saved reply through /api/v1/tickets/{id}/updates/."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from saved_replies.models import SavedReply
from tests.factories import AgentFactory, TicketFactory
from tickets import services as ticket_services
from updates.models import EntryKind, TimelineEntry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("UTC"))
STILL_ON_IT = (
    "Hello {{ customer.first_name }}, {{ owner.name }} here about {{ ticket.reference }} "
    "({{ ticket.subject }}, {{organization.name}}). We are still working on it; you will hear "
    "from us by {{ next_update_due }}. ETA: {{ eta }}. Posted by {{ agent.name }} for "
    "{{ customer.name }}."
)


def client(user) -> APIClient:
    api = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


@pytest.fixture
def ticket(organization, contact, agent):
    return TicketFactory(
        organization=organization, requester=contact, owner=agent, subject="Printer jams"
    )


def reply(author, **fields) -> SavedReply:
    values = {"title": "Still on it", "body": STILL_ON_IT, "shared": False, **fields}
    return SavedReply.objects.create(author=author, **values)


def test_an_agent_saves_a_personal_reply_and_reads_it_back(agent):
    response = client(agent).post(
        "/api/v1/responses/",
        {
            "title": "Still on it",
            "body": STILL_ON_IT,
            "status": "in_progress",
            "next_update_minutes": 120,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["author"] == agent.pk
    assert data["usage_count"] == 0
    assert data["shared"] is False
    assert data["status"] == "in_progress"
    assert client(agent).get(f"/api/v1/responses/{data['id']}/").json() == data


@pytest.mark.parametrize(
    "body",
    [
        "Hi {{ customer.email }}",
        "Hi {{ customer.first_name|upper }}",
        "{% load static %}hello",
        "{# note #}hello",
        "Hi {{ ticket.organization.name }}",
        "Hi {{ customer.first_name }",
        "{{ ticket.__class__ }}",
    ],
)
def test_anything_but_the_listed_variables_is_refused_naming_body(agent, body):
    response = client(agent).post(
        "/api/v1/responses/", {"title": "Bad", "body": body}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["body"]
    assert not SavedReply.objects.exists()


def test_only_managers_share_replies_and_manage_the_shared_ones(agent, manager):
    refused = client(agent).post(
        "/api/v1/responses/", {"title": "T", "body": "B", "shared": True}, format="json"
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["shared"]
    shared = reply(manager, shared=True)
    assert (
        client(agent)
        .patch(f"/api/v1/responses/{shared.pk}/", {"title": "Mine now"}, format="json")
        .status_code
        == 403
    )
    assert client(agent).delete(f"/api/v1/responses/{shared.pk}/").status_code == 403
    changed = client(manager).patch(
        f"/api/v1/responses/{shared.pk}/", {"title": "Still on it (2 h)"}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["title"] == "Still on it (2 h)"


def test_a_personal_reply_is_its_authors_alone(agent, other_agent, manager):
    mine = reply(agent)
    shared = reply(manager, shared=True, title="Shared")
    assert [r["id"] for r in client(other_agent).get("/api/v1/responses/").json()["results"]] == [
        shared.pk
    ]
    for user in (other_agent, manager):
        assert client(user).get(f"/api/v1/responses/{mine.pk}/").status_code == 404
    assert client(agent).delete(f"/api/v1/responses/{mine.pk}/").status_code == 204
    assert not SavedReply.objects.filter(pk=mine.pk).exists()


def test_contacts_get_404_on_every_saved_reply_endpoint(contact, manager, ticket):
    shared = reply(manager, shared=True)
    api = client(contact)
    assert api.get("/api/v1/responses/").status_code == 404
    assert (
        api.post("/api/v1/responses/", {"title": "T", "body": "B"}, format="json").status_code
        == 404
    )
    assert api.get(f"/api/v1/responses/{shared.pk}/").status_code == 404
    assert api.patch(f"/api/v1/responses/{shared.pk}/", {}, format="json").status_code == 404
    assert api.delete(f"/api/v1/responses/{shared.pk}/").status_code == 404
    rendered = api.post(
        f"/api/v1/responses/{shared.pk}/render/", {"ticket": ticket.pk}, format="json"
    )
    assert rendered.status_code == 404
    posted = api.post(
        f"/api/v1/tickets/{ticket.pk}/updates/", {"response": shared.pk}, format="json"
    )
    assert posted.status_code == 400
    assert "response" in posted.json()


def test_render_fills_the_variables_for_the_ticket_in_the_organisations_time_zone(
    agent, other_agent, ticket
):
    saved = reply(agent, next_update_minutes=120)
    with time_machine.travel(NOW, tick=False):
        ticket_services.set_eta(ticket, eta=NOW + timedelta(days=1), by=agent)
        response = client(agent).post(
            f"/api/v1/responses/{saved.pk}/render/", {"ticket": ticket.pk}, format="json"
        )
    assert response.status_code == 200
    # London is on GMT on 2 March: 10:00 UTC + 2 h is 12:00 GMT.
    assert response.json() == {
        "body": f"Hello Priya, Alice Agent here about {ticket.reference} (Printer jams, "
        "Northwind Traders). We are still working on it; you will hear from us by "
        "Mon 2 Mar 2026, 12:00 GMT. ETA: Tue 3 Mar 2026, 10:00 GMT. Posted by Alice Agent for "
        "Priya Customer."
    }
    saved.refresh_from_db()
    assert saved.usage_count == 0


def test_render_of_a_ticket_unknown_is_400_naming_ticket(agent):
    saved = reply(agent)
    response = client(agent).post(
        f"/api/v1/responses/{saved.pk}/render/", {"ticket": 999999}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["ticket"]


def test_posting_a_reply_sets_its_status_and_promise_and_counts_one_use(agent, ticket):
    saved = reply(agent, status="in_progress", next_update_minutes=120)
    with time_machine.travel(NOW, tick=False):
        response = client(agent).post(
            f"/api/v1/tickets/{ticket.pk}/updates/", {"response": saved.pk}, format="json"
        )
    assert response.status_code == 201, response.json()
    entry = TimelineEntry.objects.get(pk=response.json()["id"])
    assert entry.kind == EntryKind.PUBLIC_UPDATE
    assert entry.body.startswith("Hello Priya, Alice Agent here")
    assert "Mon 2 Mar 2026, 12:00 GMT" in entry.body
    assert entry.next_update_due == NOW + timedelta(hours=2)
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.next_update_due == NOW + timedelta(hours=2)
    saved.refresh_from_db()
    assert saved.usage_count == 1


def test_the_requests_fields_win_over_the_replys(agent, ticket):
    saved = reply(agent, body="Waiting for you.", status="in_progress", next_update_minutes=120)
    due = NOW + timedelta(hours=5)
    with time_machine.travel(NOW, tick=False):
        response = client(agent).post(
            f"/api/v1/tickets/{ticket.pk}/updates/",
            {"response": saved.pk, "status": "open", "next_update_due": due.isoformat()},
            format="json",
        )
    assert response.status_code == 201, response.json()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.next_update_due) == ("open", due)


def test_a_reply_naming_a_vendor_goes_through_the_guard_and_counts_no_use(agent, ticket):
    from tests.vendors.factories import EscalationFactory, VendorFactory

    vendor = VendorFactory(name="Litware Storage")
    EscalationFactory(ticket=ticket, vendor=vendor, by=agent)
    saved = reply(agent, body="Litware Storage is looking at {{ ticket.reference }}.")
    response = client(agent).post(
        f"/api/v1/tickets/{ticket.pk}/updates/", {"response": saved.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "vendor_mention"
    saved.refresh_from_db()
    assert saved.usage_count == 0
    assert not TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.PUBLIC_UPDATE).exists()


def test_someone_elses_personal_reply_cannot_be_posted(agent, other_agent, ticket):
    theirs = reply(AgentFactory())
    response = client(agent).post(
        f"/api/v1/tickets/{ticket.pk}/updates/", {"response": theirs.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["response"]


def test_without_body_or_response_the_body_is_required(agent, ticket):
    response = client(agent).post(f"/api/v1/tickets/{ticket.pk}/updates/", {}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["body"]
