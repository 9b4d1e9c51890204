from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents import fanout
from incidents import services as incident_services
from incidents.models import DeliveryState, IncidentDelivery
from tests.factories import ContactFactory, OrganizationFactory
from tests.updates.keeper_support import make_ticket

LONDON = ZoneInfo("Europe/London")
# A Monday morning, inside business hours.
OPENED = datetime(2026, 3, 2, 9, tzinfo=LONDON)
TITLE = "Canary-title: Contoso mail relay down in DC2"


def run_fan_out() -> int:
    """What the Celery tasks do, in the test's process and transaction."""
    ids = list(
        IncidentDelivery.objects.filter(state=DeliveryState.PENDING).values_list("pk", flat=True)
    )
    return fanout.deliver_chunk(ids)


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Fabrikam Canary Ltd", timezone="Europe/London")


@pytest.fixture
def other_contact(other_organization):
    return ContactFactory(
        name="Canary Other-Customer",
        email="other@fabrikam.test",
        organization=other_organization,
    )


@pytest.fixture
def tickets(organization, contact, other_organization, other_contact):
    """Two P2 tickets for Northwind (one requester each) and one for Fabrikam."""
    second = ContactFactory(
        name="Sam Second", email="sam@northwind.test", organization=organization
    )
    with time_machine.travel(OPENED, tick=False):
        return [
            make_ticket(organization=organization, priority=2, requester=contact),
            make_ticket(organization=organization, priority=2, requester=second),
            make_ticket(organization=other_organization, priority=2, requester=other_contact),
        ]


@pytest.fixture
def incident(agent, tickets):
    incident = incident_services.create_incident(
        by=agent, title=TITLE, summary="We are working on a wider email problem."
    )
    for ticket in tickets:
        incident_services.link_ticket(incident, ticket, by=agent)
    return incident
