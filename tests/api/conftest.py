import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ContactFactory, OrganizationFactory, TicketFactory


@pytest.fixture
def api_client_for():
    """An API client authenticated with the user's token, as a script would be."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Bluewave Dental", timezone="America/New_York")


@pytest.fixture
def other_contact(other_organization):
    return ContactFactory(
        name="Dana Other", email="dana@bluewave.test", organization=other_organization
    )


@pytest.fixture
def ticket(organization, contact):
    """A new P3 ticket raised by the contact."""
    return TicketFactory(organization=organization, requester=contact, subject="Printer jams")


@pytest.fixture
def other_ticket(other_organization, other_contact):
    return TicketFactory(
        organization=other_organization, requester=other_contact, subject="X-ray PC is slow"
    )
