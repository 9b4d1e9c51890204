"""A message after an action shows once: pages that place their messages in the page (the ticket
page, triage, vendors, incidents) empty the base template's place for them."""

import pytest
from django.urls import reverse

from tests.tickets.helpers import owned_ticket

pytestmark = pytest.mark.django_db


def test_the_ticket_page_shows_a_note_added_message_once(client, agent):
    ticket = owned_ticket(agent, subject="Printer offline")
    client.force_login(agent)

    response = client.post(
        reverse("ticket-internal-note", args=[ticket.pk]),
        {"body": "Checked the spooler; it is running."},
        follow=True,
    )

    assert response.status_code == 200
    assert response.content.decode().count("Internal note added.") == 1
