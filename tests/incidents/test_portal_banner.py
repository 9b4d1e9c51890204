"""The portal's banner: the incident's customer-facing summary on the customer's own affected
tickets, never its title, other customers, other tickets or a count."""

import pytest
from django.test import Client

from incidents import services as incident_services

from .conftest import TITLE, run_fan_out

SUMMARY = "We are working on a wider email problem."


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_affected_customers_see_the_summary_and_nothing_else_of_the_incident(
    agent, contact, incident, tickets
):
    incident_services.post_incident_update(incident, by=agent, body="Rerouting mail now.")
    run_fan_out()
    client = signed_in(contact)
    for url in ["/portal/", f"/portal/tickets/{tickets[0].pk}/"]:
        page = client.get(url).content.decode()
        assert "We are working on a wider service problem" in page, url
        assert SUMMARY in page
        assert TITLE not in page
        assert "INC-" not in page
        assert tickets[2].organization.name not in page
        assert tickets[2].reference not in page
        assert tickets[1].reference not in page  # a colleague's ticket, not visible to them


@pytest.mark.django_db
def test_no_banner_for_unaffected_customers_or_once_resolved(
    agent, contact, other_contact, incident, tickets
):
    incident_services.unlink_ticket(incident, tickets[2].pk, by=agent)
    assert SUMMARY not in signed_in(other_contact).get("/portal/").content.decode()
    incident_services.resolve_incident(incident, by=agent, resolution="Mail flows again.")
    run_fan_out()
    assert SUMMARY not in signed_in(contact).get("/portal/").content.decode()
