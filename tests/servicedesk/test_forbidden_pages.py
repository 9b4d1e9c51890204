"""A refused page says why and where to go instead, still with status 403: a customer contact on
a staff page is pointed to their portal; staff on a page their role does not open get the reason."""

import pytest

from tests.tickets.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/triage/", "/notifications/"])
def test_a_contact_on_a_staff_page_is_pointed_to_the_portal(contact, path):
    response = client_for(contact).get(path)
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is for our service desk team" in page
    assert 'href="/portal/"' in page
    assert "Go to your requests" in page


def test_an_agent_on_a_managers_page_is_told_why(agent):
    response = client_for(agent).get("/dashboard/losses/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "for managers" in page
    assert "Not open to this account" in page


def test_the_api_still_answers_json(contact):
    response = client_for(contact).get("/api/v1/vendors/")
    assert response["Content-Type"].startswith("application/json")
