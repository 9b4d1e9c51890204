"""The triage inbox: new tickets, one-click ownership, impact/urgency and the restated problem."""

import pytest

from tests.factories import TicketFactory
from tests.tickets.helpers import client_for, htmx, owned_ticket, version
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db


def test_inbox_lists_only_new_tickets_first_response_soonest_first(agent):
    slow = TicketFactory(impact=4, urgency=4, subject="Request: new mouse")
    fast = TicketFactory(impact=1, urgency=1, subject="Everything is down")
    owned_ticket(agent, subject="Already triaged")
    response = client_for(agent).get("/triage/")
    assert response.status_code == 200
    assert [card["ticket"] for card in response.context["cards"]] == [fast, slow]
    assert "Already triaged" not in response.content.decode()


def test_inbox_is_for_staff_only(client, contact):
    assert client.get("/triage/").status_code == 302
    assert client_for(contact).get("/triage/").status_code == 403


def test_take_ownership_from_the_inbox_returns_to_it(agent):
    ticket = TicketFactory()
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/own/",
        {"expected_updated_at": version(ticket), "return_to": "triage"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/triage/"
    assert Ticket.objects.get(pk=ticket.pk).owner == agent


def test_take_ownership_with_htmx_swaps_just_the_card(agent):
    ticket = TicketFactory()
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/own/",
        {"expected_updated_at": version(ticket), "return_to": "triage"},
        **htmx(),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith(f'<article class="card triage-card" id="triage-{ticket.pk}"')
    assert (
        f"You own {ticket.reference} now. Still to triage: "
        "write our understanding of the problem." in content
    )
    assert "Save triage" in content
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


def triage(client, ticket, **fields):
    data = {"impact": 3, "urgency": 3, "expected_updated_at": version(ticket)}
    data.update(return_to="triage", **fields)
    return client.post(f"/tickets/{ticket.pk}/triage/", data, **htmx())


def test_saving_triage_on_an_unowned_ticket_says_ownership_is_still_missing(agent):
    ticket = TicketFactory()
    content = triage(client_for(agent), ticket, problem_statement="Jams on page two.")
    content = content.content.decode()
    assert "Triage saved. Still to triage: take ownership (or assign an owner)." in content
    assert "Take ownership" in content
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.status, ticket.owner, ticket.problem_statement) == (
        Status.NEW,
        None,
        "Jams on page two.",
    )


def test_saving_triage_without_owner_or_understanding_names_both(agent):
    ticket = TicketFactory()
    content = triage(client_for(agent), ticket, impact=2).content.decode()
    assert (
        "Triage saved. Still to triage: take ownership (or assign an owner) and write our "
        "understanding of the problem." in content
    )


def test_understanding_then_ownership_triages_and_the_card_says_so(agent):
    ticket = TicketFactory()
    client = client_for(agent)
    triage(client, ticket, problem_statement="Jams on page two.")
    response = client.post(
        f"/tickets/{ticket.pk}/own/",
        {"expected_updated_at": version(ticket), "return_to": "triage"},
        **htmx(),
    )
    content = response.content.decode()
    assert f"You own {ticket.reference} now. {ticket.reference} is triaged and open." in content
    assert "Triaged: Open, owned by Alice Agent" in content
    assert client.get("/triage/").context["cards"] == []


def test_ownership_then_understanding_triages_too(agent):
    ticket = TicketFactory()
    client = client_for(agent)
    client.post(f"/tickets/{ticket.pk}/own/", {"expected_updated_at": version(ticket)})
    content = triage(client, ticket, problem_statement="Jams.").content.decode()
    assert f"Triage saved. {ticket.reference} is triaged and open." in content
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


def test_triage_from_the_inbox_shows_field_errors_on_the_card(agent):
    ticket = TicketFactory(impact=3, urgency=3)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/triage/",
        {
            "impact": 0,
            "urgency": 2,
            "problem_statement": "What I typed",
            "expected_updated_at": version(ticket),
            "return_to": "triage",
        },
        **htmx(),
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "What I typed" in content
    assert 'id="id_impact_error"' in content or "errorlist" in content
    assert Ticket.objects.get(pk=ticket.pk).impact == 3


def test_triage_from_the_inbox_without_javascript_rerenders_the_inbox_with_errors(agent):
    ticket = TicketFactory(impact=3, urgency=3)
    response = client_for(agent).post(
        f"/tickets/{ticket.pk}/triage/",
        {"impact": 7, "urgency": 2, "expected_updated_at": version(ticket), "return_to": "triage"},
    )
    assert response.status_code == 400
    card = response.context["cards"][0]
    assert "impact" in card["triage_form"].errors


def test_setting_impact_and_urgency_on_a_new_ticket_keeps_it_in_the_inbox(agent):
    ticket = TicketFactory(impact=4, urgency=4)
    client = client_for(agent)
    client.post(
        f"/tickets/{ticket.pk}/triage/",
        {"impact": 2, "urgency": 2, "expected_updated_at": version(ticket), "return_to": "triage"},
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.priority, ticket.status) == (2, Status.NEW)
    assert client.get("/triage/").context["cards"][0]["ticket"] == ticket
