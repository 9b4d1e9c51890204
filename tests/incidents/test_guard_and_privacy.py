"""The vendor-mention guard runs once, on the incident update; customers see only their own ticket
and email (the incident's title, other customers and counts never reach them)."""

import pytest
from django.core.exceptions import ValidationError

from incidents import services as incident_services
from incidents.models import IncidentDelivery, IncidentEntry
from tests.updates.keeper_support import deliver, smtp_server, smtp_settings
from tests.vendors.factories import EscalationFactory, VendorFactory
from updates.models import EntryKind, OutboxMessage, TimelineEntry
from updates.services import PublicUpdateHeldBack

from .conftest import TITLE, run_fan_out

__all__ = ["smtp_server", "smtp_settings"]


@pytest.fixture
def escalated(agent, tickets):
    """Only the first ticket is with Contoso."""
    EscalationFactory(ticket=tickets[0], vendor=VendorFactory(name="Contoso"), by=agent)
    return tickets[0]


@pytest.mark.django_db
def test_naming_one_tickets_vendor_holds_the_whole_update_and_writes_nothing(
    agent, incident, escalated
):
    with pytest.raises(PublicUpdateHeldBack) as held:
        incident_services.post_incident_update(
            incident, by=agent, body="Contoso is replacing the relay."
        )
    assert held.value.matches == ["Contoso"]
    assert not IncidentEntry.objects.exists()
    assert not IncidentDelivery.objects.exists()


@pytest.mark.django_db
def test_confirmed_once_the_update_goes_to_every_linked_ticket(agent, incident, tickets, escalated):
    incident_services.post_incident_update(
        incident, by=agent, body="Contoso is replacing the relay.", confirm_vendor_mention=True
    )
    assert run_fan_out() == 3
    entry = IncidentEntry.objects.get()
    assert entry.confirmed_vendor_mention == ["Contoso"]
    for ticket in tickets:
        assert ticket.timeline.filter(kind=EntryKind.PUBLIC_UPDATE).count() == 1


@pytest.mark.django_db
def test_the_guard_applies_to_the_resolution_too(agent, incident, escalated):
    with pytest.raises(PublicUpdateHeldBack):
        incident_services.resolve_incident(
            incident, by=agent, resolution="Contoso fixed the relay."
        )
    incident.refresh_from_db()
    assert not incident.is_resolved


@pytest.mark.django_db
def test_contacts_cannot_post_or_create(contact, incident):
    with pytest.raises(ValidationError):
        incident_services.create_incident(by=contact, title="Mine")
    with pytest.raises(ValidationError):
        incident_services.post_incident_update(incident, by=contact, body="Hello")


@pytest.mark.django_db
def test_each_requester_gets_one_email_about_their_own_ticket_only(
    agent, incident, tickets, smtp_settings
):
    body = "Email is delayed; we are rerouting it now."
    incident_services.post_incident_update(incident, by=agent, body=body)
    run_fan_out()
    deliver(list(OutboxMessage.objects.filter(entry__isnull=False).values_list("pk", flat=True)))

    for ticket in tickets:
        [email] = smtp_settings.to(ticket.requester.email)
        text = email.as_string()
        assert ticket.reference in email["Subject"]
        assert body in email.get_body(("plain",)).get_content()
        others = [t for t in tickets if t.pk != ticket.pk]
        for forbidden in [TITLE, "INC-", *(t.reference for t in others)]:
            assert forbidden not in text
        for other in others:
            if other.organization_id != ticket.organization_id:
                assert other.organization.name not in text
                assert other.requester.name not in text
                assert other.requester.email not in text


@pytest.mark.django_db
def test_the_incident_never_shows_on_the_customers_timeline(agent, incident, tickets):
    incident_services.post_incident_update(incident, by=agent, body="We are rerouting it now.")
    run_fan_out()
    public = TimelineEntry.objects.filter(ticket=tickets[0], is_public=True)
    assert not [entry for entry in public if TITLE in entry.body or "INC-" in entry.body]
