"""The staff sign-in and landing page."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import PASSWORD, TicketFactory


def test_staff_sign_in_with_email_and_password(client, agent):
    response = client.post("/login/", {"username": agent.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_customers_are_sent_to_the_portal_sign_in(client, contact):
    response = client.post("/login/", {"username": contact.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Customers sign in to the portal" in response.content.decode()


def test_home_requires_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_home_is_forbidden_to_customers(client, contact):
    client.force_login(contact)
    assert client.get("/").status_code == 403


def test_breached_view_shows_late_tickets(client, agent, organization):
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        late = TicketFactory(
            organization=organization, subject="Server room is hot", impact=1, urgency=1
        )
    client.force_login(agent)
    page = client.get("/?view=breached").content.decode()
    assert late.reference in page
    assert "late" in page
    assert "Server room is hot" in page


@pytest.mark.parametrize("count", [1, 15])
def test_home_runs_a_fixed_number_of_queries(
    client, agent, organization, django_assert_num_queries, count
):
    for _ in range(count):
        TicketFactory(organization=organization, owner=agent)
    client.force_login(agent)
    # The session, the user, the page of tickets with their customer and people in one join,
    # the unread-notifications count; no list of customers or staff (those are autocompletes).
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200
