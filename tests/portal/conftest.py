import pytest

from tests.factories import ContactFactory, OrganizationFactory, TicketFactory


@pytest.fixture
def colleague(organization):
    """Another contact of the same organisation, not an organisation admin."""
    return ContactFactory(
        name="Tom Colleague", email="tom@northwind.test", organization=organization
    )


@pytest.fixture
def org_admin(organization):
    return ContactFactory(
        name="Olga Admin",
        email="olga@northwind.test",
        organization=organization,
        sees_organization_tickets=True,
    )


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Contoso Rival", timezone="America/New_York")


@pytest.fixture
def outsider(other_organization):
    """A contact of another organisation: an attacker with a valid account."""
    return ContactFactory(
        name="Eve Outsider",
        email="eve@contoso.test",
        organization=other_organization,
        sees_organization_tickets=True,
    )


@pytest.fixture
def ticket(contact):
    return TicketFactory(
        organization=contact.organization,
        requester=contact,
        subject="The warehouse printer jams",
        description="Every label print jams since Monday.",
    )


@pytest.fixture
def portal_client(client, contact):
    client.force_login(contact)
    return client
