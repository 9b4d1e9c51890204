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


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that Django's SMTP backend delivers to."""
    import socket

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
