"""Slack and Teams subscriptions get readable messages, not the JSON envelope: the ticket
reference, the organisation, the next update time in the organisation's time zone, a link."""

import json
from zoneinfo import ZoneInfo

import pytest

from tests.factories import OrganizationFactory, TicketFactory
from webhooks.delivery import deliver_due
from webhooks.models import Format

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket_in_new_york():
    organization = OrganizationFactory(name="Bluewave Dental", timezone="America/New_York")
    return TicketFactory(organization=organization, subject="X-ray PC is slow")


def local_due(ticket) -> str:
    return ticket.next_update_due.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M %Z")


def test_a_slack_subscription_gets_a_text_message_naming_ticket_customer_time_and_link(
    subscribe, receiver, ticket_in_new_york, settings
):
    subscribe(format=Format.SLACK, events=["ticket.created"])
    ticket = TicketFactory(organization=ticket_in_new_york.organization, subject="Scanner off")

    deliver_due(time_budget=30)

    [request] = receiver.received()
    message = request.json
    assert list(message) == ["text"]
    text = message["text"]
    assert ticket.reference in text
    assert "Bluewave Dental" in text
    assert local_due(ticket) in text  # EST/EDT, not UTC
    assert f"<{settings.SITE_URL}/tickets/{ticket.pk}/|Open {ticket.reference}>" in text


def test_a_teams_subscription_gets_an_adaptive_card_with_the_facts_and_a_link(
    subscribe, receiver, ticket_in_new_york, settings
):
    subscribe(format=Format.TEAMS, events=["ticket.created"])
    ticket = TicketFactory(organization=ticket_in_new_york.organization, subject="Scanner off")

    deliver_due(time_budget=30)

    [request] = receiver.received()
    message = request.json
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    assert ticket.reference in card["body"][0]["text"]
    facts = {fact["title"]: fact["value"] for fact in card["body"][1]["facts"]}
    assert facts["Ticket"] == ticket.reference
    assert facts["Customer"] == "Bluewave Dental"
    assert local_due(ticket) in facts["Next update"]
    [action] = card["actions"]
    assert action["type"] == "Action.OpenUrl"
    assert action["url"] == f"{settings.SITE_URL}/tickets/{ticket.pk}/"
    json.dumps(message)  # plain JSON all the way down
